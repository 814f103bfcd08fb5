"""Near-duplicate evaluation: planted syndicated/edited copies among distinct Indonesian articles.

Run: python -m benchmarks.dedup [--distinct 5000] [--copies 300] [--seed 7]

Distinct articles come from ../shared/corpora/indosum-dev (real articles plus
recombinations of paragraphs of two different articles, checked to be far from
each other); without ../shared it falls back to the bundled sample (five seeds).
Each planted copy gets edits seen in syndication: another outlet header line, a
dropped sentence, other footer links, whitespace/case noise, paragraph reorder,
and for some several dropped sentences (to show behaviour below the threshold).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from transforms.dedup import (
    DedupParams,
    band_rows,
    bucket_keys,
    find_duplicates,
    minhash_signatures,
    shingle_jaccard,
    word_shingles,
)

ROOT = Path(__file__).resolve().parents[1]
INDOSUM = ROOT.parent / "shared" / "corpora" / "indosum-dev" / "articles.jsonl"
SAMPLE = ROOT / "data" / "sample"
DEDUP_SQL = ROOT / "warehouse" / "sql" / "040_dedup.sql"

OUTLET_HEADERS = [
    "KOMPAS.com -",
    "JAKARTA, detikNews -",
    "Liputan6.com, Jakarta -",
    "TRIBUNNEWS.COM -",
    "Artikel ini telah tayang di Tribunnews.com",
    "REPUBLIKA.CO.ID, JAKARTA --",
    "Okezone.com - Jakarta",
    "SINDOnews.com",
]
FOOTERS = [
    "Baca juga: Harga Emas Antam Hari Ini Naik Rp 5.000",
    "Simak Video: Detik-detik Banjir Rendam Jalan Protokol",
    "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com. Gabung Grup Telegram",
    "Ikuti berita terkini dari kami di Google News, klik di sini.",
    "Editor: Sandro Gatra",
    "(rzy/ega)",
    "Baca Juga: Presiden Tinjau Lokasi Gempa di Cianjur",
    "Artikel ini telah tayang di Okezone.com dengan judul yang sama",
]
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_RE.split(paragraph) if s.strip()]


def load_base_articles() -> tuple[list[str], str]:
    """Real article texts and the name of their source."""
    if INDOSUM.exists():
        texts = [json.loads(line)["text"] for line in INDOSUM.open(encoding="utf-8")]
        return texts, f"indosum-dev ({INDOSUM})"
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))]
    return texts, f"bundled sample ({SAMPLE}); ../shared absent"


def _pairwise_max_jaccard(texts: list[str], params: DedupParams, floor: float) -> list[tuple[int, int, float]]:
    """Pairs whose true shingle Jaccard is >= floor (MinHash prefilter at floor-0.2, exact check)."""
    frame = pl.DataFrame({"article_id": [str(i) for i in range(len(texts))], "body": texts})
    sig = np.frombuffer(b"".join(minhash_signatures(frame, params)["signature"].to_list()), dtype="<u4")
    sig = sig.reshape(len(texts), params.num_perm)
    shingles = [word_shingles(t, params.shingle_words) for t in texts]
    found = []
    chunk = 256
    for start in range(0, len(texts), chunk):
        block = sig[start : start + chunk]
        est = (block[:, None, :] == sig[None, :, :]).mean(axis=2)
        for i, j in zip(*np.nonzero(est >= floor - 0.2)):
            a, b = start + int(i), int(j)
            if a < b:
                jac = shingle_jaccard(shingles[a], shingles[b])
                if jac >= floor:
                    found.append((a, b, jac))
    return found


def build_distinct(base: list[str], target: int, params: DedupParams, rng: random.Random) -> tuple[list[str], dict]:
    """`target` mutually distinct articles: real ones, then paragraph recombinations of two real ones."""
    # Drop real articles that are already near each other (IndoSum has a few re-posts).
    near = _pairwise_max_jaccard(base, params, floor=0.5)
    drop = {b for _, b, _ in near}
    texts = [t for i, t in enumerate(base) if i not in drop and len(_paragraphs(t)) >= 1]
    multi = [t for t in texts if len(_paragraphs(t)) >= 4]
    recombined = 0
    while len(texts) < target and multi:
        a, b = rng.sample(multi, 2)
        pa, pb = _paragraphs(a), _paragraphs(b)
        mixed = pa[0::2] + pb[1::2]
        rng.shuffle(mixed)
        texts.append("\n\n".join(mixed))
        recombined += 1
    texts = texts[:target]
    # Prove distinctness: no pair at or above 0.5 true Jaccard may remain.
    near_after = _pairwise_max_jaccard(texts, params, floor=0.5)
    drop_after = {b for _, b, _ in near_after}
    texts = [t for i, t in enumerate(texts) if i not in drop_after]
    stats = {
        "real_dropped_as_near": len(drop),
        "recombined": recombined,
        "dropped_after_recombination": len(drop_after),
    }
    return texts, stats


def plant_copy(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """A syndicated or lightly edited re-post of `text`, and the edits applied."""
    edits = rng.sample(["header", "drop_sentence", "footer", "noise", "reorder"], k=rng.randint(1, 3))
    if rng.random() < 0.12:
        edits = ["drop_many"] + edits
    if rng.random() < 0.08:
        edits = ["whitespace_only"]
    paragraphs = _paragraphs(text)
    for edit in edits:
        if edit == "header":
            paragraphs.insert(0, rng.choice(OUTLET_HEADERS))
        elif edit == "footer":
            paragraphs += rng.sample(FOOTERS, k=rng.randint(1, 3))
        elif edit in ("drop_sentence", "drop_many"):
            for _ in range(1 if edit == "drop_sentence" else rng.randint(3, 6)):
                candidates = [i for i, p in enumerate(paragraphs) if len(_sentences(p)) >= 1]
                if len(candidates) < 2:
                    break
                i = rng.choice(candidates)
                sentences = _sentences(paragraphs[i])
                sentences.pop(rng.randrange(len(sentences)))
                if sentences:
                    paragraphs[i] = " ".join(sentences)
                else:
                    paragraphs.pop(i)
        elif edit == "reorder" and len(paragraphs) >= 3:
            i, j = rng.sample(range(len(paragraphs)), 2)
            paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
        elif edit == "noise":
            paragraphs = [p.upper() if rng.random() < 0.1 else p for p in paragraphs]
            paragraphs = [re.sub(r" ", "  ", p, count=rng.randint(0, 3)) + rng.choice(["", " ", "\t"]) for p in paragraphs]
    if edits == ["whitespace_only"]:
        return "\r\n\r\n".join(p.replace(" ", "  ", 2) + "  " for p in paragraphs), edits
    return "\n\n".join(paragraphs), edits


def build_stream(
    distinct: list[str], n_copies: int, params: DedupParams, rng: random.Random
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ingest-ordered articles with planted copies after their originals, and the planted truth."""
    order = [(f"d{i:05d}", text) for i, text in enumerate(distinct)]
    rng.shuffle(order)
    truth = []
    for c in range(n_copies):
        pos = rng.randrange(len(order))
        original_id, original = order[pos]
        while original_id.startswith("c"):  # copy an original, not a copy
            pos = rng.randrange(len(order))
            original_id, original = order[pos]
        text, edits = plant_copy(original, rng)
        copy_id = f"c{c:05d}"
        order.insert(rng.randint(pos + 1, len(order)), (copy_id, text))
        truth.append(
            {
                "article_id": copy_id,
                "original_id": original_id,
                "edits": "+".join(edits),
                "true_jaccard": shingle_jaccard(
                    word_shingles(text, params.shingle_words), word_shingles(original, params.shingle_words)
                ),
            }
        )
    stream = pl.DataFrame({"article_id": [a for a, _ in order], "body": [t for _, t in order]}).with_row_index("ingest_order")
    return stream.with_columns(pl.col("ingest_order").cast(pl.Int64)), pl.DataFrame(truth)


def score(duplicates: pl.DataFrame, truth: pl.DataFrame, threshold: float) -> dict:
    """Recall on planted copies (by true Jaccard) and false merges."""
    merged = duplicates.filter(pl.col("duplicate_of").is_not_null()).select("article_id", "duplicate_of")
    judged = truth.join(merged, on="article_id", how="left").with_columns(found=pl.col("duplicate_of") == pl.col("original_id"))
    high = judged.filter(pl.col("true_jaccard") >= threshold)
    low = judged.filter(pl.col("true_jaccard") < threshold)
    planted = set(zip(truth["article_id"], truth["original_id"]))
    false_merges = [(a, d) for a, d in zip(merged["article_id"], merged["duplicate_of"]) if (a, d) not in planted]
    return {
        "copies": truth.height,
        "copies_ge_threshold": high.height,
        "recall_ge_threshold": high["found"].fill_null(False).mean() if high.height else float("nan"),
        "copies_lt_threshold": low.height,
        "recall_lt_threshold": low["found"].fill_null(False).mean() if low.height else float("nan"),
        "false_merges": len(false_merges),
        "false_merge_examples": false_merges[:5],
        "missed_ge_threshold": high.filter(~pl.col("found").fill_null(False))
        .select("article_id", "edits", "true_jaccard")
        .head(5)
        .rows(),
    }


def run_kabar(stream: pl.DataFrame, params: DedupParams) -> tuple[pl.DataFrame, float]:
    """Kabar's dedup over the whole stream in one batch; returns duplicates and seconds."""
    start = time.perf_counter()
    duplicates, _ = find_duplicates(stream, None, params)
    return duplicates, time.perf_counter() - start


def run_two_halves(stream: pl.DataFrame, params: DedupParams) -> tuple[pl.DataFrame, dict]:
    """Dedup in two runs with state carried through DuckDB, as the flow does."""
    con = duckdb.connect()
    con.execute(DEDUP_SQL.read_text())
    con.execute("CREATE TABLE articles (article_id VARCHAR PRIMARY KEY, body VARCHAR)")
    half = stream.height // 2
    first, second = stream.slice(0, half), stream.slice(half)

    duplicates_1, state_1 = find_duplicates(first, None, params)
    bands_1 = band_rows(state_1, params)
    con.register("state_1", state_1.to_arrow())
    con.register("bands_1", bands_1.to_arrow())
    con.register("articles_1", first.select("article_id", "body").to_arrow())
    con.execute("INSERT INTO dedup_signatures SELECT * FROM state_1")
    con.execute("INSERT INTO dedup_bands SELECT * FROM bands_1")
    con.execute("INSERT INTO articles SELECT * FROM articles_1")

    start = time.perf_counter()
    signatures_2 = minhash_signatures(second, params)
    con.register("dedup_batch_keys", bucket_keys(signatures_2).to_arrow())
    con.register("dedup_batch_hashes", signatures_2.select("body_hash").to_arrow())
    prior = pl.from_arrow(
        con.execute(
            """
            SELECT s.*, a.body
            FROM dedup_signatures s LEFT JOIN articles a USING (article_id)
            WHERE s.article_id IN (SELECT b.article_id FROM dedup_bands b
                                   JOIN dedup_batch_keys k USING (band, bucket_hash))
               OR s.body_hash IN (SELECT body_hash FROM dedup_batch_hashes)
            """
        ).arrow()
    )
    lookup_s = time.perf_counter() - start
    duplicates_2, state_2 = find_duplicates(second, prior, params, signatures=signatures_2)
    second_s = time.perf_counter() - start
    info = {
        "state_rows_after_run_1": state_1.height,
        "band_rows_after_run_1": bands_1.height,
        "prior_rows_fetched_for_run_2": prior.height,
        "run_2_lookup_s": lookup_s,
        "run_2_total_s": second_s,
        "run_2_matches_into_run_1": duplicates_2.filter(pl.col("duplicate_of").is_in(first["article_id"].implode())).height,
    }
    return pl.concat([duplicates_1, duplicates_2]), info


def run_datasketch(stream: pl.DataFrame, params: DedupParams, truth: pl.DataFrame, verify: bool) -> tuple[pl.DataFrame, float]:
    """Reference: datasketch MinHash + MinHashLSH(threshold) over the same shingles, earliest match wins."""
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=params.threshold, num_perm=128)
    root: dict[str, str] = {}
    shingles: dict[str, frozenset[str]] = {}
    rank: dict[str, int] = {}
    rows = []
    for i, (aid, body) in enumerate(zip(stream["article_id"], stream["body"])):
        sh = word_shingles(body, params.shingle_words)
        shingles[aid], rank[aid] = sh, i
        mh = MinHash(num_perm=128, seed=1)
        mh.update_batch([s.encode("utf-8") for s in sh])
        duplicate_of = None
        for candidate in sorted(lsh.query(mh), key=rank.__getitem__):
            if not verify or shingle_jaccard(sh, shingles[candidate]) >= params.threshold:
                duplicate_of = root[candidate]
                break
        root[aid] = duplicate_of or aid
        lsh.insert(aid, mh)
        rows.append((aid, duplicate_of))
    seconds = time.perf_counter() - start
    return pl.DataFrame(rows, schema={"article_id": pl.String, "duplicate_of": pl.String}, orient="row"), seconds


def _fmt(result: dict) -> str:
    return (
        f"recall@J>=0.8 {result['recall_ge_threshold']:.4f} ({result['copies_ge_threshold']} copies)  "
        f"recall@J<0.8 {result['recall_lt_threshold']:.4f} ({result['copies_lt_threshold']} copies)  "
        f"false merges {result['false_merges']}"
    )


def main() -> None:
    """Build the planted set, run Kabar (one run and two runs) and datasketch, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=5000)
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shingle-words", type=int, default=DedupParams().shingle_words)
    parser.add_argument("--skip-datasketch", action="store_true")
    args = parser.parse_args()
    params = DedupParams(shingle_words=args.shingle_words)
    rng = random.Random(args.seed)

    base, source = load_base_articles()
    t0 = time.perf_counter()
    distinct, stats = build_distinct(base, args.distinct, params, rng)
    n_copies = min(args.copies, max(1, len(distinct) * 2))
    stream, truth = build_stream(distinct, n_copies, params, rng)
    print(f"source: {source}")
    print(
        f"distinct articles: {len(distinct)} ({stats}); planted copies: {truth.height}; "
        f"stream: {stream.height} articles; params: {params.state_version}, threshold {params.threshold}; "
        f"set built in {time.perf_counter() - t0:.1f}s"
    )
    max_distinct = _pairwise_max_jaccard(distinct, params, floor=0.3)
    top = max((j for _, _, j in max_distinct), default=0.0)
    print(f"distinct set: {len(max_distinct)} pairs with true Jaccard >= 0.3, max {top:.3f}")
    jac = truth["true_jaccard"]
    print(
        f"planted copies true Jaccard: min {jac.min():.3f} median {jac.median():.3f} "
        f"max {jac.max():.3f}; >= 0.8: {(jac >= 0.8).sum()}"
    )

    duplicates, seconds = run_kabar(stream, params)
    kabar = score(duplicates, truth, params.threshold)
    kinds = duplicates.group_by("duplicate_kind").len().sort("duplicate_kind").rows()
    print(f"\nkabar (rensa RMinHash {params.bands}x{params.rows_per_band} LSH + exact Jaccard verify), one run:")
    print(f"  {_fmt(kabar)}")
    print(f"  kinds {kinds}; {stream.height / seconds:,.0f} articles/s ({seconds:.2f}s for {stream.height})")
    if kabar["missed_ge_threshold"]:
        print(f"  missed: {kabar['missed_ge_threshold']}")
    if kabar["false_merges"]:
        print(f"  false merges: {kabar['false_merge_examples']}")

    halves, info = run_two_halves(stream, params)
    two = score(halves, truth, params.threshold)
    same = halves.sort("article_id").equals(duplicates.sort("article_id"))
    print("kabar, two runs (state of run 1 in DuckDB, run 2 fetches colliding prior rows):")
    print(f"  {_fmt(two)}; identical to one run: {same}")
    print(f"  {info}")

    if not args.skip_datasketch:
        for verify in (False, True):
            ds, ds_seconds = run_datasketch(stream, params, truth, verify)
            ref = score(ds, truth, params.threshold)
            label = "datasketch MinHashLSH(0.8, 128 perm)" + (" + exact verify" if verify else ", LSH only")
            print(f"{label}:")
            print(f"  {_fmt(ref)}; {stream.height / ds_seconds:,.0f} articles/s ({ds_seconds:.2f}s)")


if __name__ == "__main__":
    main()
