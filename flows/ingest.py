"""The ingest flow: discover → skip known → transform in batches → de-duplicate → stage → check → publish → report."""
from __future__ import annotations

import sys
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from time import perf_counter

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import files
from flows.artifacts import after_run
from flows.config import IngestSettings
from transforms import pipeline
from warehouse import state, store


@dataclass
class RunSummary:
    """What a run did, printed at its end and kept in `runs`."""

    run_id: str
    status: str = "running"
    files_seen: int = 0
    files_new: int = 0
    same_bytes: int = 0
    articles_loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    entities_loaded: int = 0
    entity_mentions_loaded: int = 0
    events_loaded: int = 0
    event_mentions_loaded: int = 0
    dq_success: bool | None = None
    dq_blocking_failed: bool = False
    report_path: str | None = None
    error: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds


# ---------------------------------------------------------------- tasks: one I/O call or one transform each


@task(name="List input files", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def discover_files(input_dir: Path) -> pl.DataFrame:
    """List every regular .txt file under the input folder; log a warning line for each entry skipped."""
    listing, skipped = files.discover(input_dir)
    _warn_skipped(skipped)
    return listing


@task(name="Skip files already ingested", cache_policy=NO_CACHE)
def select_changed_files(con, listing: pl.DataFrame) -> pl.DataFrame:
    """Files whose (path, size, mtime) the manifest has not seen: the only ones worth reading."""
    con.register("listing", listing.to_arrow())
    try:
        return con.execute(
            """
            SELECT l.* FROM listing l
            WHERE NOT EXISTS (
                SELECT 1 FROM main.files f
                WHERE f.source_path = l.source_path AND f.size_bytes = l.size_bytes AND f.mtime_ns = l.mtime_ns
            )
            ORDER BY l.source_path
            """
        ).pl()
    finally:
        con.unregister("listing")


@task(name="Read a batch of files", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_files(batch: pl.DataFrame, max_file_bytes: int) -> pl.DataFrame:
    """Read a batch of files (oversized ones only hashed, not kept) and key each by its bytes; log any left out."""
    documents, skipped = files.read_batch(batch, max_file_bytes)
    _warn_skipped(skipped)
    return documents


def _warn_skipped(skipped: list[str], limit: int = 20) -> None:
    logger = get_run_logger()
    for line in skipped[:limit]:
        logger.warning(line)
    if len(skipped) > limit:
        logger.warning("… and %d more entries skipped", len(skipped) - limit)


@task(name="Clean and annotate a batch", cache_policy=NO_CACHE)
def transform_documents(
    documents: pl.DataFrame, params: pipeline.TransformParams, furniture: pl.DataFrame | None
) -> pipeline.BatchResult:
    """Run the pure per-batch transforms (on whichever worker the task runner picks)."""
    return pipeline.transform_batch(documents, params, furniture)


@task(name="Check staged rows (Great Expectations)", cache_policy=NO_CACHE)
def validate_staged(con, run_id: str, run_date: date, report_dir: Path):
    """Run the Great Expectations checkpoint over the staged rows."""
    from expectations.checkpoint import validate_staging

    return validate_staging(con, run_id, run_date, report_dir)


@task(name="Publish the commit unit", cache_policy=NO_CACHE)
def publish_staged(con) -> dict[str, int]:
    """Publish staged rows in one transaction."""
    return store.publish(con)


# ---------------------------------------------------------------- the flow


def _task_runner(settings: IngestSettings):
    from prefect.task_runners import ThreadPoolTaskRunner

    if settings.task_runner == "thread":
        return ThreadPoolTaskRunner(max_workers=settings.workers)
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": settings.workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
        )
    if settings.task_runner == "process":
        from flows.workers import WorkerPoolTaskRunner  # workers ignore Ctrl-C and die with the parent

        return WorkerPoolTaskRunner(max_workers=settings.workers)
    raise ValueError(f"unknown task runner {settings.task_runner!r}: use process, thread or dask")


def run_ingest(settings: IngestSettings, progress=None) -> RunSummary:
    """Run the ingest flow with the task runner the settings name; return its summary."""
    flow_with_runner = ingest_flow.with_options(task_runner=_task_runner(settings))
    return flow_with_runner(settings=settings, progress=progress)


@flow(name="kabar-ingest", log_prints=True, validate_parameters=False)
def ingest_flow(settings: IngestSettings = IngestSettings(), progress=None) -> RunSummary:
    """Ingest a folder of raw article files into the warehouse, write–audit–publish."""
    from prefect.runtime import flow_run

    logger = get_run_logger()
    summary = RunSummary(run_id=uuid.uuid4().hex[:16])
    started_at = datetime.now()
    run_date = started_at.date()
    con = store.connect(settings.db_path, wait_seconds=settings.lock_wait_seconds)
    try:
        store.migrate(con)
        con.execute(
            "INSERT INTO runs (run_id, flow_run_id, input_dir, started_at, status) VALUES (?, ?, ?, ?, 'running')",
            [summary.run_id, flow_run.id, str(settings.input_dir), started_at],
        )
        _ingest(con, settings, summary, run_date, progress, logger)
    except BaseException as error:
        # Ctrl-C, or SIGTERM (Prefect's TerminationSignal, or kabar's StopRequested): a stop, not a failure.
        stopped = isinstance(error, KeyboardInterrupt) or type(error).__name__ == "TerminationSignal"
        summary.status = "interrupted" if stopped else "failed"
        summary.error = summary.error or f"{type(error).__name__}: {error}"
        raise
    finally:
        _finish_run(con, summary)
        after_run(con, summary)  # search index, report history, Prefect artifacts
        con.close()
    return summary


def _ingest(con, settings: IngestSettings, summary: RunSummary, run_date: date, progress, logger) -> None:
    clock = perf_counter()
    listing = discover_files(settings.input_dir)
    changed = select_changed_files(con, listing)
    summary.files_seen = listing.height
    summary.add_seconds("discover", perf_counter() - clock)
    if changed.height == 0:
        summary.status = "success"
        logger.info("nothing new in %s (%d files already ingested)", settings.input_dir, listing.height)
        return

    from expectations.checkpoint import preload_great_expectations

    preload_great_expectations()  # its import would otherwise add seconds after the last batch
    params = pipeline.TransformParams(
        run_id=summary.run_id,
        ingested_at=datetime.now(),
        max_file_bytes=settings.max_file_bytes,
        rules_path=_optional_str(settings.rules_path),
        gazetteer_path=_optional_str(settings.gazetteer_path),
        triggers_path=_optional_str(settings.triggers_path),
    )
    if progress is not None:
        progress.start(total=changed.height)
    dq_units = _stream_units(con, changed, params, settings, summary, run_date, progress)
    if progress is not None:
        progress.finish()

    results = _combine_dq(dq_units)
    _record_dq(con, results)
    summary.dq_success = all(outcome.success for outcome in dq_units)
    summary.dq_blocking_failed = any(outcome.blocking_failed for outcome in dq_units)
    summary.report_path = str(dq_units[-1].report_path)
    if len(dq_units) > 1:
        from expectations.report import write_report

        staged = {}
        for outcome in dq_units:
            for table, rows in outcome.staged_rows.items():
                staged[table] = staged.get(table, 0) + rows
        summary.report_path = str(
            write_report(results, summary.run_id, run_date, settings.reports, staged_rows=staged,
                         data_docs_path=dq_units[-1].data_docs_path)
        )
    summary.duplicates = con.execute(
        "SELECT count(*) FROM main.articles WHERE run_id = ? AND duplicate_of IS NOT NULL", [summary.run_id]
    ).fetchone()[0]
    if summary.dq_blocking_failed:
        summary.status = "failed"
        published = f"; the {len(dq_units) - 1} commit unit(s) before it were published" if len(dq_units) > 1 else ""
        summary.error = f"a blocking data-quality check failed; its commit unit was not published{published} (see the report)"
        logger.error(summary.error)
        return
    summary.status = "success"


@dataclass
class _Unit:
    """The commit unit being staged: its number, the furniture its batches were given, its ingest order."""

    number: int
    furniture: pl.DataFrame | None
    ingest_order: int


def _stream_units(con, changed: pl.DataFrame, params, settings: IngestSettings, summary: RunSummary, run_date: date, progress) -> list:
    """Transform every changed file in batches and write–audit–publish them commit unit by commit unit.

    Each commit unit (`commit_every` files) is one write–audit–publish cycle, so staging, and the memory
    checking it takes, is bounded by the unit, not by the input. Batches are submitted ahead of the
    writer, so workers transform the next unit's first batches while the writer checks and publishes the
    current one. A unit that fails a blocking check stops the run; the units before it stay published.
    Returns the DQ outcome of every unit checked.
    """
    dq_units: list = []
    unit: _Unit | None = None
    in_flight: deque = deque()
    max_in_flight = max(3, 3 * settings.workers)
    routed: set[str] = set()  # hashes sent to workers this run: batches in flight have not staged theirs yet
    furniture = None

    def start_unit(number: int) -> _Unit:
        store.reset_staging(con)
        return _Unit(number, state.load_learned_boilerplate(con), state.next_ingest_order(con))

    def finish_unit() -> bool:
        outcome = _audit_and_publish(con, settings, summary, run_date)
        dq_units.append(outcome)
        return not outcome.blocking_failed

    def stage_next() -> bool:
        nonlocal unit, furniture
        number, listing_rows, same_bytes, future = in_flight.popleft()
        if unit is None or number != unit.number:
            if unit is not None and not finish_unit():
                return False
            unit = start_unit(number)
            furniture = unit.furniture
        store.stage(con, "files", same_bytes)
        unit.ingest_order = _stage_result(con, (listing_rows, future), unit.ingest_order, summary, progress)
        return True

    unit = start_unit(0)
    furniture = unit.furniture
    for offset in range(0, changed.height, settings.batch_size):
        clock = perf_counter()
        documents = read_files(changed.slice(offset, settings.batch_size), settings.max_file_bytes)
        documents, same_bytes = _route_same_bytes(con, documents, summary, routed)
        summary.add_seconds("read", perf_counter() - clock)
        listing_rows = documents.select("source_path", "source_sha256", "size_bytes", "mtime_ns")
        future = transform_documents.submit(documents, params, furniture)
        in_flight.append((offset // settings.commit_every, listing_rows, same_bytes, future))
        while len(in_flight) >= max_in_flight:
            if not stage_next():
                return dq_units
    while in_flight:
        if not stage_next():
            return dq_units
    finish_unit()
    return dq_units


def _audit_and_publish(con, settings: IngestSettings, summary: RunSummary, run_date: date):
    """Check the staged commit unit and, unless a blocking check fails, publish it; return the DQ outcome."""
    clock = perf_counter()
    store.consolidate_staging(con)
    outcome = validate_staged(con, summary.run_id, run_date, settings.reports)
    summary.add_seconds("validate", perf_counter() - clock)
    if outcome.blocking_failed:
        return outcome

    clock = perf_counter()
    inserted = publish_staged(con)
    summary.add_seconds("publish", perf_counter() - clock)
    summary.articles_loaded += inserted.get("articles", 0)
    summary.entities_loaded += inserted.get("entities", 0)
    summary.entity_mentions_loaded += inserted.get("entity_mentions", 0)
    summary.events_loaded += inserted.get("events", 0)
    summary.event_mentions_loaded += inserted.get("event_mentions", 0)
    summary.quarantined += inserted.get("quarantine", 0)
    return outcome


def _combine_dq(outcomes: list) -> pl.DataFrame:
    """One dq_results row per expectation for the run: it passed only if it passed in every commit unit."""
    if len(outcomes) == 1:
        return outcomes[0].results
    every = pl.concat([outcome.results.with_columns(pl.lit(unit).alias("_unit")) for unit, outcome in enumerate(outcomes)])
    keys = ["run_id", "suite", "expectation", "column_name", "blocking"]
    return (
        every.sort("success", "_unit")  # a failing unit's details first: they say what went wrong
        .group_by(keys, maintain_order=True)
        .agg(pl.col("success").all(), pl.col("unexpected_count").sum(), pl.col("details").first())
        .join(outcomes[0].results.select(keys).with_row_index("_order"), on=keys, how="left", nulls_equal=True)
        .sort("_order")
        .select(outcomes[0].results.columns)
    )


def _route_same_bytes(con, documents: pl.DataFrame, summary: RunSummary, routed: set[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off files whose bytes are already ingested; return (the rest, their `same_bytes` manifest rows).

    `routed` holds the hashes sent to the workers earlier in this commit unit: batches still in flight
    have not staged their manifest rows yet, so the warehouse alone cannot tell.
    """
    known = state.known_file_hashes(con, documents["source_sha256"])
    sent_earlier = pl.Series([digest in routed for digest in documents["source_sha256"].to_list()], dtype=pl.Boolean)
    is_known = documents["source_sha256"].is_in(known.implode()) | sent_earlier
    first_in_batch = documents.select(pl.col("source_sha256").is_first_distinct()).to_series()
    is_repeat = is_known | ~first_in_batch
    repeats = documents.filter(is_repeat)
    fresh = documents.filter(~is_repeat)
    routed.update(fresh["source_sha256"].to_list())
    summary.files_new += documents.height
    summary.same_bytes += repeats.height
    columns = ("article_id", "source_path", "source_sha256", "size_bytes", "mtime_ns", "raw_bytes", "outlet_hint")
    return fresh.select(columns), _manifest_rows(repeats, summary.run_id, status="same_bytes")


def _manifest_rows(documents: pl.DataFrame, run_id: str, status: str | pl.Expr) -> pl.DataFrame:
    return documents.select(
        "source_path",
        "source_sha256",
        "size_bytes",
        "mtime_ns",
        pl.col("source_sha256").str.slice(0, 16).alias("article_id"),
        (pl.lit(status) if isinstance(status, str) else status).alias("status"),
        pl.lit(run_id).alias("run_id"),
    )


def _stage_result(con, submitted, ingest_order: int, summary: RunSummary, progress) -> int:
    """Wait for one batch, mark its duplicates against everything before it, stage its rows; return the next ingest order."""
    listing_rows, future = submitted
    result: pipeline.BatchResult = future.result()
    for stage_name, seconds in result.stage_seconds.items():
        summary.add_seconds(stage_name, seconds)
    clock = perf_counter()
    result.articles = state.mark_duplicates(con, result.articles, result.signatures, ingest_order)
    summary.add_seconds("dedup", perf_counter() - clock)

    clock = perf_counter()
    quarantined = result.quarantine.with_columns(pl.lit(summary.run_id).alias("run_id"))
    is_article = pl.col("source_sha256").is_in(result.articles["source_sha256"].implode())
    manifest = _manifest_rows(
        listing_rows, summary.run_id, status=pl.when(is_article).then(pl.lit("article")).otherwise(pl.lit("quarantined"))
    ).with_columns(pl.when(is_article).then(pl.col("article_id")).alias("article_id"))
    for table, frame in result.frames().items():
        store.stage(con, table, quarantined if table == "quarantine" else frame)
    store.stage(con, "files", manifest)
    summary.add_seconds("stage", perf_counter() - clock)
    if progress is not None:
        progress.advance(listing_rows.height)
    return ingest_order + result.articles.height


def _record_dq(con, results: pl.DataFrame) -> None:
    if results.height:
        con.register("dq_frame", results.to_arrow())
        con.execute("INSERT INTO main.dq_results BY NAME SELECT * FROM dq_frame")
        con.unregister("dq_frame")


def _finish_run(con, summary: RunSummary) -> None:
    """Record the run's outcome; runs are written outside the publish transaction so failures are kept too."""
    if summary.status == "running":
        summary.status = "failed"
    con.execute(
        """
        UPDATE runs SET finished_at = ?, status = ?, files_seen = ?, files_new = ?, articles_loaded = ?,
               duplicates = ?, quarantined = ?, entities_loaded = ?, events_loaded = ?, dq_success = ?,
               report_path = ?, error = ?
        WHERE run_id = ?
        """,
        [
            datetime.now(), summary.status, summary.files_seen, summary.files_new, summary.articles_loaded,
            summary.duplicates, summary.quarantined, summary.entities_loaded, summary.events_loaded,
            summary.dq_success, summary.report_path, summary.error, summary.run_id,
        ],
    )


def _optional_str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def summary_dict(summary: RunSummary) -> dict:
    """The summary as plain data (for --format json and tests)."""
    return asdict(summary)


if __name__ == "__main__":  # pragma: no cover - `kabar ingest` is the entry point
    sys.exit("use: kabar ingest [INPUT_DIR]")
