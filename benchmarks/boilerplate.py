"""Boilerplate removal quality and speed: Kabar vs a keyword list vs jusText on the labelled evaluation set.

`python -m benchmarks.boilerplate [--eval PATH] [--repeat N]`
`python -m benchmarks.boilerplate --realnews [--ingest gold|corpus] [--speed]`

Real-news mode (`--realnews`): the line-level gold on real scraped articles (`tests/data/realnews_gold/`,
text read from `KABAR_REALNEWS_DIR`), scored as `benchmarks.boilerplate_realnews` describes, for the dev
and held-out splits. Rows: `kabar (gold only)` = `count_lines` → `furniture_of` → `clean` over the 220
gold articles alone (a first run that sees nothing else); `kabar (corpus)` = the same with furniture
learned from the whole corpus; `--ingest gold` / `--ingest corpus` add the bodies read back from the
`articles` table after a real `kabar ingest` of the gold articles alone / of the whole corpus;
`keywords` and `justext` as below. `--speed` times `clean` (pass 2) and `count_lines` (pass 1) over
the whole corpus, CPU ms per article.

Evaluation-set mode (default):
Scores (per split and overall) are over the non-whitespace characters of the
input text, labelled `content` or `boilerplate` (`meta` text — bylines, titles,
date lines that move into metadata — is neutral and not scored):
precision = removed boilerplate chars / all removed chars, recall = removed
boilerplate chars / all boilerplate chars, F1 their harmonic mean, and
`kept` = content chars kept / all content chars. The same figures per line
(a line counts as boilerplate when most of its scored chars are; as removed
when at least half of them were removed) are printed as well.

Rows: `kabar` = rules only with an empty learned table; `kabar+learned` = the
same after the learner has seen the (unlabelled) articles of the set, i.e.
`clean_and_learn` on the whole set; `keywords` = whole lines holding a
furniture keyword; `justext` = jusText with its Indonesian stoplist, one `<p>`
per line.
"""

from __future__ import annotations

import argparse
import html
import json
import time
from collections import defaultdict
from pathlib import Path

import polars as pl

from benchmarks.boilerplate_realnews import KEYWORDS  # the keyword-list baseline, one list for both evaluations
from transforms.boilerplate import clean_and_learn, clean_articles, load_rules

EVAL_PATH = Path(__file__).parents[1] / "tests" / "data" / "boilerplate_eval" / "eval.jsonl"


def load_eval(path: Path) -> list[dict]:
    """The labelled articles; each line is a list of [label, text] segments."""
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def article_text(record: dict) -> str:
    return "\n".join("".join(text for _, text in line) for line in record["lines"])


def char_labels(line: list) -> list[str]:
    labels = []
    for label, text in line:
        labels.extend(label for _ in text)
    return labels


# ------------------------------------------------------------------ predictions: per line, a removed-char mask


def kabar_masks(records: list[dict], removed: pl.DataFrame) -> dict[tuple[str, int], list[bool]]:
    """Removed-char masks per (article, line index) from Kabar's removed_lines audit."""
    texts = {r["id"]: [("".join(t for _, t in line)) for line in r["lines"]] for r in records}
    masks: dict[tuple[str, int], list[bool]] = {}
    cursor: dict[tuple[str, int], int] = defaultdict(int)
    for article_id, line_no, text, kind in removed.select("article_id", "line_no", "text", "kind").iter_rows():
        line = texts[article_id][line_no - 1]
        key = (article_id, line_no - 1)
        mask = masks.setdefault(key, [False] * len(line))
        if kind == "line":
            masks[key] = [True] * len(line)
            continue
        start = line.find(text, cursor[key])
        if start < 0:
            start = line.find(text)
        if start >= 0:
            for i in range(start, start + len(text)):
                mask[i] = True
            cursor[key] = start + len(text)
    return masks


def keyword_masks(records: list[dict]) -> dict[tuple[str, int], list[bool]]:
    masks = {}
    for record in records:
        for i, line in enumerate(record["lines"]):
            text = "".join(t for _, t in line)
            lowered = text.lower()
            if text and any(k in lowered for k in KEYWORDS):
                masks[(record["id"], i)] = [True] * len(text)
    return masks


def justext_masks(records: list[dict]) -> dict[tuple[str, int], list[bool]]:
    import justext

    stoplist = justext.get_stoplist("Indonesian")
    masks = {}
    for record in records:
        lines = ["".join(t for _, t in line) for line in record["lines"]]
        indices = [i for i, text in enumerate(lines) if text.strip()]
        page = "<html><body>" + "".join(f"<p>{html.escape(lines[i])}</p>" for i in indices) + "</body></html>"
        paragraphs = justext.justext(page.encode("utf-8"), stoplist, encoding="utf-8")
        by_text = defaultdict(list)
        for paragraph in paragraphs:
            by_text[" ".join(paragraph.text.split())].append(paragraph.is_boilerplate)
        for i in indices:
            verdicts = by_text.get(" ".join(lines[i].split()))
            boilerplate = verdicts.pop(0) if verdicts else True  # a paragraph jusText dropped counts as removed
            if boilerplate:
                masks[(record["id"], i)] = [True] * len(lines[i])
    return masks


# ------------------------------------------------------------------ scoring


def score(records: list[dict], masks: dict[tuple[str, int], list[bool]]) -> dict[str, float]:
    """Char- and line-level precision, recall, F1 of boilerplate removal, and the share of content chars kept."""
    tp = fp = fn = content = 0
    line_tp = line_fp = line_fn = line_content = line_content_lost = 0
    for record in records:
        for i, line in enumerate(record["lines"]):
            labels = char_labels(line)
            text = "".join(t for _, t in line)
            mask = masks.get((record["id"], i), [False] * len(text))
            counts = defaultdict(int)
            for char, label, removed in zip(text, labels, mask):
                if char.isspace() or label == "meta":
                    continue
                counts[(label, removed)] += 1
            tp += counts[("boilerplate", True)]
            fn += counts[("boilerplate", False)]
            fp += counts[("content", True)]
            content += counts[("content", True)] + counts[("content", False)]
            scored = sum(counts.values())
            if not scored:
                continue
            is_boilerplate = counts[("boilerplate", True)] + counts[("boilerplate", False)] > scored / 2
            is_removed = counts[("boilerplate", True)] + counts[("content", True)] >= scored / 2
            line_tp += is_boilerplate and is_removed
            line_fp += (not is_boilerplate) and is_removed
            line_fn += is_boilerplate and not is_removed
            line_content += not is_boilerplate
            line_content_lost += (not is_boilerplate) and is_removed
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    line_p = line_tp / (line_tp + line_fp) if line_tp + line_fp else 0.0
    line_r = line_tp / (line_tp + line_fn) if line_tp + line_fn else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "kept": 1 - fp / content if content else 1.0,
        "line_precision": line_p,
        "line_recall": line_r,
        "line_f1": _f1(line_p, line_r),
        "line_kept": 1 - line_content_lost / line_content if line_content else 1.0,
    }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def metadata_accuracy(records: list[dict], clean: pl.DataFrame) -> dict[str, float]:
    """Share of labelled articles whose extracted field equals the expected one (None included)."""
    predicted = {row["article_id"]: row for row in clean.iter_rows(named=True)}
    hits, total = defaultdict(int), 0
    for record in records:
        if not record.get("meta"):
            continue
        total += 1
        for field, expected in record["meta"].items():
            hits[field] += predicted[record["id"]][field] == expected
    return {field: hits[field] / total for field in hits} if total else {}


def seed_check(records: list[dict], masks: dict) -> tuple[int, int]:
    """(content chars lost, boilerplate lines kept) on the five seeds."""
    lost = kept = 0
    for record in records:
        if record["origin"] != "seed":
            continue
        for i, line in enumerate(record["lines"]):
            text = "".join(t for _, t in line)
            mask = masks.get((record["id"], i), [False] * len(text))
            labels = char_labels(line)
            lost += sum(1 for c, label, m in zip(text, labels, mask) if m and label == "content" and not c.isspace())
            if any(label == "boilerplate" for label, _ in line) and not all(
                m for c, label, m in zip(text, labels, mask) if label == "boilerplate"
            ):
                kept += 1
    return lost, kept


def frame(records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": [r["id"] for r in records],
            "text": [article_text(r) for r in records],
            "outlet_hint": [r.get("outlet_hint") for r in records],
        },
        schema={"article_id": pl.String, "text": pl.String, "outlet_hint": pl.String},
    )


def realnews_main(ingest: list[str], speed: bool, workers: int, split_names: list[str]) -> None:
    """Score the real-news gold: direct `clean`, optionally through `kabar ingest`, and the baselines."""
    import tempfile

    from benchmarks import boilerplate_realnews as rn
    from transforms import boilerplate

    corpus = rn.realnews_dir()
    if not corpus.is_dir():
        raise SystemExit(f"real-news corpus not found at {corpus} (set KABAR_REALNEWS_DIR)")
    gold = rn.load_gold(corpus=corpus)
    splits = {split: [a for a in gold if a.split == split] for split in split_names}
    rules = load_rules()
    gold_docs = rn.corpus_documents(corpus, [a.path for a in gold])
    all_docs = rn.corpus_documents(corpus)
    boilerplate.clean(all_docs.head(50), rules, boilerplate.count_lines(all_docs.head(50), rules))  # warm caches
    clock = time.process_time()
    corpus_furniture = boilerplate.furniture_of(boilerplate.count_lines(all_docs, rules))
    count_cpu = time.process_time() - clock
    systems: dict[str, dict[str, str | None]] = {
        "kabar (gold only)": rn.kabar_bodies(
            gold_docs, rules, boilerplate.furniture_of(boilerplate.count_lines(gold_docs, rules))
        ),
        "kabar (corpus)": rn.kabar_bodies(gold_docs, rules, corpus_furniture),
    }
    for mode in ingest:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            if mode == "gold":
                source = workdir / "articles"
                for article in gold:
                    target = source / article.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes((corpus / article.path).read_bytes())
            else:
                source = corpus
            bodies, summary = rn.ingest_bodies(source, workdir, workers)
            systems[f"ingest ({mode})"] = {a.path: bodies.get(a.path) for a in gold}
            missing = sum(a.path not in bodies for a in gold)
            print(
                f"kabar ingest ({mode}): status {summary.get('status')}, {len(bodies)} articles published, "
                f"{missing} gold articles not in `articles` (scored as all removed)"
            )
    agreement = rn.GOLD_DIR / "agreement_L3.jsonl"
    if agreement.exists():
        # A third labeller's labels of 30 articles, scored like a system against the primary gold: the human ceiling.
        systems["labeller L3 (30)"] = rn.labelled_bodies(agreement, corpus)
    systems["keywords"] = {a.path: rn.keyword_body(a.text) for a in gold}
    systems["justext"] = {a.path: rn.justext_body(a.text) for a in gold}

    n_lines = sum(1 for a in gold for labels in a.char_labels if any(labels))
    print(
        f"real-news gold: {len(gold)} articles ({', '.join(f'{len(v)} {k}' for k, v in splits.items())} scored), "
        f"{n_lines} scored lines; corpus {all_docs.height} articles at {corpus}"
    )
    print("character-level scores over non-whitespace chars; T lines and `~` parts not scored\n")
    header = f"{'split':8} {'system':18} {'precision':>9} {'recall':>7} {'F1':>7} {'kept':>8}"
    print(header)
    print("-" * len(header))
    for split, articles in splits.items():
        for name, bodies in systems.items():
            subset = [a for a in articles if a.path in bodies] if name.startswith("labeller") else articles
            s = rn.score_split(subset, bodies)
            print(f"{split:8} {name:18} {s.precision:9.4f} {s.recall:7.4f} {s.f1:7.4f} {s.kept:8.4f}")
        print()
    if speed:
        texts = all_docs["text"].to_list()
        kb = sum(map(len, texts)) / len(texts) / 1000
        clock = time.process_time()
        boilerplate.clean(all_docs, rules, corpus_furniture)
        clean_cpu = time.process_time() - clock
        n = all_docs.height
        print(
            f"speed over the corpus ({n} articles, mean {kb:.1f} KB): clean (pass 2) {clean_cpu / n * 1000:.3f} ms CPU/article; "
            f"count_lines (pass 1) {count_cpu / n * 1000:.3f} ms CPU/article"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realnews", action="store_true", help="score the real-news gold instead of the evaluation set")
    parser.add_argument(
        "--ingest",
        choices=("gold", "corpus"),
        action="append",
        default=[],
        help="with --realnews: also score bodies read back after `kabar ingest` (repeatable)",
    )
    parser.add_argument("--speed", action="store_true", help="with --realnews: time the cleaner over the whole corpus")
    parser.add_argument("--workers", type=int, default=1, help="with --ingest: worker processes of the flow run")
    parser.add_argument(
        "--splits",
        default="dev",
        help="with --realnews: comma-separated splits to score (dev; add heldout only for the final report)",
    )
    parser.add_argument("--eval", type=Path, default=EVAL_PATH)
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions over the whole set")
    parser.add_argument("--speed-corpus", type=Path, help="also time a JSONL corpus with a `text` field (e.g. IndoSum)")
    args = parser.parse_args()
    if args.realnews:
        realnews_main(args.ingest, args.speed, args.workers, args.splits.split(","))
        return

    records = load_eval(args.eval)
    rules = load_rules()
    articles = frame(records)
    # `kabar`: rules only, an empty learned table (a first run that does not learn).
    clean, removed = clean_articles(articles, rules)
    # `kabar+learned`: the batch also teaches the learner (unsupervised, no labels), as `clean_and_learn` does in a run.
    clean_learned, removed_learned, learned = clean_and_learn(articles, rules)

    systems = {
        "kabar": kabar_masks(records, removed),
        "kabar+learned": kabar_masks(records, removed_learned),
        "keywords": keyword_masks(records),
        "justext": justext_masks(records),
    }
    splits = {
        "dev": [r for r in records if r["split"] == "dev"],
        "heldout": [r for r in records if r["split"] == "heldout"],
        "all": records,
    }
    n_lines = sum(1 for r in records for line in r["lines"] if line)
    print(
        f"evaluation set: {len(records)} articles ({len(splits['dev'])} dev, {len(splits['heldout'])} held-out), {n_lines} non-blank lines"
    )
    print("scores over non-whitespace chars (line-level in brackets); meta text not scored\n")
    header = f"{'split':8} {'system':14} {'precision':>9} {'recall':>7} {'F1':>7} {'kept':>8}   {'line P':>7} {'line R':>7} {'line F1':>7} {'line kept':>9}"
    print(header)
    print("-" * len(header))
    for split, subset in splits.items():
        for name, masks in systems.items():
            s = score(subset, masks)
            print(
                f"{split:8} {name:14} {s['precision']:9.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['kept']:8.4f}   "
                f"{s['line_precision']:7.4f} {s['line_recall']:7.4f} {s['line_f1']:7.4f} {s['line_kept']:9.4f}"
            )
        print()

    lost, kept = seed_check(records, systems["kabar"])
    print(f"seeds: content chars lost {lost}, boilerplate lines kept {kept}")
    for split in ("dev", "heldout"):
        accuracy = metadata_accuracy(splits[split], clean_learned)
        print(f"metadata exact-match ({split}, labelled articles): " + ", ".join(f"{k} {v:.3f}" for k, v in accuracy.items()))

    total_chars = sum(len(t) for t in articles["text"].to_list())
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.repeat):
        clean_articles(articles, rules, learned=learned)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = args.repeat * len(records)
    kb = total_chars / len(records) / 1000
    print(
        f"\nspeed (one process, learned table loaded, mean {kb:.1f} KB/article): "
        f"{n / wall:,.0f} articles/s wall, {n / cpu:,.0f} articles/s CPU; "
        f"{cpu / n * 1e6:.0f} us CPU/article = {cpu / n * 1e6 * 3 / kb:.0f} us per 3 KB"
    )
    if args.speed_corpus:
        texts = [json.loads(line)["text"] for line in args.speed_corpus.open(encoding="utf-8")]
        corpus = pl.DataFrame(
            {"article_id": [str(i) for i in range(len(texts))], "text": texts, "outlet_hint": [None] * len(texts)},
            schema=articles.schema,
        )
        cpu = time.process_time()
        clean_articles(corpus, rules, learned=learned)
        cpu = time.process_time() - cpu
        kb = sum(map(len, texts)) / len(texts) / 1000
        print(
            f"speed on {args.speed_corpus.name} ({len(texts)} articles, mean {kb:.1f} KB): {len(texts) / cpu:,.0f} articles/s CPU; "
            f"{cpu / len(texts) * 1e6:.0f} us CPU/article = {cpu / len(texts) * 1e6 * 3 / kb:.0f} us per 3 KB"
        )


if __name__ == "__main__":
    main()
