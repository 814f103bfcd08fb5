"""The single writer: connect, migrate, stage a run's rows, publish them in one transaction."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

SQL_DIR = Path(__file__).parent / "sql"

# Tables a run stages and publishes, with the key that makes a publish idempotent.
PUBLISHED_KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "article_texts": ("article_id",),
    "removed_lines": ("article_id", "line_no", "start_char", "rule"),
    "entities": ("entity_id",),
    "entity_mentions": ("article_id", "start_char", "end_char"),
    "events": ("event_id",),
    "event_mentions": ("event_id", "article_id", "start_char"),
    "quarantine": ("source_path", "source_sha256"),
    "files": ("source_path", "source_sha256"),
    "dedup_signatures": ("article_id",),
    "dedup_bands": ("band", "bucket_hash", "article_id"),
    "dropped_rows": ("table_name", "row_key"),
}
# Tables where a re-processed file version (`kabar ingest --retry-quarantined`) replaces its published row.
REPLACED_BY_FILE_TABLES = ("files", "quarantine")
# Tables several batches of one run may stage the same key into (an entity, an event seen twice).
SHARED_KEY_TABLES = ("entities", "events")
# State a run folds into rather than appends to: staged rows are counts to add to the published ones.
MERGED_STATE_TABLES = ("learned_boilerplate",)


class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file for longer than we were willing to wait."""


def connect(
    db_path: str | Path, read_only: bool = False, wait_seconds: float = 60.0, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting and retrying while another process holds its lock.

    DuckDB's memory is capped (`KABAR_DUCKDB_MEMORY_LIMIT`, default 1GB; larger work spills to disk) so a
    run's memory follows its batch size, not DuckDB's default of most of the machine.
    """
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    config = config or {"memory_limit": os.environ.get("KABAR_DUCKDB_MEMORY_LIMIT", "1GB")}
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only, config=config)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{db_path} is held by another process (waited {wait_seconds:.0f} s): {error}. "
                    "Only one process may write to a DuckDB file at a time; wait for the other run "
                    "to finish, or close the connection that holds it."
                ) from error
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every `warehouse/sql/NNN_*.sql` not yet recorded in `schema_migrations`; return their names."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, sha256 VARCHAR, applied_at TIMESTAMP)")
    applied = dict(con.execute("SELECT name, sha256 FROM schema_migrations").fetchall())
    newly_applied = []
    for path in sorted(SQL_DIR.glob("[0-9]*.sql")):
        sql = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(sql.encode()).hexdigest()
        # Table files apply once; view files (only CREATE OR REPLACE VIEW) re-apply when they change.
        if path.name in applied and (applied[path.name] == digest or "_views" not in path.name):
            continue
        con.execute("BEGIN")
        con.execute(sql)
        con.execute("INSERT OR REPLACE INTO schema_migrations VALUES (?, ?, ?)", [path.name, digest, datetime.now()])
        con.execute("COMMIT")
        newly_applied.append(path.name)
    return newly_applied


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the staged-and-published tables that exist in this warehouse."""
    existing = {
        row[0] for row in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    }
    return [table for table in PUBLISHED_KEYS if table in existing] + sorted(
        table for table in existing if table.startswith("state_")
    )


def staged_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table a run stages: the published ones and the merged state."""
    return published_tables(con) + [table for table in MERGED_STATE_TABLES if _exists(con, "main", table)]


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether the published table has the column (a warehouse not yet migrated may lack newer ones)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? AND column_name = ?",
            [table, column],
        ).fetchall()[0][0]
    )


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]
        ).fetchall()[0][0]
    )


def reset_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Create an empty `staging` copy (plain appends: no keys, no indexes) of every staged table."""
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    for table in staged_tables(con):
        con.execute(f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM main.{table} LIMIT 0")
    # Duplicate detection looks staged bodies up by key while the run goes on.
    con.execute("CREATE INDEX staged_article_ids ON staging.articles (article_id)")


def stage(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Append a frame to `staging.<table>` by column name via Arrow; return rows staged."""
    if frame.height == 0:
        return 0
    con.register("staged_frame", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO staging.{table} BY NAME SELECT * FROM staged_frame")
    finally:
        con.unregister("staged_frame")
    return frame.height


def consolidate_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Keep one staged row per key where several batches may stage the same entity or event.

    An entity staged by several batches keeps the union of the aliases they saw. Every other staged
    table is keyed by article or file, which one run stages once; the expectation suites check that.
    """
    for table in SHARED_KEY_TABLES:
        keys = ", ".join(PUBLISHED_KEYS[table])
        if table == "entities":
            in_capitals = _NAME_IN_CAPITALS.format(name="name")
            con.execute(
                f"""
                CREATE OR REPLACE TABLE staging.entities AS
                SELECT entity_id, first(name ORDER BY {in_capitals}, name) AS name,
                       any_value(type ORDER BY type) AS type,
                       any_value(subtype ORDER BY subtype) AS subtype, any_value(wikidata_id) AS wikidata_id,
                       list_sort(list_distinct(flatten(list(aliases)))) AS aliases
                FROM staging.entities GROUP BY entity_id
                """
            )
            continue
        con.execute(
            f"CREATE OR REPLACE TABLE staging.{table} AS "
            f"SELECT * FROM staging.{table} QUALIFY row_number() OVER (PARTITION BY {keys}) = 1"
        )


def publish(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Move staged rows whose keys are not yet published into main, all in one transaction."""
    inserted: dict[str, int] = {}
    con.execute("BEGIN")
    try:
        for table in REPLACED_BY_FILE_TABLES:
            if _exists(con, "staging", "files"):
                con.execute(
                    f"DELETE FROM main.{table} p WHERE EXISTS (SELECT 1 FROM staging.files s "
                    "WHERE s.source_path = p.source_path AND s.source_sha256 = p.source_sha256)"
                )
        if _exists(con, "staging", "articles"):
            mark_superseded(con)
        for table in published_tables(con):
            keys = PUBLISHED_KEYS.get(table) or _state_key(con, table)
            join = " AND ".join(f"p.{key} IS NOT DISTINCT FROM s.{key}" for key in keys)
            # consolidate_staging left one staged row per key; rows already published are skipped.
            inserted[table] = con.execute(
                f"""
                INSERT INTO main.{table} BY NAME
                SELECT s.* FROM staging.{table} s
                WHERE NOT EXISTS (SELECT 1 FROM main.{table} p WHERE {join})
                """
            ).fetchall()[0][0]
        if "events" in inserted:
            _refresh_event_article_counts(con)
        _merge_entity_aliases(con)
        if _exists(con, "main", "learned_boilerplate"):
            _merge_learned_boilerplate(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return inserted


def _state_key(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    """State tables declare their key as the table's primary key (or all columns)."""
    rows = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchall()
    if rows:
        return tuple(rows[0][0])
    return tuple(row[0] for row in con.execute(f"DESCRIBE main.{table}").fetchall())


# SQL for transforms.entities.link.name_order's first part: the name is written in capitals.
_NAME_IN_CAPITALS = "({name} = upper({name}) AND {name} <> lower({name}))"


def _merge_entity_aliases(con: duckdb.DuckDBPyConnection) -> None:
    """An entity seen again under a new name keeps every alias it has been seen under.

    Its name is the first of the names it has been seen under in `transforms.entities.link.name_order`, as
    the batch and `consolidate_staging` pick it, so the name does not depend on how the input was cut.
    """
    con.execute(
        """
        WITH seen AS (
            SELECT s.entity_id, s.aliases, s.name,
                   {staged_caps} < {published_caps} OR ({staged_caps} = {published_caps} AND s.name < e.name) AS comes_first
            FROM staging.entities s JOIN main.entities e USING (entity_id)
        )
        UPDATE main.entities e
        SET aliases = list_sort(list_distinct(list_concat(e.aliases, seen.aliases))),
            name = CASE WHEN seen.comes_first THEN seen.name ELSE e.name END
        FROM seen
        WHERE e.entity_id = seen.entity_id
          AND (len(list_distinct(list_concat(e.aliases, seen.aliases))) > len(list_distinct(e.aliases)) OR seen.comes_first)
        """.format(staged_caps=_NAME_IN_CAPITALS.format(name="s.name"), published_caps=_NAME_IN_CAPITALS.format(name="e.name"))
    )


def merged_learned_sql(run_counts: str) -> str:
    """SELECT folding the warehouse's `learned_boilerplate` with a run's line counts (`run_counts`, a table name).

    As `boilerplate.merge_learned` does in memory: one row per (outlet, line_hash), at most
    LEARNED_MAX_FINGERPRINTS fingerprints a line, at most LEARNED_MAX_ROWS_PER_OUTLET lines an outlet, those
    seen in the most articles first and then the newest, so lines seen once long ago expire first. A line
    keeps the smallest fingerprints (bottom-k, as `count_lines` does per batch) and the example it was first
    published with (within a run the smallest), so the result does not depend on how the run was cut.
    """
    from transforms.boilerplate import LEARNED_MAX_FINGERPRINTS, LEARNED_MAX_ROWS_PER_OUTLET

    return f"""
        SELECT outlet, line_hash, example_line, n_lines_seen, fingerprints AS article_fingerprints,
               len(fingerprints)::BIGINT AS n_articles
        FROM (
            SELECT outlet, line_hash, arg_min(example_line, (part, example_line)) AS example_line,
                   sum(n_lines_seen)::BIGINT AS n_lines_seen,
                   list_slice(list_sort(list_distinct(flatten(list(article_fingerprints)))), 1, {LEARNED_MAX_FINGERPRINTS})
                       AS fingerprints,
                   max(part) AS newest
            FROM (SELECT outlet, line_hash, example_line, n_lines_seen, article_fingerprints, 0 AS part FROM main.learned_boilerplate
                  UNION ALL
                  SELECT outlet, line_hash, example_line, n_lines_seen, article_fingerprints, 1 AS part FROM {run_counts})
            GROUP BY outlet, line_hash
        )
        QUALIFY row_number() OVER (PARTITION BY outlet ORDER BY len(fingerprints) DESC, newest DESC, line_hash)
                <= {LEARNED_MAX_ROWS_PER_OUTLET}
    """


def _merge_learned_boilerplate(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the unit's staged line counts into `learned_boilerplate` (see `merged_learned_sql`)."""
    if not con.execute("SELECT count(*) FROM staging.learned_boilerplate").fetchall()[0][0]:
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE merged_learned AS {merged_learned_sql('staging.learned_boilerplate')}")
    con.execute("DELETE FROM main.learned_boilerplate")
    con.execute("INSERT INTO main.learned_boilerplate BY NAME SELECT * FROM merged_learned")
    con.execute("DROP TABLE merged_learned")


def _refresh_event_article_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Recount the articles reporting each event touched by this run."""
    con.execute(
        """
        UPDATE main.events e SET num_articles = c.n_articles, num_mentions = c.n_mentions
        FROM (
            SELECT event_id, count(DISTINCT article_id) AS n_articles, count(*) AS n_mentions
            FROM main.event_mentions
            WHERE event_id IN (SELECT event_id FROM staging.event_mentions)
            GROUP BY event_id
        ) c
        WHERE e.event_id = c.event_id
        """
    )


def mark_crashed_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still `running` as `crashed`; return how many. Call holding the write connection: DuckDB lets one
    process write at a time, so a run still `running` then belongs to a process that died (kill -9, power loss).
    """
    return con.execute(
        "UPDATE runs SET status = 'crashed', finished_at = coalesce(finished_at, now()::TIMESTAMP), "
        "error = coalesce(error, 'the process running it stopped without recording an outcome') WHERE status = 'running'"
    ).fetchall()[0][0]


def mark_superseded(con: duckdb.DuckDBPyConnection) -> int:
    """A staged article whose file (same path) was published with other content supersedes that version; return how many.

    Inside the publish transaction: the earlier versions get `superseded_by`; the new version is nobody's duplicate
    for having been a near copy of its own earlier version.
    """
    con.execute(
        """
        UPDATE staging.articles s SET duplicate_of = NULL, duplicate_similarity = NULL, duplicate_kind = NULL
        FROM main.articles old
        WHERE s.duplicate_of = old.article_id AND old.source_path = s.source_path
        """
    )
    con.execute(
        """
        UPDATE staging.dedup_signatures d SET duplicate_of = NULL, duplicate_similarity = NULL, duplicate_kind = NULL,
               matched_article_id = NULL
        FROM main.articles old, staging.articles s
        WHERE d.article_id = s.article_id AND s.duplicate_of IS NULL AND d.duplicate_of = old.article_id
          AND old.source_path = s.source_path
        """
    )
    return con.execute(
        """
        UPDATE main.articles old SET superseded_by = s.article_id
        FROM staging.articles s
        WHERE old.source_path = s.source_path AND old.article_id <> s.article_id
          AND (old.superseded_by IS NULL OR old.superseded_by <> s.article_id)
        """
    ).fetchall()[0][0]


def empty_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staging schema once its rows are published: it would otherwise keep a copy of the last unit."""
    con.execute("DROP SCHEMA IF EXISTS staging CASCADE")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every published table."""
    return {table: con.execute(f"SELECT count(*) FROM main.{table}").fetchall()[0][0] for table in published_tables(con)}
