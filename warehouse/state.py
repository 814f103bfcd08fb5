"""State the transforms need from earlier runs: known files, prior articles for de-duplication, learned boilerplate."""
from __future__ import annotations

import duckdb
import polars as pl


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


def mark_duplicates(con: duckdb.DuckDBPyConnection, articles: pl.DataFrame) -> pl.DataFrame:
    """Set duplicate_of / duplicate_similarity / duplicate_kind against earlier articles (published, staged, this batch)."""
    prior_exact = _with_frame(
        con,
        "batch_bodies",
        articles.select("article_id", "body_sha256"),
        """
        SELECT b.article_id, first(p.article_id ORDER BY p.ingested_at, p.source_path) AS duplicate_of
        FROM batch_bodies b
        JOIN (
            SELECT article_id, body_sha256, ingested_at, source_path FROM main.articles
            UNION ALL
            SELECT article_id, body_sha256, ingested_at, source_path FROM staging.articles
        ) p USING (body_sha256)
        GROUP BY b.article_id
        """,
    )
    within_batch = articles.select(
        "article_id",
        pl.col("article_id").first().over("body_sha256").alias("first_in_batch"),
    )
    marked = (
        articles.join(prior_exact, on="article_id", how="left")
        .join(within_batch, on="article_id", how="left")
        .with_columns(
            pl.coalesce(
                pl.col("duplicate_of"),
                pl.when(pl.col("first_in_batch") != pl.col("article_id")).then(pl.col("first_in_batch")),
            ).alias("duplicate_of")
        )
        .drop("first_in_batch")
        .with_columns(
            pl.when(pl.col("duplicate_of").is_not_null()).then(1.0).alias("duplicate_similarity"),
            pl.when(pl.col("duplicate_of").is_not_null()).then(pl.lit("exact")).alias("duplicate_kind"),
        )
    )
    return marked


def load_learned_boilerplate(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """The learned-boilerplate state as of the start of this run (None before the first run)."""
    return None


def learn_boilerplate(con: duckdb.DuckDBPyConnection, result, learned: pl.DataFrame | None) -> pl.DataFrame | None:
    """Fold one batch's lines into the learned-boilerplate state and stage the change."""
    return learned
