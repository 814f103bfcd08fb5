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

from expectations.suites import BODIES_SQL, SUITES, Check, Suite, body_findings, span_findings

log = logging.getLogger(__name__)

DQ_RESULTS_SCHEMA = {
    "run_id": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "column_name": pl.String,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
    "blocking": pl.Boolean,
    "details": pl.String,
}
SAMPLE_SIZE = 5  # unexpected values kept per expectation (report and dq_results.details)
DATA_DOCS_SITE = "local_site"


@dataclass(frozen=True)
class DQOutcome:
    """The verdict of one run's data-quality checkpoint."""

    success: bool  # every expectation passed
    blocking_failed: bool  # at least one blocking expectation failed: do not publish
    results: pl.DataFrame  # exactly the dq_results columns
    report_path: Path  # the self-contained HTML report
    data_docs_path: Path | None  # Great Expectations Data Docs index, when written
    staged_rows: dict[str, int] = field(default_factory=dict)  # rows audited per suite

    @property
    def verdict(self) -> str:
        """PASSED, PASSED WITH WARNINGS or FAILED."""
        return verdict(self.results)


def verdict(results: pl.DataFrame) -> str:
    """PASSED, PASSED WITH WARNINGS or FAILED for a dq_results frame."""
    failed = results.filter(~pl.col("success"))
    if failed.filter(pl.col("blocking")).height:
        return "FAILED"
    return "PASSED WITH WARNINGS" if failed.height else "PASSED"


def preload_great_expectations() -> threading.Thread:
    """Import Great Expectations (5-7 s of module loading) in the background while the run transforms."""

    def load() -> None:
        import great_expectations  # noqa: F401
        import great_expectations.expectations  # noqa: F401

    loader = threading.Thread(target=load, name="preload-great-expectations", daemon=True)
    loader.start()
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


def audit_frames(con: duckdb.DuckDBPyConnection, run_id: str, run_date: datetime.date) -> dict[str, Any]:
    """Run every suite's audit query (and span check) on the staged rows; pandas frames keyed by suite name."""
    missing = missing_staging_tables(con)
    if missing:
        raise ValueError(f"staging schema lacks table(s) {', '.join(missing)}: stage every table (empty is fine) before validating")
    params = {"run_id": run_id, "run_date": run_date}
    bodies: pl.DataFrame | None = None
    frames = {}
    for suite in SUITES:
        started = time.perf_counter()
        used = {name: value for name, value in params.items() if f"${name}" in suite.audit_sql}
        audit = pl.from_arrow(con.execute(suite.audit_sql, used).to_arrow_table())
        if (suite.spans is not None or suite.body_checks) and bodies is None:
            # One body per id, or a duplicated staged article would fan out every row joined to it.
            bodies = pl.from_arrow(con.execute(BODIES_SQL).to_arrow_table()).unique("article_id", keep="first", maintain_order=True)
        if suite.body_checks:
            audit = body_findings(audit, bodies)
        if suite.spans is not None:
            findings = span_findings(audit, bodies, suite.spans.text_column).alias(suite.spans.finding)
            audit = audit.drop(suite.spans.text_column).with_columns(findings)
        frames[suite.name] = audit.to_pandas(use_pyarrow_extension_array=True)
        log.debug("audit %s: %d rows in %.2fs", suite.name, audit.height, time.perf_counter() - started)
    return frames


def _expectation(gxe: Any, check: Check) -> Any:
    """The Great Expectations expectation object for a check, with its blocking flag in meta and severity."""
    from great_expectations.expectations.metadata_types import FailureSeverity

    class_name = "".join(part.capitalize() for part in check.expectation.split("_"))
    label = "BLOCKING" if check.blocking else "warn"
    return getattr(gxe, class_name)(
        **check.gx_kwargs(),
        meta={"blocking": check.blocking, "why": check.why},
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


def run_checkpoints(frames: dict[str, Any], run_id: str, data_docs_dir: Path | None) -> dict[str, Any]:
    """Validate each suite's audit frame with a real GX checkpoint; GX validation results keyed by suite name."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO lines are import chatter
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(data_docs_dir)
    datasource = context.data_sources.add_pandas("staging")
    gx_run_id = RunIdentifier(run_name=run_id, run_time=datetime.datetime.now(datetime.timezone.utc))
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    # A checkpoint's batch parameters go to all its validation definitions, and each table is its own
    # in-memory frame, so each suite gets its own checkpoint.  Data Docs are built once at the end: an
    # UpdateDataDocsAction on each checkpoint re-renders the site index eight times (+2-4 s a run).
    results = {}
    for suite in SUITES:
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, meta={"table": suite.name}))
        for check in suite.checks:
            gx_suite.add_expectation(_expectation(gxe, check))
        batch = datasource.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("staged_rows")
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=f"staging.{suite.name}", data=batch, suite=gx_suite))
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
            }
        )
    return rows


def validate_staging(
    con: duckdb.DuckDBPyConnection, run_id: str, run_date: datetime.date, report_dir: Path
) -> DQOutcome:
    """Check the staged rows of a run against every suite; write the HTML report and Data Docs."""
    from expectations.report import write_report

    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    frames = audit_frames(con, run_id, run_date)
    audited = time.perf_counter()
    data_docs_dir = report_dir / "data_docs"
    validations = run_checkpoints(frames, run_id, data_docs_dir)
    validated = time.perf_counter()
    rows = [row for suite in SUITES for row in result_rows(run_id, suite, validations[suite.name])]
    results = pl.DataFrame(rows, schema=DQ_RESULTS_SCHEMA)
    index = data_docs_dir / "index.html"
    data_docs_path = index if index.exists() else None
    staged_rows = {name: len(frame) for name, frame in frames.items()}
    report_path = write_report(results, run_id, run_date, report_dir, staged_rows=staged_rows, data_docs_path=data_docs_path)
    log.info(
        "data quality %s: audit %.1fs, GX %.1fs, report %.1fs",
        verdict(results),
        audited - started,
        validated - audited,
        time.perf_counter() - validated,
    )
    failed = results.filter(~pl.col("success"))
    return DQOutcome(
        success=failed.height == 0,
        blocking_failed=failed.filter(pl.col("blocking")).height > 0,
        results=results,
        report_path=report_path,
        data_docs_path=data_docs_path,
        staged_rows=staged_rows,
    )


def write_dq_results(con: duckdb.DuckDBPyConnection, results: pl.DataFrame) -> int:
    """Append a run's dq_results rows to main.dq_results; returns the row count."""
    con.register("dq_results_incoming", results.to_arrow())
    try:
        con.execute("INSERT INTO main.dq_results BY NAME SELECT * FROM dq_results_incoming")
    finally:
        con.unregister("dq_results_incoming")
    return results.height
