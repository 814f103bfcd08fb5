"""The real-text corpus generator and the RSS chart, on a small made-up source folder."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from benchmarks.realcorpus import generate_real_corpus
from benchmarks.rsschart import write_rss_chart


def _source(tmp_path: Path) -> Path:
    """Two outlets of made-up articles: a headline, a one-line body of many sentences, a credit line."""
    source = tmp_path / "source"
    for outlet in ("kabarsatu", "kabardua"):
        (source / outlet).mkdir(parents=True)
        for number in range(4):
            sentences = " ".join(
                f"Warga desa {outlet} nomor {number} membangun jembatan ke-{k} bersama relawan." for k in range(8)
            )
            (source / outlet / f"{number}.txt").write_text(f"Judul berita {number}\n\n{sentences}\n\nEditor: Redaksi\n")
    return source


def test_generated_articles_are_distinct_keep_their_outlet_and_frame(tmp_path: Path):
    out, source = tmp_path / "out", _source(tmp_path)
    summary = generate_real_corpus(out, 40, source_dir=source, seed=1)
    files = sorted(out.rglob("*.txt"))
    assert summary.n_files == len(files) == 40 and summary.n_outlets == 2 and summary.n_source_articles == 8
    texts = [path.read_text() for path in files]
    assert len(set(texts)) == 40
    for path, text in zip(files, texts):
        lines = [line for line in text.split("\n") if line]
        assert lines[0].startswith("Judul berita") and lines[-1] == "Editor: Redaksi"
        assert path.parent.name in lines[1]  # sentences come from the frame's own outlet
    again = tmp_path / "again"
    generate_real_corpus(again, 40, source_dir=source, seed=1)
    assert [path.read_bytes() for path in sorted(again.rglob("*.txt"))] == [path.read_bytes() for path in files]


def test_rss_chart_is_a_valid_png(tmp_path: Path):
    timeline = [{"t": t, "tree": 2e8 + t * 1e7, "flow": 1e8, "workers": t * 1e7, "prefect_server": 1e8} for t in range(0, 120, 5)]
    data = write_rss_chart(timeline, tmp_path / "rss.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (900, 420)
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + width * 3)
    assert raw.count(b"\x00\x00\x00") > 100  # the black tree line and axes were drawn
