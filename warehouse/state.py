"""State the transforms need from earlier runs: known files, prior articles for de-duplication, learned boilerplate."""
from __future__ import annotations

import duckdb
import polars as pl

from transforms import dedup


def _with_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, sql: str, params=None) -> pl.DataFrame:
    con.register(name, frame.to_arrow())
    try:
        return con.execute(sql, params or []).pl()
    finally:
        con.unregister(name)


def known_file_hashes(con: duckdb.DuckDBPyConnection, hashes: pl.Series) -> pl.Series:
    """Which of these file hashes the manifest (published or staged in this run) already holds."""
    found = _with_frame(
        con,
        "batch_hashes",
        pl.DataFrame({"source_sha256": hashes}),
        """
        SELECT DISTINCT b.source_sha256 FROM batch_hashes b
        WHERE b.source_sha256 IN (SELECT source_sha256 FROM main.files)
           OR b.source_sha256 IN (SELECT source_sha256 FROM staging.files)
        """,
    )
    return found["source_sha256"]


_PRIOR_DEDUP_SQL = """
WITH sig AS (SELECT * FROM main.dedup_signatures UNION ALL BY NAME SELECT * FROM staging.dedup_signatures),
     bands AS (SELECT * FROM main.dedup_bands UNION ALL BY NAME SELECT * FROM staging.dedup_bands),
     bodies AS (SELECT article_id, body FROM main.articles UNION ALL SELECT article_id, body FROM staging.articles)
SELECT sig.*, bodies.body FROM sig LEFT JOIN bodies USING (article_id)
WHERE sig.article_id IN (SELECT b.article_id FROM bands b JOIN dedup_batch_keys k USING (band, bucket_hash))
   OR sig.body_hash IN (SELECT body_hash FROM dedup_batch_hashes)
"""


def mark_duplicates(
    con: duckdb.DuckDBPyConnection,
    articles: pl.DataFrame,
    signatures: pl.DataFrame,
    params: dedup.DedupParams = dedup.DedupParams(),
) -> pl.DataFrame:
    """Mark exact and near duplicates against everything ingested before (published, staged, this batch); stage the LSH state."""
    start = con.execute(
        "SELECT coalesce(max(ingest_order) + 1, 0) FROM (SELECT ingest_order FROM main.dedup_signatures "
        "UNION ALL SELECT ingest_order FROM staging.dedup_signatures)"
    ).fetchone()[0]
    batch = articles.select("article_id", "body").with_columns(
        ingest_order=pl.int_range(start, start + articles.height, dtype=pl.Int64)
    )
    con.register("dedup_batch_keys", dedup.bucket_keys(signatures).to_arrow())
    con.register("dedup_batch_hashes", signatures.select("body_hash").to_arrow())
    try:
        prior = con.execute(_PRIOR_DEDUP_SQL).pl()
    finally:
        con.unregister("dedup_batch_keys")
        con.unregister("dedup_batch_hashes")
    duplicates, new_state = dedup.find_duplicates(batch, prior, params, signatures=signatures)
    _stage(con, "dedup_signatures", new_state)
    _stage(con, "dedup_bands", dedup.band_rows(new_state, params))
    return articles.join(
        duplicates.select("article_id", "duplicate_of", "duplicate_similarity", "duplicate_kind"), on="article_id", how="left"
    )


def _stage(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height:
        con.register("state_frame", frame.to_arrow())
        try:
            con.execute(f"INSERT INTO staging.{table} BY NAME SELECT * FROM state_frame")
        finally:
            con.unregister("state_frame")


def load_learned_boilerplate(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """The learned-boilerplate state as of the start of this run (None before the first run)."""
    return None


def learn_boilerplate(con: duckdb.DuckDBPyConnection, result, learned: pl.DataFrame | None) -> pl.DataFrame | None:
    """Fold one batch's lines into the learned-boilerplate state and stage the change."""
    return learned
