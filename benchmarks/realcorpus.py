"""Many distinct articles made from a folder of real scraped articles, for benchmarks at scale.

Each generated file takes one real article as its frame, keeping the short lines among its first and
last few (where scrapers leave headlines, dates, `Baca juga` links, credits and promos, so boilerplate
removal and learning see real furniture) and filling the rest with sentences drawn at random from
articles of the same outlet, laid out as the frame was (many scrapes hold the body on one line). With N generated from S sources a frame is reused about
N/S times, so its short lines repeat that often, much as an outlet's own furniture does. Files go to `<out>/<outlet>/<n>.txt`, so the outlet hint is
real too. Nothing is written back into the repository: the source folder is read at run time
(`KABAR_REALNEWS_DIR`, default /tmp/realnews; one sub-folder per outlet, `.txt` files).

Run: python -m benchmarks.realcorpus OUT_DIR --articles 100000 [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

DEFAULT_SOURCE = Path(os.environ.get("KABAR_REALNEWS_DIR", "/tmp/realnews"))
FRAME_HEAD_LINES = 3  # the framing article's short lines among these are kept: headline, date
FRAME_TAIL_LINES = 4  # and among these: related links, credits, promos
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'])")


@dataclass
class RealCorpusSummary:
    """What was generated, from what, and how long it took."""

    n_files: int
    n_bytes: int
    n_source_articles: int
    n_outlets: int
    source: str
    seconds: float

    def as_dict(self) -> dict:
        """Plain data for benchmark.json."""
        return dict(self.__dict__)


@dataclass
class _Frame:
    head: list[str]  # short lines at the top (headline, date)
    tail: list[str]  # short lines at the bottom (links, credits, promos)
    n_sentences: int  # how long its content was
    flattened: bool  # its content was one line (many scrapes are: headline, then the body on one line)


@dataclass
class _Outlet:
    name: str
    frames: list[_Frame]
    sentences: list[str]  # every content sentence of the outlet


def _frame_and_sentences(lines: list[str]) -> tuple[_Frame, list[str]]:
    n_head = 0
    while n_head < min(FRAME_HEAD_LINES, len(lines)) and len(lines[n_head]) < 120:
        n_head += 1
    n_tail = 0
    while n_tail < min(FRAME_TAIL_LINES, len(lines) - n_head) and len(lines[-1 - n_tail]) < 120:
        n_tail += 1
    head, tail = lines[:n_head], lines[len(lines) - n_tail :]
    content = [line for line in lines[n_head : len(lines) - n_tail] if len(line) >= 40]
    sentences = [sentence for line in content for sentence in _SENTENCE_END.split(line) if len(sentence) >= 20]
    return _Frame(head, tail, len(sentences), len(content) <= 1), sentences


def load_outlets(source_dir: Path = DEFAULT_SOURCE) -> list[_Outlet]:
    """Read every `<outlet>/*.txt` under the source folder (bytes kept as they are, via surrogateescape)."""
    if not source_dir.is_dir():
        raise FileNotFoundError(f"no real-news folder at {source_dir} (set KABAR_REALNEWS_DIR)")
    outlets = []
    for folder in sorted(path for path in source_dir.iterdir() if path.is_dir()):
        frames, sentences = [], []
        for path in sorted(folder.glob("*.txt")):
            text = path.read_bytes().decode("utf-8", errors="surrogateescape").replace("\r\n", "\n")
            frame, frame_sentences = _frame_and_sentences([line for line in text.split("\n") if line.strip()])
            if frame.n_sentences >= 3:
                frames.append(frame)
                sentences.extend(frame_sentences)
        if frames:
            outlets.append(_Outlet(folder.name, frames, sentences))
    if not outlets:
        raise FileNotFoundError(f"no outlet folders with articles under {source_dir}")
    return outlets


def make_article(outlet: _Outlet, rng: random.Random) -> str:
    """One new article: a real frame around sentences drawn from the same outlet, laid out as the frame was."""
    frame = rng.choice(outlet.frames)
    n_sentences = max(4, min(45, frame.n_sentences + rng.randint(-3, 3)))
    sentences = [rng.choice(outlet.sentences) for _ in range(n_sentences)]
    if frame.flattened:
        content = [" ".join(sentences)]
    else:
        content, position = [], 0
        while position < len(sentences):
            size = rng.randint(2, 4)
            content.append(" ".join(sentences[position : position + size]))
            position += size
    return "\n\n".join([*frame.head, *content, *frame.tail]) + "\n"


def generate_real_corpus(out_dir: Path, n_articles: int, source_dir: Path = DEFAULT_SOURCE, seed: int = 0) -> RealCorpusSummary:
    """Write `n_articles` files under `out_dir/<outlet>/`; outlets in proportion to their article counts."""
    started = perf_counter()
    rng = random.Random(seed)
    outlets = load_outlets(source_dir)
    weights = [len(outlet.frames) for outlet in outlets]
    n_bytes = 0
    made_folders: set[str] = set()
    for number, outlet in enumerate(rng.choices(outlets, weights=weights, k=n_articles)):
        if outlet.name not in made_folders:
            (out_dir / outlet.name).mkdir(parents=True, exist_ok=True)
            made_folders.add(outlet.name)
        raw = make_article(outlet, rng).encode("utf-8", errors="surrogateescape")
        (out_dir / outlet.name / f"{number:07d}.txt").write_bytes(raw)
        n_bytes += len(raw)
    return RealCorpusSummary(
        n_files=n_articles,
        n_bytes=n_bytes,
        n_source_articles=sum(weights),
        n_outlets=len(outlets),
        source=str(source_dir),
        seconds=round(perf_counter() - started, 2),
    )


def main(argv: list[str] | None = None) -> int:
    """Generate a real-text corpus into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="real-news folder (env KABAR_REALNEWS_DIR)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    summary = generate_real_corpus(args.out_dir, args.articles, args.source, args.seed)
    print(summary.as_dict(), file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
