"""The benchmark corpus: deterministic, realistic rates of furniture, encodings, duplicates and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import CorpusRates, generate_corpus, load_sentences
from transforms.decode import decode_bytes

N_ARTICLES = 2000


@pytest.fixture(scope="module")
def sample_paragraphs() -> list[list[str]]:
    """Sentences of the bundled sample only, so the tests do not need ../shared."""
    paragraphs, source = load_sentences(indosum_path=Path("/nonexistent/articles.jsonl"))
    assert source.startswith("bundled sample only")
    return paragraphs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sample_paragraphs):
    """A 2,000-file corpus, its summary and every file's bytes by relative path."""
    folder = tmp_path_factory.mktemp("corpus")
    summary = generate_corpus(folder, N_ARTICLES, seed=3, paragraphs=sample_paragraphs)
    files = {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*.txt"))}
    return summary, files


def _texts(files: dict[str, bytes]) -> dict[str, str]:
    decoded = {name: decode_bytes(raw, 5_000_000) for name, raw in files.items()}
    return {name: d.text.replace("\r\n", "\n") for name, d in decoded.items() if d.text is not None}


def test_same_seed_writes_same_bytes_and_another_seed_does_not(tmp_path, sample_paragraphs):
    for name in ("a", "b", "c"):
        generate_corpus(tmp_path / name, 200, seed=1 if name != "c" else 2, paragraphs=sample_paragraphs)
    read = {
        name: {str(p.relative_to(tmp_path / name)): p.read_bytes() for p in (tmp_path / name).rglob("*.txt")} for name in "abc"
    }

    assert len(read["a"]) == 200
    assert read["a"] == read["b"]
    assert read["a"] != read["c"]


def test_files_sit_in_outlet_folders_and_are_article_sized(corpus):
    summary, files = corpus
    sizes = sorted(len(raw) for raw in files.values())

    assert len(files) == summary.n_files == N_ARTICLES
    assert summary.n_bytes == sum(sizes)
    assert all("/" in name for name in files)
    assert len({name.split("/")[0] for name in files}) >= 5
    assert 2000 <= sizes[len(sizes) // 2] <= 4000
    assert sizes[int(len(sizes) * 0.05)] >= 1800


@pytest.mark.parametrize(
    ("marker", "rate"),
    [
        ("Baca juga:", CorpusRates().related_link),
        ("ADVERTISEMENT", CorpusRates().advertisement),
        ("SCROLL TO CONTINUE WITH CONTENT", CorpusRates().scroll_marker),
        ("[Gambas:", CorpusRates().video_embed),
    ],
)
def test_furniture_appears_at_about_its_real_rate(corpus, marker, rate):
    texts = _texts(corpus[1])
    share = sum(marker in text for text in texts.values()) / len(texts)

    assert abs(share - rate) < 0.05, f"{marker!r} in {share:.1%} of files, expected about {rate:.1%}"


def test_encodings_decode_and_only_planted_bad_files_are_rejected(corpus):
    summary, files = corpus
    outcomes = [decode_bytes(raw, 5_000_000) for raw in files.values()]
    encodings = {o.encoding for o in outcomes if o.text is not None}
    rejected = sorted(o.reason for o in outcomes if o.text is None)
    n_bad = sum(n for kind, n in summary.counts.items() if kind.startswith("bad_"))

    assert {"utf-8", "utf-8-sig", "utf-16-le", "cp1252"} <= encodings
    assert len(rejected) == n_bad > 0
    assert set(rejected) <= {"empty", "whitespace_only", "binary"}
    assert sum(raw.count(b"\r\n") > 0 for raw in files.values()) / len(files) == pytest.approx(0.10, abs=0.03)


def test_exact_duplicates_repeat_a_text_and_near_duplicates_change_it(corpus):
    summary, files = corpus
    texts = list(_texts(files).values())
    repeats = len(texts) - len(set(texts))
    # A near copy shares its opening with an earlier article but is not the same text.
    openings = {}
    for text in texts:
        openings.setdefault(text[200:400], set()).add(text)
    near = sum(len(group) - 1 for group in openings.values())

    assert 0.01 * N_ARTICLES <= summary.counts["exact_duplicate"] <= 0.03 * N_ARTICLES
    assert 0.8 * summary.counts["exact_duplicate"] <= repeats <= summary.counts["exact_duplicate"]
    assert near >= 0.5 * summary.counts["near_duplicate"] > 0
