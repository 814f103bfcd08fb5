"""Events on real scraped news: the gold in tests/data/events_real/ scored against the whole pipeline.

Texts are read from KABAR_REALNEWS_DIR (default /tmp/realnews) by relative path; each file's sha256 must
equal the gold's (a changed file is reported and left out). The gold holds ids, hashes, codes and actor
names only. Each article goes through the real transforms (decode, normalise, boilerplate rules, metadata,
section, entities, events) via transforms.pipeline.transform_batch; an event is correct when its root
code, actor 1 and actor 2 all match a gold row of the article (any accepted name of the actor, or of the
entity the system resolved; symmetric codes in either order). Negated gold rows and negated system
events are left out of precision and recall (the guideline's convention). Tune on dev; test is only read
to report (`-v` lists dev errors only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms import pipeline, section
from transforms.events import EventParams, extract_events

GOLD_DIR = Path(__file__).parents[1] / "tests" / "data" / "events_real"
SOFT_SECTIONS = ("sports", "entertainment", "lifestyle")  # the gold's sections whose triggers tempt but are no events


def corpus_dir() -> Path:
    """Where the real articles are: KABAR_REALNEWS_DIR, default /tmp/realnews."""
    return Path(os.environ.get("KABAR_REALNEWS_DIR", "/tmp/realnews"))


@dataclass(frozen=True)
class RealGold:
    """One gold event of a real article."""

    article_id: str
    root_code: str
    actor1: frozenset[str]
    actor2: frozenset[str]
    negated: bool
    line: str


def read_gold(norm) -> tuple[list[dict], list[RealGold]]:
    """(articles.jsonl rows, events.tsv rows) of the real-news gold."""
    articles = [json.loads(line) for line in open(GOLD_DIR / "articles.jsonl", encoding="utf-8") if line.strip()]
    events = []
    for line in (GOLD_DIR / "events.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("article_id\t"):
            continue
        article_id, code, actor1, actor2, negated, *_ = (line.split("\t") + [""] * 7)[:7]
        events.append(
            RealGold(
                article_id,
                code[:2],
                frozenset(norm(a) for a in actor1.split("|") if a.strip()),
                frozenset(norm(a) for a in actor2.split("|") if a.strip()),
                negated.strip() == "1",
                line,
            )
        )
    return articles, events


def read_documents(articles: list[dict]) -> tuple[pl.DataFrame, list[str]]:
    """(documents frame as the flow builds it, paths whose bytes are missing or changed)."""
    root = corpus_dir()
    rows, bad = [], []
    for article in articles:
        path = root / article["path"]
        if not path.exists():
            bad.append(f"{article['path']} (missing)")
            continue
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != article["file_sha256"]:
            bad.append(f"{article['path']} (sha256 differs)")
            continue
        rows.append((article["article_id"], str(path), digest, raw, article["path"].split("/")[0]))
    documents = pl.DataFrame(
        rows,
        schema={
            "article_id": pl.String,
            "source_path": pl.String,
            "source_sha256": pl.String,
            "raw_bytes": pl.Binary,
            "outlet_hint": pl.String,
        },
        orient="row",
    )
    return documents, bad


def run_pipeline(documents: pl.DataFrame, params: EventParams) -> tuple[pipeline.BatchResult, dict[str, set[str]]]:
    """The batch result for the gold articles and every name each entity goes by."""
    transform = pipeline.TransformParams(run_id="benchmark", ingested_at=dt.datetime(2026, 1, 1), events=params)
    result = pipeline.transform_batch(documents, transform)
    names: dict[str, set[str]] = {}
    for entity_id, name, aliases in result.entities.select("entity_id", "name", "aliases").iter_rows():
        names.setdefault(entity_id, set()).update([name, *(aliases or [])])
    for entity_id, surface in result.entity_mentions.select("entity_id", "surface").iter_rows():
        names.setdefault(entity_id, set()).add(surface)
    return result, names


def evaluate(params: EventParams, norm, symmetric_codes: set[str], verbose: bool) -> dict:
    """Precision / recall per split, events per soft article, and the gold's coverage."""
    articles, gold = read_gold(norm)
    documents, bad = read_documents(articles)
    result, raw_names = run_pipeline(documents, params)
    names = {entity_id: {norm(n) for n in values} for entity_id, values in raw_names.items()}
    split = {a["article_id"]: a["split"] for a in articles}
    kind = {a["article_id"]: a["section"] for a in articles}
    predicted_section = dict(result.articles.select("article_id", "section").iter_rows())
    coded = (
        result.event_mentions.select("event_id", "article_id", "trigger", "sentence")
        .join(result.events, on="event_id")
        .unique(subset=["event_id", "article_id"], keep="first", maintain_order=True)
    )
    system = [row for row in coded.iter_rows(named=True) if not row["is_negated"]]
    positives = [g for g in gold if not g.negated]

    def matches(s: dict, g: RealGold, loose: bool = False) -> bool:
        if s["article_id"] != g.article_id or s["root_code"] != g.root_code:
            return False
        a1 = names.get(s["actor1_entity_id"], set())
        a2 = names.get(s["actor2_entity_id"], set()) if s["actor2_entity_id"] else set()

        def same(system_names: set[str], gold_names: frozenset[str]) -> bool:
            if not gold_names:
                return not system_names
            if system_names & gold_names:
                return True
            # loose: the recogniser's span carries extra words around a gold name (`Prabowo Subianto Senin`)
            return loose and any(f" {g} " in f" {n} " for g in gold_names for n in system_names)

        if same(a1, g.actor1) and same(a2, g.actor2):
            return True
        return s["event_code"] in symmetric_codes and same(a1, g.actor2) and same(a2, g.actor1)

    figures = {"bad_files": bad, "articles": len(documents)}
    for loose in (False, True):
        hits = [any(matches(s, g, loose) for g in positives) for s in system]
        found = [any(matches(s, g, loose) for s in system) for g in positives]
        by_split = split_figures(
            ("dev", "test"), lambda a, name: split.get(a) == name, system, positives, hits, found, documents["article_id"]
        )
        figures.update({("loose-" if loose else "") + name: value for name, value in by_split.items()})
    soft = [a for a in documents["article_id"].to_list() if kind.get(a) in SOFT_SECTIONS]
    figures["soft_articles"] = len(soft)
    figures["soft_events"] = sum(1 for s in system if s["article_id"] in set(soft))
    hard = [a for a in documents["article_id"].to_list() if kind.get(a) not in SOFT_SECTIONS]
    figures["hard_read_as_soft"] = sum(predicted_section.get(a) not in section.HARD_SECTIONS for a in hard)
    figures["hard_articles"] = len(hard)
    figures["soft_read_as_hard"] = sum(predicted_section.get(a) in section.HARD_SECTIONS for a in soft)
    hits = [any(matches(s, g) for g in positives) for s in system]
    found = [any(matches(s, g) for s in system) for g in positives]
    if verbose:  # dev only: the test split is read to report, never to tune
        for s, ok in zip(system, hits):
            if split.get(s["article_id"]) == "dev":
                a1 = sorted(names.get(s["actor1_entity_id"], {"?"}))[:2]
                a2 = sorted(names.get(s["actor2_entity_id"], {"-"}))[:2] if s["actor2_entity_id"] else ["-"]
                print(
                    f"  {'TP' if ok else 'FP'} {s['article_id']} {s['event_code']} {a1} -> {a2} conf {s['confidence']:.2f} | {s['trigger']!r}"
                )
        for g, ok in zip(positives, found):
            if not ok and split.get(g.article_id) == "dev":
                print(f"  FN [{predicted_section.get(g.article_id)}] {g.line[:150]}")
    return figures


def split_figures(
    names: tuple[str, ...], member, system: list, positives: list, hits: list, found: list, article_ids
) -> dict[str, dict]:
    """Precision and recall per split; `member(article_id, name)` says whether an article counts in a split."""
    figures = {}
    for name in names:
        keep_s = [i for i, s in enumerate(system) if member(s["article_id"], name)]
        keep_g = [i for i, g in enumerate(positives) if member(g.article_id, name)]
        n_correct, n_found = sum(hits[i] for i in keep_s), sum(found[i] for i in keep_g)
        figures[name] = {
            "articles": len({a for a in article_ids if member(a, name)}),
            "system": len(keep_s),
            "correct": n_correct,
            "gold": len(keep_g),
            "found": n_found,
            "precision": n_correct / len(keep_s) if keep_s else 0.0,
            "recall": n_found / len(keep_g) if keep_g else 0.0,
        }
    return figures


def measure_cost(limit: int | None = None) -> tuple[int, float, float, float]:
    """(articles, section ms, events-stage ms with the ranker, ms with rules only) per real article, CPU time.

    The bodies are the corpus files' text (normalised, not boilerplate-cleaned); entity mentions are computed
    first and not timed. Run with POLARS_MAX_THREADS=1 (the benchmark sets it) for a one-core figure.
    """
    from transforms.entities import extract_entities, load_entity_resources
    from transforms.events import load_triggers

    paths = sorted(corpus_dir().glob("*/*.txt"))[:limit]
    frame = pl.DataFrame(
        {
            "article_id": [str(i) for i in range(len(paths))],
            "body": [p.read_text(encoding="utf-8", errors="replace") for p in paths],
            "published_date": [dt.date(2025, 1, 1)] * len(paths),
            "dateline": [None] * len(paths),
        },
        schema_overrides={"published_date": pl.Date, "dateline": pl.String},
    )
    model = section.load_section_model()
    mentions, entities = extract_entities(frame.select("article_id", "body"), load_entity_resources())
    mentions = mentions.join(entities.select("entity_id", "subtype"), on="entity_id", how="left")
    triggers = load_triggers()
    section.classify_sections(frame.head(50), model)
    extract_events(frame.head(50), mentions, triggers)

    def best_of_three(run) -> float:
        timings = []
        for _ in range(3):
            start = time.process_time()
            run()
            timings.append(time.process_time() - start)
        return 1000 * min(timings) / len(paths)

    section_ms = best_of_three(lambda: section.classify_sections(frame.select("article_id", "body"), model))
    sections = section.classify_sections(frame.select("article_id", "body"), model).select("article_id", "section")
    with_section = frame.join(sections, on="article_id", maintain_order="left")
    events_ms = best_of_three(lambda: extract_events(with_section, mentions, triggers))
    rules_ms = best_of_three(lambda: extract_events(with_section, mentions, triggers, EventParams(role_policy="rules")))
    return len(paths), section_ms, events_ms, rules_ms
