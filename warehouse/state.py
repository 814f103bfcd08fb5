"""State the transforms need from earlier runs: known files, prior articles for de-duplication, learned boilerplate."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from transforms import dedup
from warehouse.store import stage


def _with_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, sql: str, params=None) -> pl.DataFrame:
    con.register(name, frame.to_arrow())
    try:
        return con.execute(sql, params or []).pl()
    finally:
        con.unregister(name)


def known_file_hashes(con: duckdb.DuckDBPyConnection, hashes: pl.Series) -> pl.Series:
    """Which of these file hashes the published manifest holds as an article (the writer tracks this run's own).

    Quarantined versions do not count: their bytes are checked again wherever they turn up.
    """
    found = _with_frame(
        con,
        "batch_hashes",
        pl.DataFrame({"source_sha256": hashes}),
        """
        SELECT DISTINCT b.source_sha256 FROM batch_hashes b
        WHERE b.source_sha256 IN (SELECT source_sha256 FROM main.files WHERE status <> 'quarantined')
        """,
    )
    return found["source_sha256"]


# Prior state for one batch: signature rows whose band buckets or body hash collide with the batch.
_PRIOR_SIGNATURES_SQL = """
WITH sig AS (SELECT * FROM main.dedup_signatures UNION ALL BY NAME SELECT * FROM staging.dedup_signatures),
     bands AS (SELECT * FROM main.dedup_bands UNION ALL BY NAME SELECT * FROM staging.dedup_bands)
SELECT sig.* FROM sig
WHERE sig.article_id IN (SELECT b.article_id FROM bands b JOIN dedup_batch_keys k USING (band, bucket_hash))
   OR sig.body_hash IN (SELECT body_hash FROM dedup_batch_hashes)
"""


def next_ingest_order(con: duckdb.DuckDBPyConnection) -> int:
    """The first free position in the global ingest order (earlier article wins a duplicate pair)."""
    return con.execute(
        "SELECT coalesce(max(ingest_order) + 1, 0) FROM (SELECT ingest_order FROM main.dedup_signatures "
        "UNION ALL SELECT ingest_order FROM staging.dedup_signatures)"
    ).fetchall()[0][0]


def _bodies(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> pl.DataFrame:
    """Bodies of a few published or staged articles, by key lookup (both tables index article_id)."""
    schema: dict[str, Any] = {"article_id": pl.String, "body": pl.String}
    if not article_ids:
        return pl.DataFrame(schema=schema)
    # A literal IN list lets DuckDB use the article_id indexes; a join with a registered frame would scan every body.
    keys = ", ".join(f"'{article_id}'" for article_id in article_ids if article_id.isalnum())
    return (
        con.execute(
            f"SELECT article_id, body FROM main.articles WHERE article_id IN ({keys}) "
            f"UNION ALL SELECT article_id, body FROM staging.articles WHERE article_id IN ({keys})"
        )
        .pl()
        .cast(pl.Schema(schema))
    )


def mark_duplicates(
    con: duckdb.DuckDBPyConnection,
    articles: pl.DataFrame,
    signatures: pl.DataFrame,
    ingest_order_start: int,
    params: dedup.DedupParams = dedup.DedupParams(),
) -> pl.DataFrame:
    """Mark exact and near duplicates against everything ingested before (published, staged, this batch); stage the LSH state.

    `ingest_order_start` is the batch's first position in the global ingest order (`next_ingest_order`,
    then advanced by the flow batch by batch).
    """
    batch = articles.select("article_id", "body").with_columns(
        ingest_order=pl.int_range(ingest_order_start, ingest_order_start + articles.height, dtype=pl.Int64)
    )
    con.register("dedup_batch_keys", dedup.bucket_keys(signatures).to_arrow())
    con.register("dedup_batch_hashes", signatures.select("body_hash").to_arrow())
    try:
        prior = con.execute(_PRIOR_SIGNATURES_SQL).pl()
    finally:
        con.unregister("dedup_batch_keys")
        con.unregister("dedup_batch_hashes")
    # Candidates are verified by exact shingle Jaccard, so their bodies come along; exact-hash holders need none.
    prior = prior.join(_bodies(con, prior["article_id"].to_list()), on="article_id", how="left")
    duplicates, new_state = dedup.find_duplicates(batch, prior, params, signatures=signatures)
    stage(con, "dedup_signatures", new_state)
    stage(con, "dedup_bands", dedup.band_rows(new_state, params))
    return articles.join(
        duplicates.select("article_id", "duplicate_of", "duplicate_similarity", "duplicate_kind"), on="article_id", how="left"
    )


def run_furniture(con: duckdb.DuckDBPyConnection, run_counts: str) -> pl.DataFrame:
    """The run's one furniture snapshot: the warehouse's learned table folded with every new file's counts (pass 1),
    rows seen in enough distinct articles (boilerplate.furniture_of). Given to every pass-2 batch of the run.
    """
    from transforms.boilerplate import LEARNED_MIN_ARTICLES, LEARNED_SCHEMA, furniture_of
    from warehouse.store import merged_learned_sql

    learned = con.execute(
        f"SELECT * FROM ({merged_learned_sql(run_counts)}) WHERE n_articles >= ? ORDER BY outlet, line_hash",
        [LEARNED_MIN_ARTICLES],
    ).pl()
    return furniture_of(learned.select(list(LEARNED_SCHEMA)).cast(pl.Schema(LEARNED_SCHEMA)))
