"""Scoring recognised spans against gold: read CoNLL data, score per type, snap spans to dataset tokens.

Shared by the tests and `benchmarks/entities.py` / `benchmarks/train_ner.py`, so neither imports the other.
"""

from __future__ import annotations

import bisect
from pathlib import Path

import polars as pl

from transforms.entities.link import extract_entities
from transforms.entities.resources import EntityResources

SHORT = {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}


def conll_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Exact (start, end, type) spans of a BIO sequence; a stray I- opens a span."""
    spans = set()
    start, typ = None, None
    for i, t in enumerate(tags + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if start is not None:
                spans.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return spans


def read_idner(path: Path) -> list[tuple[str, set[tuple[int, int, str]]]]:
    """CoNLL sentences as space-joined text with gold character spans."""
    out = []
    toks: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.strip().split()
        if parts:
            toks.append(parts[0])
            tags.append(parts[-1])
            continue
        if not toks:
            continue
        offsets = []
        pos = 0
        for t in toks:
            offsets.append((pos, pos + len(t)))
            pos += len(t) + 1
        spans = {(offsets[s][0], offsets[e - 1][1], typ) for s, e, typ in conll_spans(tags)}
        out.append((" ".join(toks), spans))
        toks, tags = [], []
    return out


def score(
    gold: list[set], pred: list[set], types: tuple[str, ...] | None = ("PER", "LOC", "ORG")
) -> dict[str, tuple[float, float, float, int]]:
    """Precision, recall, F1 and gold support per type and overall (`types=None`: every type either side has)."""
    if types is None:
        types = tuple(sorted({s[2] for g in gold for s in g} | {s[2] for p in pred for s in p}))
    out = {}
    for typ in (*types, "ALL"):
        tp = fp = fn = 0
        for g, p in zip(gold, pred):
            gs = {s for s in g if typ == "ALL" or s[2] == typ}
            ps = {s for s in p if typ == "ALL" or s[2] == typ}
            tp += len(gs & ps)
            fp += len(ps - gs)
            fn += len(gs - ps)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        out[typ] = (pr, rc, 2 * pr * rc / (pr + rc) if pr + rc else 0.0, tp + fn)
    return out


def predicted_spans(ids: list[str], bodies: list[str], resources: EntityResources) -> list[set]:
    """System mentions per article as (start, end, short type)."""
    mentions, _ = extract_entities(pl.DataFrame({"article_id": ids, "body": bodies}), resources)
    by_article: dict[str, set] = {i: set() for i in ids}
    for row in mentions.iter_rows(named=True):
        by_article[row["article_id"]].add((row["start_char"], row["end_char"], SHORT[row["type"]]))
    return [by_article[i] for i in ids]


def snap_to_tokens(text: str, spans: set) -> set:
    """Widen character spans to whole dataset tokens (space-separated), CoNLL style."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == " "]
    ends = [i for i, ch in enumerate(text) if ch == " "] + [len(text)]
    out = set()
    for s, e, t in spans:
        k = bisect.bisect_right(starts, s) - 1
        j = bisect.bisect_left(ends, e)
        out.add((starts[k], ends[j], t))
    return out
