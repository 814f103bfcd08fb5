"""Audit a run's staged rows with a Great Expectations checkpoint before they are published."""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from expectations.findings import body_findings, span_findings
from expectations.results import DQ_RESULTS_SCHEMA, verdict
from expectations.suites import BODIES_SQL, MAX_ROW_FAILURE_RATE, SUITES, Check, Suite

log = logging.getLogger(__name__)

SAMPLE_SIZE = 5  # unexpected values kept per expectation (report and dq_results.details)
DATA_DOCS_SITE = "local_site"


@dataclass(frozen=True)
class DQOutcome:
    """The verdict of one commit unit's data-quality checkpoint."""

    success: bool  # every expectation passed
    blocking_failed: bool  # a blocking expectation failed (a row-level one above its rate too): do not publish
    results: pl.DataFrame  # exactly the dq_results columns
    data_docs_path: Path | None  # Great Expectations Data Docs index, when written
    staged_rows: dict[str, int] = field(default_factory=dict)  # rows audited per suite
    # Per suite with row-level checks: the failing rows' key columns plus `check` (the finding column)
    # and `finding` (what is wrong), the first failing check per row, in the suite's check order.
    row_failures: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """PASSED, PASSED WITH WARNINGS or FAILED."""
        return verdict(self.results)


_preloader: threading.Thread | None = None


def preload_great_expectations() -> threading.Thread:
    """Import Great Expectations (3-7 s of module loading) in the background while the run transforms; once per process."""
    global _preloader
    if _preloader is not None:
        return _preloader

    def load() -> None:
        import great_expectations  # noqa: F401
        import great_expectations.expectations  # noqa: F401

    loader = threading.Thread(target=load, name="preload-great-expectations", daemon=True)
    loader.start()
    _preloader = loader
    return loader


def missing_staging_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Suite tables absent from the staging schema."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging' AND table_catalog = current_database()"
        ).fetchall()
    }
    return [suite.name for suite in SUITES if suite.name not in present]


def audit_frames(con: duckdb.DuckDBPyConnection, run_id: str, run_date: datetime.date) -> dict[str, pl.DataFrame]:
    """Run every suite's audit query (and span and body checks) on the staged rows; polars frames keyed by suite name."""
    missing = missing_staging_tables(con)
    if missing:
        raise ValueError(
            f"staging schema lacks table(s) {', '.join(missing)}: stage every table (empty is fine) before validating"
        )
    params = {"run_id": run_id, "run_date": run_date}
    bodies = pl.DataFrame(schema={"article_id": pl.String, "body": pl.String})
    bodies_loaded = False
    frames = {}
    for suite in SUITES:
        started = time.perf_counter()
        used = {name: value for name, value in params.items() if f"${name}" in suite.audit_sql}
        audit = _frame(con.execute(suite.audit_sql, used).to_arrow_table())
        if (suite.spans is not None or suite.body_checks) and not bodies_loaded:
            # One body per id, or a duplicated staged article would fan out every row joined to it.
            bodies = _frame(con.execute(BODIES_SQL).to_arrow_table()).unique("article_id", keep="first", maintain_order=True)
            bodies_loaded = True
        if suite.body_checks:
            audit = body_findings(audit, bodies)
        if suite.spans is not None:
            findings = span_findings(audit, bodies, suite.spans.text_column).alias(suite.spans.finding)
            audit = audit.drop(suite.spans.text_column).with_columns(findings)
        if suite.failure_column is not None:
            row_level = [check.column for check in suite.row_level_checks() if check.column]
            audit = audit.with_columns(
                pl.coalesce([pl.format("{}: {}", pl.lit(column), pl.col(column)) for column in row_level]).alias(
                    suite.failure_column
                )
            )
        frames[suite.name] = audit
        log.debug("audit %s: %d rows in %.2fs", suite.name, audit.height, time.perf_counter() - started)
    return _with_derived_failures(con, frames)


def _with_derived_failures(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Add each suite's derived-failure column: per article, its mentions and events failing their row-level checks."""
    per_article = []
    for suite in SUITES:
        if suite.name not in frames or not suite.row_level_checks() or suite.derived_failure_column:
            continue
        failing = row_failures(suite, frames[suite.name])
        if failing.height == 0:
            continue
        if "article_id" not in failing.columns:  # events: their articles are those that report them
            con.register("failing_events", failing.select("event_id", "check", "finding").to_arrow())
            try:
                failing = con.execute(
                    "SELECT DISTINCT m.article_id, f.check, f.finding FROM failing_events f JOIN staging.event_mentions m USING (event_id)"
                ).pl()
            finally:
                con.unregister("failing_events")
        per_article.append(
            failing.select("article_id", pl.format("{} {}: {}", pl.lit(suite.name), "check", "finding").alias("derived"))
        )
    derived = (
        pl.concat(per_article).group_by("article_id", maintain_order=True).agg(pl.col("derived").first())
        if per_article
        else pl.DataFrame(schema={"article_id": pl.String, "derived": pl.String})
    )
    for suite in SUITES:
        column = suite.derived_failure_column
        if column and suite.name in frames:
            frames[suite.name] = (
                frames[suite.name].join(derived, on="article_id", how="left", maintain_order="left").rename({"derived": column})
            )
    return frames


def _frame(table) -> pl.DataFrame:
    """An Arrow table as a polars frame (never a Series: audit queries return several columns)."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def row_failures(suite: Suite, audit: pl.DataFrame) -> pl.DataFrame:
    """The rows of an audit frame that fail a row-level check: key columns, `check`, `finding` (first failing check)."""
    checks = [check for check in suite.row_level_checks() if check.column]
    columns_and_types: dict[str, Any] = {column: audit.schema[column] for column in suite.key}
    schema = pl.Schema({**columns_and_types, "check": pl.String, "finding": pl.String})
    if not checks or audit.height == 0:
        return pl.DataFrame(schema=schema)
    columns = [check.column for check in checks if check.column]
    failing = audit.select(
        *suite.key,
        pl.coalesce([pl.when(pl.col(column).is_not_null()).then(pl.lit(column)) for column in columns]).alias("check"),
        pl.coalesce([pl.col(column) for column in columns]).alias("finding"),
    )
    return failing.filter(pl.col("check").is_not_null()).cast(schema)


def _expectation(gxe: Any, check: Check, max_failure_rate: float) -> Any:
    """The Great Expectations expectation object for a check, with its kind in meta, severity and description."""
    from great_expectations.expectations.metadata_types import FailureSeverity

    class_name = "".join(part.capitalize() for part in check.expectation.split("_"))
    label = check.label(max_failure_rate)
    return getattr(gxe, class_name)(
        **check.gx_kwargs(max_failure_rate),
        meta={"blocking": check.blocking, "kind": check.kind, "why": check.why},
        # The description replaces GX's generated sentence in Data Docs, so the flag shows on every result.
        description=f"[{label}] {check.column_name}: {check.why} ({check.expectation})",
        notes=f"**{label}**: {check.why}",
        severity=FailureSeverity.CRITICAL if check.blocking else FailureSeverity.WARNING,
    )


def _context(data_docs_dir: Path | None) -> Any:
    """An in-memory GX context, quiet and offline, whose Data Docs site (if any) is written under data_docs_dir."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

    sites = {}
    if data_docs_dir is not None:
        sites[DATA_DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_checkpoints(
    frames: dict[str, Any], run_id: str, data_docs_dir: Path | None, max_failure_rate: float = MAX_ROW_FAILURE_RATE
) -> dict[str, Any]:
    """Validate each suite's audit frame with a real GX checkpoint; GX validation results keyed by suite name."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO lines are import chatter
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(data_docs_dir)
    datasource = context.data_sources.add_pandas("staging")
    gx_run_id = RunIdentifier(run_name=run_id, run_time=datetime.datetime.now(datetime.UTC))
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    # A checkpoint's batch parameters go to all its validation definitions, and each table is its own
    # in-memory frame, so each suite gets its own checkpoint.  Data Docs are built once at the end: an
    # UpdateDataDocsAction on each checkpoint re-renders the site index eight times (+2-4 s a run).
    results = {}
    for suite in SUITES:
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, meta={"table": suite.name}))
        for check in suite.checks:
            gx_suite.add_expectation(_expectation(gxe, check, max_failure_rate))
        batch = datasource.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("staged_rows")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"staging.{suite.name}", data=batch, suite=gx_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=f"kabar_{suite.name}", validation_definitions=[definition], result_format=result_format)
        )
        started = time.perf_counter()
        checkpoint_result = checkpoint.run(batch_parameters={"dataframe": frames[suite.name]}, run_id=gx_run_id)
        log.debug("checkpoint %s in %.2fs", suite.name, time.perf_counter() - started)
        (validation,) = checkpoint_result.run_results.values()
        results[suite.name] = validation
    if data_docs_dir is not None:
        started = time.perf_counter()
        context.build_data_docs(site_names=[DATA_DOCS_SITE])
        log.debug("data docs in %.2fs", time.perf_counter() - started)
    # The context outlives this call (GX keeps the current one); drop the frames it would keep alive.
    for suite in SUITES:
        context.checkpoints.delete(f"kabar_{suite.name}")
        context.validation_definitions.delete(f"staging.{suite.name}")
        context.suites.delete(suite.name)
    context.data_sources.delete("staging")
    return results


def _jsonable(value: Any) -> Any:
    """Sample values as JSON-friendly scalars."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def result_rows(run_id: str, suite: Suite, validation: Any) -> list[dict[str, Any]]:
    """dq_results rows for one suite's GX validation result, in the suite's check order."""
    by_key = {}
    for expectation_result in validation.results:
        config = expectation_result.expectation_config
        key = (config.type, config.kwargs.get("column"), tuple(config.kwargs.get("column_list") or ()))
        by_key[key] = expectation_result
    rows = []
    for check in suite.checks:
        outcome = by_key[(check.expectation, check.column, tuple(check.kwargs.get("column_list") or ()))]
        result = outcome.result or {}
        exception = (outcome.exception_info or {}).get("exception_message") if outcome.exception_info else None
        details = {
            "why": check.why,
            "sample": _jsonable(result.get("partial_unexpected_list", [])[:SAMPLE_SIZE]),
            "element_count": result.get("element_count"),
            "unexpected_percent": result.get("unexpected_percent"),
        }
        if "observed_value" in result:
            details["observed_value"] = _jsonable(result["observed_value"])
        if exception:
            details["exception"] = str(exception)
        rows.append(
            {
                "run_id": run_id,
                "suite": suite.name,
                "expectation": check.expectation,
                "column_name": check.column_name,
                "success": bool(outcome.success),
                "unexpected_count": result.get("unexpected_count"),
                "blocking": check.blocking,
                "details": json.dumps({k: v for k, v in details.items() if v is not None}, ensure_ascii=False),
                "kind": check.kind,
            }
        )
    return rows


def validate_staging(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    run_date: datetime.date,
    report_dir: Path,
    max_failure_rate: float = MAX_ROW_FAILURE_RATE,
) -> DQOutcome:
    """Check a commit unit's staged rows against every suite (writing Data Docs); the run's report is written by results."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    frames = audit_frames(con, run_id, run_date)
    audited = time.perf_counter()
    data_docs_dir = report_dir / "data_docs"
    pandas_frames = {name: frame.to_pandas(use_pyarrow_extension_array=True) for name, frame in frames.items()}
    validations = run_checkpoints(pandas_frames, run_id, data_docs_dir, max_failure_rate)
    del pandas_frames
    rows = [row for suite in SUITES for row in result_rows(run_id, suite, validations[suite.name])]
    results = pl.DataFrame(rows, schema=DQ_RESULTS_SCHEMA)
    index = data_docs_dir / "index.html"
    log.info("data quality %s: audit %.1fs, GX %.1fs", verdict(results), audited - started, time.perf_counter() - audited)
    failed = results.filter(~pl.col("success"))
    return DQOutcome(
        success=failed.height == 0,
        blocking_failed=failed.filter(pl.col("blocking")).height > 0,
        results=results,
        data_docs_path=index if index.exists() else None,
        staged_rows={name: frame.height for name, frame in frames.items()},
        row_failures={suite.name: row_failures(suite, frames[suite.name]) for suite in SUITES if suite.row_level_checks()},
    )
