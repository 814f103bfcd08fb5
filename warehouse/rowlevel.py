"""Row-level data quality: act on the rows a commit unit's row-level checks failed, in staging, before publish.

An article failing a content check goes to `quarantine` (reason = the check, detail = what is wrong and
the check's description) with everything derived from it; a derived row failing its own check is dropped
(recorded in `dropped_rows`) or has the failing field nulled and flagged. The rest of the unit publishes.
"""

from __future__ import annotations

import duckdb
import polars as pl

# Tables whose staged rows belong to one article and leave with it when it is quarantined.
_ARTICLE_TABLES = (
    "articles",
    "article_texts",
    "removed_lines",
    "entity_mentions",
    "event_mentions",
    "dedup_signatures",
    "dedup_bands",
)


def apply_row_failures(
    con: duckdb.DuckDBPyConnection, failures: dict[str, pl.DataFrame], run_id: str, why: dict[str, str]
) -> dict[str, int]:
    """Quarantine, drop or null the failing staged rows; return how many rows each action touched.

    `failures`: per suite, the failing rows' keys plus `check` and `finding` (DQOutcome.row_failures).
    `why`: each check's description by finding column, appended to the quarantine detail.
    """
    counts = {"quarantined": 0, "dropped": 0, "nulled": 0}
    articles = failures.get("articles")
    if articles is not None and articles.height:
        counts["quarantined"] = _quarantine_articles(con, articles, run_id, why)
    for table, key in (
        ("entity_mentions", ("article_id", "start_char", "end_char")),
        ("event_mentions", ("event_id", "article_id", "start_char")),
    ):
        rows = failures.get(table)
        if rows is not None and rows.height:
            counts["dropped"] += _drop_rows(con, table, key, rows, run_id)
    events = failures.get("events")
    if events is not None and events.height:
        counts["nulled"] = _null_event_dates(con, events)
    if counts["quarantined"] or counts["dropped"]:
        _drop_unreferenced_staged_events(con)
    return counts


def _quarantine_articles(con: duckdb.DuckDBPyConnection, failing: pl.DataFrame, run_id: str, why: dict[str, str]) -> int:
    frame = failing.with_columns(pl.col("check").replace_strict(why, default="").alias("why"), pl.lit(run_id).alias("run_id"))
    con.register("quarantined_articles", frame.to_arrow())
    try:
        con.execute(
            """
            INSERT INTO staging.quarantine BY NAME
            SELECT source_path, source_sha256, "check" AS reason, finding || ' — ' || why AS detail, run_id, article_id
            FROM quarantined_articles
            """
        )
        con.execute(
            "UPDATE staging.files SET status = 'quarantined', article_id = NULL "
            "WHERE article_id IN (SELECT article_id FROM quarantined_articles)"
        )
        _promote_duplicates_of_quarantined(con)
        for table in _ARTICLE_TABLES:
            con.execute(f"DELETE FROM staging.{table} WHERE article_id IN (SELECT article_id FROM quarantined_articles)")
    finally:
        con.unregister("quarantined_articles")
    return failing.height


def _promote_duplicates_of_quarantined(con: duckdb.DuckDBPyConnection) -> None:
    """Articles marked duplicates of a quarantined article: the earliest of each cluster becomes its original."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE promoted AS
        SELECT a.duplicate_of AS quarantined_id, a.article_id,
               first(a.article_id ORDER BY s.ingest_order) OVER (PARTITION BY a.duplicate_of) AS new_original
        FROM staging.articles a JOIN staging.dedup_signatures s USING (article_id)
        WHERE a.duplicate_of IN (SELECT article_id FROM quarantined_articles)
          AND a.article_id NOT IN (SELECT article_id FROM quarantined_articles)
        """
    )
    is_new_original = "p.new_original = t.article_id"
    promoted = f"""
        duplicate_of = CASE WHEN {is_new_original} THEN NULL ELSE p.new_original END,
        duplicate_similarity = CASE WHEN {is_new_original} THEN NULL ELSE t.duplicate_similarity END,
        duplicate_kind = CASE WHEN {is_new_original} THEN NULL ELSE t.duplicate_kind END"""
    con.execute(f"UPDATE staging.articles t SET {promoted} FROM promoted p WHERE p.article_id = t.article_id")
    con.execute(
        f"""
        UPDATE staging.dedup_signatures t SET {promoted},
            matched_article_id = CASE WHEN {is_new_original} THEN NULL
                                      WHEN t.matched_article_id = p.quarantined_id THEN p.new_original
                                      ELSE t.matched_article_id END
        FROM promoted p WHERE p.article_id = t.article_id
        """
    )
    con.execute("DROP TABLE promoted")


def _drop_rows(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], failing: pl.DataFrame, run_id: str) -> int:
    frame = failing.with_columns(
        pl.lit(table).alias("table_name"),
        pl.concat_str([pl.col(column).cast(pl.String) for column in key], separator=":").alias("row_key"),
        pl.col("check").alias("check_name"),
        pl.lit(run_id).alias("run_id"),
    ).unique("row_key", keep="first", maintain_order=True)
    match = " AND ".join(f"t.{column} = d.{column}" for column in key)
    con.register("dropped_frame", frame.to_arrow())
    try:
        con.execute(f"DELETE FROM staging.{table} t USING dropped_frame d WHERE {match}")
        con.execute(
            "INSERT INTO staging.dropped_rows BY NAME SELECT table_name, row_key, article_id, check_name, finding, run_id FROM dropped_frame"
        )
    finally:
        con.unregister("dropped_frame")
    return frame.height


def _null_event_dates(con: duckdb.DuckDBPyConnection, failing: pl.DataFrame) -> int:
    con.register("nulled_events", failing.select("event_id", "check").to_arrow())
    try:
        con.execute(
            'UPDATE staging.events e SET event_date = NULL, date_precision = NULL, date_flag = n."check" '
            "FROM nulled_events n WHERE e.event_id = n.event_id"
        )
    finally:
        con.unregister("nulled_events")
    return failing.height


def _drop_unreferenced_staged_events(con: duckdb.DuckDBPyConnection) -> None:
    """Staged events no staged mention reports any more (their articles were quarantined): not published."""
    con.execute("DELETE FROM staging.events WHERE event_id NOT IN (SELECT event_id FROM staging.event_mentions)")
