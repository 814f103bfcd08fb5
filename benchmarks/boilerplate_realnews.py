"""Boilerplate removal scored on real scraped news against the line-level gold in `tests/data/realnews_gold/`.

The gold holds ids, line hashes and labels only (format: that folder's README); the text is read from
`KABAR_REALNEWS_DIR` (default `/tmp/realnews`) and every labelled line's hash is checked first.

A system is scored by the body it keeps. The raw article and the body are cut into tokens (word runs, split
where a lower-case letter meets a capital, digit runs, single marks), the body's tokens are aligned to the raw
article's (`difflib`, no junk heuristic), and every raw character of an unaligned token counts as removed.
Characters are scored when they are not whitespace, not on a `T` line and not in a `~` part: furniture = a
`B` line or a `-` part; content = the rest. precision / recall / F1 of furniture removed, and `kept` = content
characters kept / all content characters. The same alignment serves Kabar's bodies (from `clean` or read back
from the warehouse after `kabar ingest`) and the baselines, so they are measured alike.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

GOLD_DIR = Path(__file__).parents[1] / "tests" / "data" / "realnews_gold"
DEFAULT_REALNEWS_DIR = Path("/tmp/realnews")

# Word runs split where a lower-case letter meets a capital (`JugaJudul`), digit runs, single marks.
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[^\W\d_]+|\S")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def realnews_dir() -> Path:
    return Path(os.environ.get("KABAR_REALNEWS_DIR", DEFAULT_REALNEWS_DIR))


@dataclass
class GoldArticle:
    """One labelled article: its raw lines and, per line, a label per character (`C`, `B` or None: not scored)."""

    path: str
    article_id: str
    split: str
    labeler: str
    text: str
    char_labels: list[list[str | None]]  # per raw line


def load_gold(gold_dir: Path = GOLD_DIR, corpus: Path | None = None) -> list[GoldArticle]:
    """Every gold article whose file is present and whose line hashes match; raises on a mismatch."""
    corpus = corpus or realnews_dir()
    articles = []
    for gold_file in sorted(gold_dir.glob("bp_gold_*.jsonl")):
        for row in map(json.loads, gold_file.open(encoding="utf-8")):
            path = corpus / row["path"]
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != row["file_sha256"]:
                raise ValueError(f"{row['path']}: file hash differs from the gold's")
            text = data.decode("utf-8")
            lines = text.split("\n")
            labels: list[list[str | None]] = [[None] * len(line) for line in lines]
            for line_no, line_sha, label, parts in row["lines"]:
                line = lines[line_no - 1]
                if hashlib.sha1(line.encode("utf-8")).hexdigest()[:12] != line_sha:
                    raise ValueError(f"{row['path']}:{line_no}: line hash differs from the gold's")
                if label == "T":
                    continue
                chars = ["B" if label == "B" else "C"] * len(line)
                for start, end, kind in parts:
                    chars[start:end] = ["B" if kind == "-" else None] * (end - start)
                labels[line_no - 1] = [None if c.isspace() or c in _INVISIBLE_CHARS else lab for c, lab in zip(line, chars)]
            articles.append(GoldArticle(row["path"], row["article_id"], row["split"], row["labeler"], text, labels))
    return articles


def labelled_bodies(path: Path, corpus: Path | None = None) -> dict[str, str]:
    """Bodies a second labeller's labels keep (B lines and `-` parts dropped), by gold path: the human ceiling."""
    corpus = corpus or realnews_dir()
    bodies = {}
    for row in map(json.loads, path.open(encoding="utf-8")):
        lines = (corpus / row["path"]).read_bytes().decode("utf-8").split("\n")
        labels = {line_no: (label, parts) for line_no, _, label, parts in row["lines"]}
        kept = []
        for line_no, line in enumerate(lines, start=1):
            label, parts = labels.get(line_no, ("C", []))
            if label == "B":
                continue
            position, pieces = 0, []
            for start, end, kind in parts:
                if kind == "-":
                    pieces.append(line[position:start])
                    position = end
            pieces.append(line[position:])
            kept.append(" ".join(pieces))
        bodies[row["path"]] = "\n".join(kept)
    return bodies


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) per token; keys are NFC with invisible characters dropped, as the normaliser does."""
    found = []
    for match in _TOKEN.finditer(text):
        key = match.group()
        if not key.isascii():
            key = _INVISIBLE.sub("", unicodedata.normalize("NFC", key))
            if not key:
                continue
        found.append((match.start(), match.end(), key))
    return found


def removed_mask(raw: str, body: str | None) -> list[bool]:
    """Per raw character: True when it is not in `body` (alignment of tokens, see the module docstring)."""
    mask = [True] * len(raw)
    if not body:
        return mask
    raw_tokens, body_tokens = _tokens(raw), _tokens(body)
    matcher = SequenceMatcher(None, [t[2] for t in raw_tokens], [t[2] for t in body_tokens], autojunk=False)
    for a, _, size in matcher.get_matching_blocks():
        for start, end, _ in raw_tokens[a : a + size]:
            mask[start:end] = [False] * (end - start)
    return mask


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    content: int = 0
    articles: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.content += other.content
        self.articles += other.articles

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kept(self) -> float:
        return 1 - self.fp / self.content if self.content else 1.0


def score_article(article: GoldArticle, body: str | None) -> Score:
    """Character counts of one article's removal against its gold."""
    mask = removed_mask(article.text, body)
    score = Score(articles=1)
    position = 0
    for line, labels in zip(article.text.split("\n"), article.char_labels):
        for offset, label in enumerate(labels):
            if label is None:
                continue
            removed = mask[position + offset]
            if label == "B":
                score.tp += removed
                score.fn += not removed
            else:
                score.content += 1
                score.fp += removed
        position += len(line) + 1
    return score


def score_split(articles: list[GoldArticle], bodies: dict[str, str | None]) -> Score:
    """Summed counts over articles; `bodies` by gold path (a missing article counts as all removed)."""
    total = Score()
    for article in articles:
        total.add(score_article(article, bodies.get(article.path)))
    return total


# ------------------------------------------------------------------ baselines

KEYWORDS = (
    "baca juga",
    "simak juga",
    "lihat juga",
    "simak video",
    "baca selengkapnya",
    "advertisement",
    "scroll to continue",
    "gambas",
    "foto:",
    "editor:",
    "penulis:",
    "pewarta:",
    "reporter:",
    "laporan wartawan",
    "artikel ini telah tayang",
    "google news",
    "whatsapp channel",
    "telegram",
    "dapatkan update",
    "tags:",
    "topik:",
    "halaman",
    "selanjutnya",
    "pilihan editor",
    "previous post",
    "next post",
    "disclaimer",
    "bagikan",
    "share",
)


def keyword_body(text: str) -> str:
    """The keyword-list baseline: every line holding a furniture keyword goes."""
    return "\n".join(line for line in text.split("\n") if not any(k in line.lower() for k in KEYWORDS))


def justext_body(text: str) -> str:
    """jusText with its Indonesian stoplist, one `<p>` per non-blank line; the paragraphs it keeps."""
    import justext

    lines = [line for line in text.split("\n") if line.strip()]
    page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>"
    paragraphs = justext.justext(page.encode("utf-8"), justext.get_stoplist("Indonesian"), encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


# ------------------------------------------------------------------ systems


def corpus_documents(corpus: Path, paths: list[str] | None = None):
    """`article_id` (= relative path), normalised `text`, `outlet_hint` (top folder) for files of the corpus."""
    import polars as pl

    from transforms.normalise import normalise_documents

    if paths is None:
        paths = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*.txt"))
    rows = [(p, (corpus / p).read_bytes().decode("utf-8", "replace"), p.split("/")[0] if "/" in p else None) for p in paths]
    frame = pl.DataFrame(rows, schema={"article_id": pl.String, "text": pl.String, "outlet_hint": pl.String}, orient="row")
    return normalise_documents(frame)


def kabar_bodies(documents, rules, furniture) -> dict[str, str]:
    """Bodies from `boilerplate.clean` (pass 2) with the given furniture snapshot."""
    from transforms import boilerplate

    clean, _ = boilerplate.clean(documents, rules, furniture)
    return dict(zip(clean["article_id"].to_list(), clean["body"].to_list()))


def ingest_bodies(input_dir: Path, workdir: Path, workers: int = 1) -> tuple[dict[str, str], dict]:
    """Run `kabar ingest` (a real flow run) on `input_dir` into a fresh DuckDB; bodies by path relative to it."""
    import subprocess
    import sys

    import duckdb

    db = workdir / "realnews.duckdb"
    command = [sys.executable, "-m", "flows.cli", "ingest", str(input_dir), "--db", str(db), "--workers", str(workers), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if not db.exists():
        raise RuntimeError(f"kabar ingest failed ({result.returncode}): {result.stderr[-2000:]}")
    summary = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    root = str(input_dir.resolve())
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_path, body FROM articles").fetchall()
    return {str(Path(path).resolve().relative_to(root)): body for path, body in rows}, summary
