"""Evaluate and time the entity stage.

    python -m benchmarks.entities            # seed gold, idner dev, alias checks, throughput
    python -m benchmarks.entities --show     # also print every seed mention (gold vs system)

Scores are exact span + type (CoNLL style), per type and overall. idner dev and
the IndoSum throughput corpus live in ../shared and are skipped when absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import polars as pl

from transforms.entities import GAZETTEER_POLICIES, extract_entities, load_entity_resources
from transforms.entities.evaluation import SHORT, conll_spans, predicted_spans, read_idner, score, snap_to_tokens
from transforms.entities.features import FeatureCache, sentence_starts
from transforms.entities.model import BatchTagger

ROOT = Path(__file__).parents[1]
SEED_GOLD = ROOT / "tests" / "data" / "seed_entities_gold.jsonl"
SHARED = ROOT.parent / "shared"

ALIAS_GROUPS = {
    "Kim Jong Un": {"Kim Jong Un", "Kim Jong-un"},
    "North Korea": {"Korea Utara", "Korut", "DPRK", "Republik Rakyat Demokratik Korea", "Republik Demokratik Rakyat Korea"},
    "United Nations": {"PBB", "Perserikatan Bangsa-Bangsa"},
    "UN Security Council": {"DK PBB", "Dewan Keamanan PBB"},
    "United States": {"AS", "Amerika Serikat"},
}
SENTENCE_INITIAL_WORDS = {
    "Namun",
    "Sejak",
    "Menurut",
    "Dalam",
    "Di",
    "Pada",
    "Setelah",
    "Sementara",
    "Melalui",
    "Sebagai",
    "Bersama-sama",
    "Untuk",
    "Dengan",
    "Hal",
    "Tahun",
    "Kedua",
}


def read_seed_gold(path: Path = SEED_GOLD) -> list[dict]:
    """Seed articles with their hand-annotated mentions."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def print_scores(title: str, scores: dict) -> None:
    """One line per type."""
    for typ, (p, r, f, n) in scores.items():
        print(f"{title:15s} {typ:4s} P={p:.3f} R={r:.3f} F1={f:.3f} (gold {n})")


def evaluate_seeds(resources, show: bool) -> None:
    """Seed gold F1, alias groups and sentence-initial words."""
    seeds = read_seed_gold()
    ids = [s["article_id"] for s in seeds]
    bodies = [s["body"] for s in seeds]
    gold = [{(m["start"], m["end"], SHORT[m["type"]]) for m in s["mentions"]} for s in seeds]
    pred = predicted_spans(ids, bodies, resources)
    print_scores("seeds", score(gold, pred))
    if show:
        for aid, body, g, p in zip(ids, bodies, gold, pred):
            for s in sorted(g | p):
                mark = "  " if s in g and s in p else ("FN" if s in g else "FP")
                if mark != "  ":
                    print(f"  {mark} {aid[:3]} {s[2]} {body[s[0] : s[1]]!r} @{s[0]}")
    mentions, entities = extract_entities(pl.DataFrame({"article_id": ids, "body": bodies}), resources)
    for group, surfaces in ALIAS_GROUPS.items():
        found = mentions.filter(pl.col("surface").is_in(sorted(surfaces)))
        eids = sorted(set(found["entity_id"]))
        status = "ok" if len(eids) == 1 else "FAIL"
        print(f"alias group {group!r}: {found.height} mentions -> entities {eids} {status}")
    bad = mentions.filter(pl.col("surface").is_in(sorted(SENTENCE_INITIAL_WORDS)))
    print(f"sentence-initial function words as entities: {bad.height}")
    offsets_ok = all(
        body[s:e] == surf
        for body, s, e, surf in zip(
            mentions.join(pl.DataFrame({"article_id": ids, "body": bodies}), on="article_id")["body"],
            mentions["start_char"],
            mentions["end_char"],
            mentions["surface"],
        )
    )
    print(f"seed mentions {mentions.height}, entities {entities.height}, offsets exact: {offsets_ok}")


def evaluate_idner(resources) -> None:
    """Stage F1 on idner-news-2k dev (one sentence per article), model-only and with gazetteer names."""
    path = SHARED / "ner" / "idner-news-2k" / "dev.txt"
    if not path.exists():
        print(f"idner dev: skipped ({path} absent)")
        return
    sents = read_idner(path)
    ids = [f"dev{i}" for i in range(len(sents))]
    gold = [g for _, g in sents]
    # The shipped CRF weights alone, each sentence decoded whole on the dataset's own tokens.
    sequences = []
    for text, _ in sents:
        toks = text.split(" ")
        caps = [i for i, t in enumerate(toks) if t[:1].isupper() or t[:1].isdigit()]
        sequences.append((toks, sentence_starts(toks), resources.gazetteer.span_tags(toks, caps)))
    labels = resources.model.labels
    crf = []
    tagger = BatchTagger(resources.model)
    features = FeatureCache(resources.gazetteer.token_types, resources.cap_ratio, resources.lexicon_tags)
    for (text, _), path in zip(sents, tagger.tag(sequences, features)):
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == " "]
        ends = [i for i, ch in enumerate(text) if ch == " "] + [len(text)]
        spans = set()
        for s, e, t in conll_spans([labels[k] for k in path]):
            spans.add((starts[s], ends[e - 1], t))
        crf.append(spans)
    print_scores("idner-dev crf", score(gold, crf))
    for policy in GAZETTEER_POLICIES:
        res = resources if policy == resources.gazetteer_policy else dataclasses.replace(resources, gazetteer_policy=policy)
        label = f"idner-dev {policy}" + (" (stage)" if res is resources else "")
        pred = predicted_spans(ids, [s for s, _ in sents], res)
        pred = [snap_to_tokens(text, p) for (text, _), p in zip(sents, pred)]
        print_scores(label, score(gold, pred))


def measure_throughput(resources, limit: int) -> None:
    """Articles/s and tokens/s of extract_entities on IndoSum bodies, single process, batches of 500."""
    path = SHARED / "corpora" / "indosum-dev" / "articles.jsonl"
    if not path.exists():
        print(f"throughput: skipped ({path} absent)")
        return
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")][:limit]
    frame = pl.DataFrame({"article_id": [str(i) for i in range(len(texts))], "body": texts})
    half = frame.height // 2

    def timed(part: pl.DataFrame, label: str) -> None:
        n_tokens = sum(len(t.split()) for t in part["body"])
        n_chars = sum(len(t) for t in part["body"])
        t0 = time.perf_counter()
        c0 = time.process_time()
        for k in range(0, part.height, 500):
            extract_entities(part.slice(k, 500), resources)
        dt = time.perf_counter() - t0
        cpu = time.process_time() - c0
        print(
            f"throughput {label}: {part.height} articles ({n_chars / part.height / 1000:.1f} KB, "
            f"{n_tokens / part.height:.0f} whitespace tokens avg)\n"
            f"    wall {dt:.2f}s = {part.height / dt:,.0f} articles/s, {n_tokens / dt:,.0f} tokens/s; "
            f"CPU {cpu:.2f}s = {part.height / cpu:,.0f} articles/CPU-s, {n_tokens / cpu:,.0f} tokens/CPU-s"
        )

    resources.clear_caches()
    timed(frame, "cold start, every article once")
    resources.clear_caches()
    extract_entities(frame.head(half), resources)
    timed(frame.slice(half), "steady state, unseen articles after a warm-up on the other half")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--limit", type=int, default=3463, help="IndoSum articles to time")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    resources = load_entity_resources()
    print(f"resources loaded in {time.perf_counter() - t0:.2f}s: {len(resources.gazetteer.entries)} gazetteer entities")
    evaluate_seeds(resources, args.show)
    evaluate_idner(resources)
    measure_throughput(resources, args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
