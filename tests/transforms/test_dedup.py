"""Tests for exact and near-duplicate article detection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.dedup import (
    DUPLICATE_SCHEMA,
    DedupParams,
    band_rows,
    bucket_keys,
    find_duplicates,
    minhash_signatures,
    shingle_hashes,
    shingle_jaccard,
    word_shingles,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
PARAMS = DedupParams()


def _seed(prefix: str) -> str:
    return next(SAMPLE.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _batch(*articles: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(articles, schema={"article_id": pl.String, "body": pl.String}, orient="row")


def _duplicates(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=DUPLICATE_SCHEMA, orient="row")


def _jaccard(a: str, b: str) -> float:
    return shingle_jaccard(word_shingles(a, PARAMS.shingle_words), word_shingles(b, PARAMS.shingle_words))


def _prior_for(batch: pl.DataFrame, state: pl.DataFrame, bodies: pl.DataFrame) -> pl.DataFrame:
    """What the flow fetches: stored rows whose band buckets or body hash collide with the batch."""
    signatures = minhash_signatures(batch, PARAMS)
    colliding = band_rows(state, PARAMS).join(bucket_keys(signatures), on=["band", "bucket_hash"])
    wanted = state.filter(
        pl.col("article_id").is_in(colliding["article_id"].implode())
        | pl.col("body_hash").is_in(signatures["body_hash"].implode())
    )
    return wanted.join(bodies, on="article_id", how="left")


SEED_004 = _seed("004")
# The 004 seed's third paragraph, for dropping one sentence from it.
DROPPED_SENTENCE = "Li berbicara singkat dengan Kim."


def test_word_shingles_ignore_case_and_punctuation() -> None:
    assert word_shingles("Korea-Utara, KIM Jong Un: bertemu!", 5) == word_shingles("korea utara kim jong un bertemu", 5)
    assert word_shingles("Satu dua", 5) == frozenset({"satu dua"})
    assert word_shingles(" .. ", 5) == frozenset()


def test_hashed_shingles_count_the_same_shingles_as_the_string_ones() -> None:
    bodies = [SEED_004, "Satu dua", "", "a b c d e a b c d e"]
    hashed = shingle_hashes(pl.Series(bodies), PARAMS.shingle_words)
    assert [len(h) for h in hashed] == [len(word_shingles(b, PARAMS.shingle_words)) for b in bodies]


def test_exact_duplicate_after_whitespace_differences() -> None:
    body = "JAKARTA – Korea Utara meluncurkan rudal.\n\nPyongyang menyebutnya uji coba rutin."
    copy = "JAKARTA –  Korea Utara meluncurkan rudal.  \n\n\nPyongyang menyebutnya uji coba rutin.\t"
    duplicates, state = find_duplicates(_batch(("a1", body), ("a2", copy)), None, PARAMS)
    assert_frame_equal(
        duplicates,
        _duplicates(("a1", None, None, None, None), ("a2", "a1", 1.0, "exact", "a1")),
    )
    assert state["body_hash"][0] == state["body_hash"][1]


def test_near_duplicate_with_dropped_sentence_and_other_outlet_header() -> None:
    assert DROPPED_SENTENCE in SEED_004
    repost = "KOMPAS.com –\n" + SEED_004.replace(DROPPED_SENTENCE, "") + "\nBaca juga: Harga Emas Naik"
    expected_similarity = _jaccard(repost, SEED_004)
    assert 0.8 <= expected_similarity < 1.0
    duplicates, _ = find_duplicates(_batch(("orig", SEED_004), ("repost", repost)), None, PARAMS)
    assert_frame_equal(
        duplicates,
        _duplicates(("orig", None, None, None, None), ("repost", "orig", expected_similarity, "near", "orig")),
    )


def test_same_topic_seeds_003_and_004_are_not_duplicates() -> None:
    seed_003, seed_004 = _seed("003"), SEED_004
    assert _jaccard(seed_003, seed_004) < 0.05
    batch = _batch(*[(path.stem, path.read_text(encoding="utf-8")) for path in sorted(SAMPLE.glob("*.txt"))])
    duplicates, state = find_duplicates(batch, None, PARAMS)
    assert duplicates["duplicate_of"].null_count() == batch.height
    assert state.height == batch.height


def test_below_threshold_copy_is_not_merged() -> None:
    paragraphs = SEED_004.split("\n")
    heavy_edit = "\n".join(paragraphs[: len(paragraphs) // 2])
    assert _jaccard(heavy_edit, SEED_004) < PARAMS.threshold
    duplicates, _ = find_duplicates(_batch(("orig", SEED_004), ("half", heavy_edit)), None, PARAMS)
    assert duplicates["duplicate_of"].to_list() == [None, None]


def test_cross_run_matching_through_prior_state() -> None:
    first = _batch(("orig", SEED_004), ("other", _seed("003"))).with_columns(ingest_order=pl.Series([0, 1]))
    _, state = find_duplicates(first, None, PARAMS)
    repost = SEED_004.replace(DROPPED_SENTENCE, "")
    second = _batch(("repost", repost), ("same", SEED_004 + "  \n")).with_columns(ingest_order=pl.Series([2, 3]))
    prior = _prior_for(second, state, first.select("article_id", "body"))
    assert prior["article_id"].to_list() == ["orig"]

    duplicates, new_state = find_duplicates(second, prior, PARAMS)
    assert_frame_equal(
        duplicates,
        _duplicates(
            ("repost", "orig", _jaccard(repost, SEED_004), "near", "orig"),
            ("same", "orig", 1.0, "exact", "orig"),
        ),
    )
    assert new_state["ingest_order"].to_list() == [2, 3]

    # Without bodies the flow still matches, by the MinHash estimate.
    estimated, _ = find_duplicates(second, prior.drop("body"), PARAMS)
    assert estimated["duplicate_of"].to_list() == ["orig", "orig"]
    assert estimated["duplicate_similarity"][0] >= PARAMS.threshold


def test_rerun_with_own_state_reports_the_same_and_adds_nothing() -> None:
    batch = _batch(("orig", SEED_004), ("repost", SEED_004.replace(DROPPED_SENTENCE, "")))
    duplicates, state = find_duplicates(batch, None, PARAMS)
    again, new_state = find_duplicates(batch, state.join(batch, on="article_id"), PARAMS)
    assert_frame_equal(again, duplicates)
    assert new_state.is_empty()


def test_earliest_article_wins_within_a_batch() -> None:
    first_copy = SEED_004.replace(DROPPED_SENTENCE, "")
    second_copy = first_copy + "\nSimak Video: Parade Militer di Pyongyang"
    batch = _batch(("b_orig", SEED_004), ("a_copy", first_copy), ("c_copy", second_copy))
    duplicates, _ = find_duplicates(batch, None, PARAMS)
    # c_copy is closest to a_copy, but the earliest match (b_orig) wins; ids do not decide order.
    assert duplicates["duplicate_of"].to_list() == [None, "b_orig", "b_orig"]
    assert duplicates["matched_article_id"].to_list() == [None, "b_orig", "b_orig"]


def test_earliest_prior_article_wins_by_ingest_order_then_id() -> None:
    twin = SEED_004 + "\nEditor: Sandro"
    batch = _batch(("p_late", SEED_004), ("p_early", twin), ("p_tie", twin + " (dka)"))
    _, state = find_duplicates(batch, None, PARAMS)
    # Rewrite history: each was an original, p_early and p_tie ingested first (same order, ids decide).
    state = state.with_columns(
        ingest_order=pl.Series([9, 1, 1]),
        duplicate_of=pl.lit(None, pl.String),
        duplicate_similarity=pl.lit(None, pl.Float64),
        duplicate_kind=pl.lit(None, pl.String),
        matched_article_id=pl.lit(None, pl.String),
    ).join(batch, on="article_id")
    duplicates, _ = find_duplicates(_batch(("q", SEED_004 + "\nREUTERS")), state, PARAMS)
    assert duplicates["duplicate_of"].to_list() == ["p_early"]


def test_duplicate_of_a_duplicate_points_at_the_first_article() -> None:
    chain_1 = SEED_004.replace(DROPPED_SENTENCE, "")
    batch = _batch(("root", SEED_004), ("copy", chain_1))
    _, state = find_duplicates(batch, None, PARAMS)
    # Only `copy` is fetched (as when only its buckets collide): the answer still names the root.
    prior = state.filter(pl.col("article_id") == "copy").join(batch, on="article_id")
    duplicates, _ = find_duplicates(_batch(("later", chain_1 + " ")), prior, PARAMS)
    assert duplicates.row(0) == ("later", "root", 1.0, "exact", "copy")


def test_signatures_are_deterministic_across_processes() -> None:
    batch = _batch(("a", SEED_004), ("b", "Satu dua"), ("c", ""))
    signatures = minhash_signatures(batch, PARAMS)
    assert_frame_equal(signatures, minhash_signatures(batch, PARAMS))
    script = (
        "import sys, polars as pl\n"
        "from transforms.dedup import DedupParams, minhash_signatures\n"
        "body = open(sys.argv[1], encoding='utf-8').read()\n"
        "frame = pl.DataFrame({'article_id': ['a'], 'body': [body]})\n"
        "print(minhash_signatures(frame, DedupParams())['signature'][0].hex())\n"
    )
    path = next(SAMPLE.glob("004_*.txt"))
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert out.stdout.strip() == signatures["signature"][0].hex()


def test_empty_body_gets_no_bands_and_no_near_match() -> None:
    duplicates, state = find_duplicates(_batch(("empty", ""), ("text", SEED_004)), None, PARAMS)
    assert state["n_shingles"].to_list()[0] == 0
    assert band_rows(state, PARAMS)["article_id"].unique().to_list() == ["text"]
    assert duplicates["duplicate_of"].to_list() == [None, None]


def test_prior_state_of_other_parameters_is_refused() -> None:
    _, state = find_duplicates(_batch(("a", SEED_004)), None, PARAMS)
    with pytest.raises(ValueError, match="versions"):
        find_duplicates(_batch(("b", SEED_004)), state, DedupParams(shingle_words=3))


def test_bucket_keys_are_distinct_band_buckets() -> None:
    signatures = minhash_signatures(_batch(("a", SEED_004), ("b", SEED_004 + " ")), PARAMS)
    keys = bucket_keys(signatures)
    assert keys.schema == pl.Schema({"band": pl.Int16, "bucket_hash": pl.Int64})
    assert keys.height == PARAMS.bands


def test_words_never_run_across_neighbouring_bodies() -> None:
    together = shingle_hashes(pl.Series(["Satu dua tiga", "empat lima enam", "“Héllo” dunia"]), PARAMS.shingle_words)
    alone = [
        shingle_hashes(pl.Series([body]), PARAMS.shingle_words)[0]
        for body in ("Satu dua tiga", "empat lima enam", "héllo DUNIA!")
    ]
    assert all((a == b).all() for a, b in zip(together, alone))
    assert len(together[0]) == 1 and not (together[0] == together[1]).all()
