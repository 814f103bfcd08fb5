"""The one owner of data-quality results: their schema, the verdict, combining commit units, `dq_results`, the run's report."""

from __future__ import annotations

import duckdb
import polars as pl

DQ_RESULTS_SCHEMA = {
    "run_id": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "column_name": pl.String,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
    "blocking": pl.Boolean,
    "details": pl.String,
    "kind": pl.String,  # blocking | row-level | rate | warn (expectations.suites.Check.kind)
}
QUARANTINE_SAMPLES = 3  # articles shown per quarantine reason in `kabar dq` and the report


def verdict(results: pl.DataFrame) -> str:
    """PASSED, PASSED WITH WARNINGS or FAILED for a dq_results frame."""
    failed = results.filter(~pl.col("success"))
    if failed.filter(pl.col("blocking")).height:
        return "FAILED"
    # A row-level check that passed within its rate still quarantined or dropped rows: worth a look.
    acted = results.filter(pl.col("success") & (pl.col("kind") == "row-level") & (pl.col("unexpected_count") > 0))
    return "PASSED WITH WARNINGS" if failed.height or acted.height else "PASSED"


def combine_units(unit_results: list[pl.DataFrame]) -> pl.DataFrame:
    """One row per expectation for the run: it passed only if it passed in every commit unit; counts add up."""
    if not unit_results:
        return pl.DataFrame(schema=DQ_RESULTS_SCHEMA)
    if len(unit_results) == 1:
        return unit_results[0]
    every = pl.concat([results.with_columns(pl.lit(unit).alias("_unit")) for unit, results in enumerate(unit_results)])
    keys = ["run_id", "suite", "expectation", "column_name", "blocking", "kind"]
    return (
        every.sort("success", "_unit")  # a failing unit's details first: they say what went wrong
        .group_by(keys, maintain_order=True)
        .agg(pl.col("success").all(), pl.col("unexpected_count").sum(), pl.col("details").first())
        .join(unit_results[0].select(keys).with_row_index("_order"), on=keys, how="left", nulls_equal=True)
        .sort("_order")
        .select(list(DQ_RESULTS_SCHEMA))
    )


def write_dq_results(con: duckdb.DuckDBPyConnection, results: pl.DataFrame) -> int:
    """Store the run's dq_results rows, replacing what earlier commit units of the same run stored; returns the row count.

    Called after every commit unit with the units so far combined, so a unit published before a crash
    keeps its rows, and a finished run has one row per expectation.
    """
    run_ids = results["run_id"].unique().to_list()
    con.register("dq_results_incoming", results.select(list(DQ_RESULTS_SCHEMA)).to_arrow())
    try:
        con.execute("BEGIN")
        con.execute("DELETE FROM main.dq_results WHERE run_id IN (SELECT unnest($ids))", {"ids": run_ids})
        con.execute("INSERT INTO main.dq_results BY NAME SELECT * FROM dq_results_incoming")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("dq_results_incoming")
    return results.height


def quarantine_by_reason(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    """The run's quarantined files by reason: reason, files, samples (list of {article_id, source_path, detail})."""
    return con.execute(
        f"""
        SELECT reason, count(*) AS files,
               list({{'article_id': article_id, 'source_path': source_path, 'detail': detail}} ORDER BY source_path)[1:{QUARANTINE_SAMPLES}]
                   AS samples
        FROM main.quarantine WHERE run_id = ?
        GROUP BY reason ORDER BY files DESC, reason
        """,
        [run_id],
    ).pl()
