"""The ingest flow: discover → skip known → transform in batches → de-duplicate → stage → check → publish → report."""

from __future__ import annotations

import hashlib
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
from warehouse import store
from warehouse.writer import UnitOutcome, Writer


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
    rows_dropped: int = 0  # entity/event mentions a row-level check kept out (see dropped_rows)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def status_line(self) -> str:
        """The status as users read it: `success with 12 quarantined` when anything was quarantined."""
        if self.status == "success" and self.quarantined:
            return f"success with {self.quarantined:,} quarantined"
        return self.status


# ---------------------------------------------------------------- tasks: one I/O call or one transform each


@task(name="List input files", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def discover_files(input_dir: Path) -> pl.DataFrame:
    """List every regular .txt file under the input folder; log a warning line for each entry skipped."""
    listing, skipped = files.discover(input_dir)
    _warn_skipped(skipped)
    return listing


@task(name="Skip files already ingested", cache_policy=NO_CACHE)
def select_changed_files(con, listing: pl.DataFrame, retry_quarantined: bool = False) -> pl.DataFrame:
    """Files whose (path, size, mtime) the manifest has not seen: the only ones worth reading.

    With `retry_quarantined`, files whose manifest row says `quarantined` are read again too (after a
    rule or check was fixed); a retried file replaces its quarantine row.
    """
    retry = "AND f.status <> 'quarantined'" if retry_quarantined else ""
    con.register("listing", listing.to_arrow())
    try:
        return con.execute(
            f"""
            SELECT l.*, EXISTS (
                SELECT 1 FROM main.files f WHERE f.source_path = l.source_path AND f.status = 'quarantined'
                  AND f.size_bytes = l.size_bytes AND f.mtime_ns = l.mtime_ns
            ) AS retry
            FROM listing l
            WHERE NOT EXISTS (
                SELECT 1 FROM main.files f
                WHERE f.source_path = l.source_path AND f.size_bytes = l.size_bytes AND f.mtime_ns = l.mtime_ns {retry}
            )
            ORDER BY l.source_path
            """
        ).pl()
    finally:
        con.unregister("listing")


@task(name="Re-hash files whose size and mtime are unchanged (--rescan)", cache_policy=NO_CACHE)
def find_edited_files(con, listing: pl.DataFrame, changed: pl.DataFrame) -> pl.DataFrame:
    """Files the manifest holds with this size and mtime whose content hashes differ now (an edit that kept both)."""
    candidates = listing.filter(~pl.col("source_path").is_in(changed["source_path"].implode()))
    con.register("rescan_listing", candidates.select("source_path").to_arrow())
    try:
        known = dict(
            con.execute(
                "SELECT f.source_path, list(f.source_sha256) FROM main.files f JOIN rescan_listing USING (source_path) GROUP BY ALL"
            ).fetchall()
        )
    finally:
        con.unregister("rescan_listing")
    edited = []
    for path in candidates["source_path"].to_list():
        try:
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            continue  # gone or unreadable since listing: the next run sees it as it is then
        if digest not in known.get(path, ()):
            edited.append(path)
    return candidates.filter(pl.col("source_path").is_in(edited)).with_columns(pl.lit(False).alias("retry"))


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


@task(name="Count recurring lines of a batch (learned boilerplate, pass 1)", cache_policy=NO_CACHE)
def count_lines(documents: pl.DataFrame, params: pipeline.TransformParams) -> pl.DataFrame:
    """Decode, normalise and count one batch's recurring lines (on whichever worker the task runner picks)."""
    return pipeline.count_batch(documents, params)


@task(name="Check, quarantine and publish the commit unit", cache_policy=NO_CACHE)
def audit_and_publish_unit(writer: Writer) -> UnitOutcome:
    """Check the staged commit unit with Great Expectations; act on row-level failures; publish unless blocked."""
    return writer.audit_and_publish()


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
        crashed = store.mark_crashed_runs(con)
        if crashed:
            logger.warning("%d earlier run(s) left `running` by a process that is gone: marked crashed", crashed)
        con.execute(
            "INSERT INTO runs (run_id, flow_run_id, input_dir, started_at, status) VALUES (?, ?, ?, ?, 'running')",
            [summary.run_id, flow_run.id, str(settings.input_dir), started_at],
        )
        _ingest(con, settings, summary, run_date, progress, logger)
    except BaseException as error:
        # Ctrl-C, or SIGTERM (Prefect's TerminationSignal, or kabar's StopRequested): a stop, not a failure.
        from flows.runtime import stop_in  # a stop inside a DuckDB query surfaces as `Query interrupted`

        stopped = stop_in(error) is not None or type(error).__name__ == "TerminationSignal"
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
    changed = select_changed_files(con, listing, settings.retry_quarantined)
    if settings.rescan:
        changed = pl.concat([changed, find_edited_files(con, listing, changed)], how="diagonal_relaxed").sort("source_path")
    summary.files_seen = listing.height
    summary.stage_seconds["discover"] = perf_counter() - clock
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
    writer = Writer(con, summary.run_id, run_date, settings.reports, settings.max_failure_rate)
    writer.add_step("discover", summary.stage_seconds["discover"], listing.height)
    if progress is not None:
        progress.start(total=changed.height)
    try:
        _stream_units(writer, changed, params, settings, summary, progress)
    finally:
        writer.finish()
        summary.stage_seconds = writer.step_seconds
    if progress is not None:
        progress.finish()

    results = writer.results()
    summary.dq_success = bool(results["success"].all())
    summary.dq_blocking_failed = any(unit.blocked for unit in writer.units)
    summary.report_path = str(writer.report_path) if writer.report_path else None
    summary.duplicates = con.execute(
        "SELECT count(*) FROM main.articles WHERE run_id = ? AND duplicate_of IS NOT NULL", [summary.run_id]
    ).fetchall()[0][0]
    if summary.dq_blocking_failed:
        summary.status = "failed"
        n_units = len(writer.units)
        published = f"; the {n_units - 1} commit unit(s) before it were published" if n_units > 1 else ""
        summary.error = f"a blocking data-quality check failed; its commit unit was not published{published} (see the report)"
        logger.error(summary.error)
        return
    summary.status = "success"


def plan_batches(changed: pl.DataFrame, batch_size: int, commit_every: int) -> list[tuple[int, bool, pl.DataFrame]]:
    """Cut the changed files into (commit unit number, is a retry, batch) in order; a batch never spans two units.

    Files read again by `--retry-quarantined` come last, in units of their own: they were chosen because
    they failed, so the failure-rate checks do not apply to them (each still passes or is quarantined).
    """
    batches = []
    unit = 0
    for is_retry in (False, True):
        files = (
            changed.filter(pl.col("retry") == is_retry)
            if "retry" in changed.columns
            else changed
            if not is_retry
            else changed.head(0)
        )
        for unit_start in range(0, files.height, commit_every):
            unit_files = files.slice(unit_start, commit_every)
            for batch_start in range(0, unit_files.height, batch_size):
                batches.append((unit, is_retry, unit_files.slice(batch_start, batch_size)))
            unit += 1
    return batches


def _stream_units(writer: Writer, changed: pl.DataFrame, params, settings: IngestSettings, summary: RunSummary, progress) -> None:
    """Transform every changed file in batches; the writer stages them and write–audit–publishes commit unit by commit unit.

    Each commit unit (`commit_every` files) is one write–audit–publish cycle, so staging, and the memory
    checking it takes, is bounded by the unit, not by the input. Batches are submitted ahead of the
    writer, so workers transform the next unit's first batches while the writer checks and publishes the
    current one. A unit that fails a blocking check stops the run; the units before it stay published.
    """
    in_flight: deque = deque()
    max_in_flight = max(3, 3 * settings.workers)

    def stage_next() -> bool:
        number, is_retry, listing_rows, same_bytes, future = in_flight.popleft()
        if number != writer.unit_number:
            if not _finish_unit(writer, summary):
                return False
            writer.start_unit(number, max_failure_rate=1.0 if is_retry else settings.max_failure_rate)
        writer.stage_batch(listing_rows, same_bytes, future.result())
        if progress is not None:
            progress.advance(listing_rows.height)
        return True

    batches = plan_batches(changed, settings.batch_size, settings.commit_every)
    furniture = _learn_furniture(writer, batches, params, settings)
    if batches:
        writer.start_unit(0, max_failure_rate=1.0 if batches[0][1] else settings.max_failure_rate)
    for number, is_retry, batch in batches:
        clock = perf_counter()
        documents = read_files(batch, settings.max_file_bytes)
        writer.add_step("read", perf_counter() - clock, batch.height)
        documents, same_bytes = writer.route_same_bytes(documents)
        summary.files_new += batch.height
        summary.same_bytes += same_bytes.height
        listing_rows = documents.select("source_path", "source_sha256", "size_bytes", "mtime_ns")
        future = transform_documents.submit(documents.select(_DOCUMENT_COLUMNS), params, furniture)
        in_flight.append((number, is_retry, listing_rows, same_bytes, future))
        while len(in_flight) >= max_in_flight:
            if not stage_next():
                return
    while in_flight:
        if not stage_next():
            return
    _finish_unit(writer, summary)


def _learn_furniture(writer: Writer, batches: list, params, settings: IngestSettings) -> pl.DataFrame | None:
    """Pass 1: count every new file's recurring lines on the workers; return the run's one furniture snapshot."""
    in_flight: deque = deque()
    max_in_flight = max(3, 3 * settings.workers)
    clock = perf_counter()
    for number, _, batch in batches:
        documents = read_files(batch, settings.max_file_bytes)
        in_flight.append((number, count_lines.submit(documents.select(_DOCUMENT_COLUMNS), params)))
        while len(in_flight) >= max_in_flight:
            unit, future = in_flight.popleft()
            writer.add_line_counts(unit, future.result())
    while in_flight:
        unit, future = in_flight.popleft()
        writer.add_line_counts(unit, future.result())
    furniture = writer.run_furniture()
    writer.add_step("learn", perf_counter() - clock, sum(batch.height for _, _, batch in batches))
    return furniture


_DOCUMENT_COLUMNS = ("article_id", "source_path", "source_sha256", "size_bytes", "mtime_ns", "raw_bytes", "outlet_hint")


def _finish_unit(writer: Writer, summary: RunSummary) -> bool:
    """Audit and publish the staged unit; add what it published to the summary; False when it was blocked."""
    unit = audit_and_publish_unit(writer)
    summary.articles_loaded += unit.published.get("articles", 0)
    summary.entities_loaded += unit.published.get("entities", 0)
    summary.entity_mentions_loaded += unit.published.get("entity_mentions", 0)
    summary.events_loaded += unit.published.get("events", 0)
    summary.event_mentions_loaded += unit.published.get("event_mentions", 0)
    summary.quarantined += unit.published.get("quarantine", 0)
    summary.rows_dropped += unit.published.get("dropped_rows", 0)
    return not unit.blocked


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
            datetime.now(),
            summary.status,
            summary.files_seen,
            summary.files_new,
            summary.articles_loaded,
            summary.duplicates,
            summary.quarantined,
            summary.entities_loaded,
            summary.events_loaded,
            summary.dq_success,
            summary.report_path,
            summary.error,
            summary.run_id,
        ],
    )


def _optional_str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def summary_dict(summary: RunSummary) -> dict:
    """The summary as plain data (for --format json and tests)."""
    return asdict(summary) | {"status_line": summary.status_line}


if __name__ == "__main__":  # pragma: no cover - `kabar ingest` is the entry point
    sys.exit("use: kabar ingest [INPUT_DIR]")
