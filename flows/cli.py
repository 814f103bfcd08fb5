"""`kabar`: ingest, query, serve on a schedule, read data quality, show an article."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer

from flows.cli_server import server_app
from flows.config import SAMPLE_DIR, IngestSettings, configure_prefect_environment, default_db_path

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Kabar: Indonesian news text into a DuckDB warehouse.")

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $KABAR_DB or ./kabar.duckdb).")


class _Progress:
    """Files-done progress: a live bar on a terminal, a line every 10% otherwise."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self._next_report = 0.1
        self._bar: Any = None  # rich.progress.Progress on a terminal

    def start(self, total: int) -> None:
        self.total = total
        if sys.stderr.isatty() and total >= 1000:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task("ingesting", total=total)

    def advance(self, n_files: int) -> None:
        self.done += n_files
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
        elif self.total >= 1000 and self.done / self.total >= self._next_report:
            typer.echo(f"  {self.done:,}/{self.total:,} files", err=True)
            self._next_report += 0.1

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command()
def ingest(
    input_dir: Path = typer.Argument(SAMPLE_DIR, help="Folder of raw .txt articles (default: the bundled sample)."),
    db: Path | None = DB_OPTION,
    batch_size: int = typer.Option(1000, help="Articles per transform batch (bounds worker memory)."),
    commit_every: int = typer.Option(
        20_000, help="Files per write–audit–publish cycle (bounds staging and checking memory; a failing cycle stops the run)."
    ),
    workers: int = typer.Option(IngestSettings().workers, help="Worker processes for the transform batches."),
    task_runner: str | None = typer.Option(
        None, help="process | thread | dask (default: process; thread when the new files fit in one batch)"
    ),
    dask_address: str | None = typer.Option(None, help="Scheduler address of a running Dask cluster (tcp://host:8786)."),
    rules: Path | None = typer.Option(None, help="Boilerplate rule library to use instead of the bundled one."),
    gazetteer: Path | None = typer.Option(None, help="Extra gazetteer file (see data/gazetteer/README.md)."),
    triggers: Path | None = typer.Option(None, help="Extra event trigger table (see data/events/README.md)."),
    max_quarantine_rate: float = typer.Option(
        0.02,
        help="Share of a commit unit's rows that may fail row-level checks (each quarantined or dropped) before the unit blocks.",
    ),
    retry_quarantined: bool = typer.Option(
        False,
        "--retry-quarantined",
        help="Read quarantined files again (after fixing a rule or check); they replace their quarantine rows.",
    ),
    rescan: bool = typer.Option(
        False, "--rescan", help="Re-hash every file, even with size and mtime unchanged: an edit that kept both supersedes too."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Ingest a folder of raw articles: a real Prefect flow run, write–audit–publish into DuckDB."""
    if not input_dir.is_dir():
        raise typer.BadParameter(f"{input_dir} is not a folder", param_hint="INPUT_DIR")
    from flows.runtime import install_stop_handlers

    install_stop_handlers()
    started = time.perf_counter()
    as_script = Path(sys.argv[0]).name == "kabar"  # the `kabar` process itself, not a test runner's in-process call
    try:
        _ingest(
            input_dir,
            db,
            batch_size,
            commit_every,
            workers,
            task_runner,
            dask_address,
            rules,
            gazetteer,
            triggers,
            max_quarantine_rate,
            retry_quarantined,
            rescan,
            as_json,
            started,
        )
    except typer.Exit as done:
        if as_script:
            from flows.runtime import exit_skipping_teardown

            exit_skipping_teardown(done.exit_code)
        raise
    except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM (StopRequested), wherever it landed
        _exit_stopped(stop, started)
    except Exception as error:
        from flows.runtime import stop_in

        landed = stop_in(error)  # a stop that landed in a DuckDB query comes back as `Query interrupted`
        if landed is None:
            raise
        _exit_stopped(landed, started)
    if as_script:
        from flows.runtime import exit_skipping_teardown

        exit_skipping_teardown(0)


def _ingest(
    input_dir: Path,
    db: Path | None,
    batch_size: int,
    commit_every: int,
    workers: int,
    task_runner: str | None,
    dask_address: str | None,
    rules: Path | None,
    gazetteer: Path | None,
    triggers: Path | None,
    max_quarantine_rate: float,
    retry_quarantined: bool,
    rescan: bool,
    as_json: bool,
    started: float,
) -> None:
    db_path = db or default_db_path()
    api_url, server_seconds = _prefect_api_or_exit()
    from flows import unchanged

    precheck = unchanged.check(input_dir, db_path)  # before importing Prefect: the everyday run ends here
    if precheck.nothing_new and not retry_quarantined and not rescan:
        _finish_unchanged(input_dir, db_path, precheck, api_url, server_seconds, started, as_json)
        return
    if task_runner is None:
        # One batch gains nothing from worker processes, which would each pay Prefect's import again.
        one_batch = (
            precheck.n_changed is not None and precheck.n_changed <= batch_size and not dask_address and not retry_quarantined
        )
        task_runner = "thread" if one_batch else "process"
    from expectations.checkpoint import preload_great_expectations

    preload_great_expectations()  # seconds of imports: start them now, under Prefect's flow start-up
    from flows.ingest import run_ingest, summary_dict
    from flows.runtime import quiet_crash_report
    from warehouse.store import WarehouseBusy

    quiet_crash_report()  # a stop is reported in one line below, not also by Prefect's crash log

    settings = IngestSettings(
        input_dir=input_dir,
        db_path=db_path,
        batch_size=batch_size,
        commit_every=commit_every,
        workers=workers,
        task_runner="dask" if dask_address else task_runner,
        dask_address=dask_address,
        rules_path=rules,
        gazetteer_path=gazetteer,
        triggers_path=triggers,
        max_failure_rate=max_quarantine_rate,
        retry_quarantined=retry_quarantined,
        rescan=rescan,
    )
    flow_started = time.perf_counter()
    try:
        summary = run_ingest(settings, progress=_Progress())
    except WarehouseBusy as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None
    flow_seconds = time.perf_counter() - flow_started
    if as_json:
        payload = summary_dict(summary) | {
            "prefect_api_url": api_url,
            "prefect_startup_seconds": round(server_seconds, 2),
            "flow_seconds": round(flow_seconds, 2),
            "total_seconds": round(time.perf_counter() - started, 2),
        }
        typer.echo(json.dumps(payload, default=str))
    else:
        _print_summary(summary, settings, flow_seconds, server_seconds)
    if summary.status != "success":
        raise typer.Exit(1)


def _exit_stopped(stop: KeyboardInterrupt, started: float) -> None:
    """End every child, say in one line that the run was stopped, and exit 128 + the signal number."""
    import os
    import signal

    from flows.runtime import signal_name, stop_children

    signum = getattr(stop, "signum", signal.SIGINT)
    stop_children()
    typer.echo(
        f"stopped by {signal_name(signum)} after {time.perf_counter() - started:.1f} s: the run is recorded as "
        "interrupted; commit units already published stay, the unfinished one was not published",
        err=True,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(128 + signum)  # not a normal exit: the pool's and Prefect's exit hooks would wait on dead workers


def _prefect_api_or_exit() -> tuple[str, float]:
    """The Prefect API for this run (Kabar's managed server unless PREFECT_API_URL is set); exit 2 with one line if none."""
    from flows.runtime import PrefectUnavailable, ensure_prefect_api

    try:
        return ensure_prefect_api(announce=lambda line: typer.echo(line, err=True))
    except PrefectUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _finish_unchanged(
    input_dir: Path, db_path: Path, precheck, api_url: str, server_seconds: float, started: float, as_json: bool
) -> None:
    """Record and print a run that found nothing new, without starting the flow."""
    from flows import unchanged
    from flows.runtime import record_flow_run

    for line in precheck.warnings[:20]:
        typer.echo(f"warning: {line}", err=True)
    if len(precheck.warnings) > 20:
        typer.echo(f"warning: … and {len(precheck.warnings) - 20} more entries skipped", err=True)
    message = f"nothing new: {precheck.files_seen} files already ingested"
    flow_run_id = record_flow_run(api_url, "kabar-ingest", {"input_dir": str(input_dir), "db_path": str(db_path)}, message)
    run_id = unchanged.record_run(db_path, input_dir, precheck.files_seen, flow_run_id)
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "run_id": run_id,
                    "status": "success",
                    "files_seen": precheck.files_seen,
                    "files_new": 0,
                    "same_bytes": 0,
                    "articles_loaded": 0,
                    "duplicates": 0,
                    "quarantined": 0,
                    "entities_loaded": 0,
                    "entity_mentions_loaded": 0,
                    "events_loaded": 0,
                    "event_mentions_loaded": 0,
                    "dq_success": None,
                    "dq_blocking_failed": False,
                    "report_path": None,
                    "error": None,
                    "stage_seconds": {},
                    "flow_run_id": flow_run_id,
                    "prefect_api_url": api_url,
                    "prefect_startup_seconds": round(server_seconds, 2),
                    "flow_seconds": 0.0,
                    "total_seconds": round(seconds, 2),
                }
            )
        )
        return
    typer.echo(f"run {run_id}: success, nothing new ({precheck.files_seen:,} files already ingested; {seconds:.1f} s)")
    typer.echo(f"  warehouse   {db_path}")


def _print_summary(summary, settings: IngestSettings, flow_seconds: float, server_seconds: float) -> None:
    verdict = {True: "passed", False: "passed with warnings", None: "not run (nothing new)"}[summary.dq_success]
    if summary.dq_blocking_failed:
        verdict = "FAILED (blocking check) — nothing published"
    lines = [
        f"run {summary.run_id}: {summary.status_line}  ({flow_seconds:.1f} s; Prefect start-up {server_seconds:.1f} s)",
        f"  files       seen {summary.files_seen:,}  new {summary.files_new:,}  same bytes {summary.same_bytes:,}",
        f"  articles    loaded {summary.articles_loaded:,}  duplicates {summary.duplicates:,}  quarantined {summary.quarantined:,}",
        f"  entities    {summary.entities_loaded:,} new ({summary.entity_mentions_loaded:,} mentions)"
        + (f"  {summary.rows_dropped:,} mention rows dropped by row-level checks" if summary.rows_dropped else ""),
        f"  events      {summary.events_loaded:,} new ({summary.event_mentions_loaded:,} mentions)",
        f"  data quality {verdict}" + (f"  report: {summary.report_path}" if summary.report_path else ""),
        f"  warehouse   {settings.db_path}",
    ]
    if summary.error:
        lines.append(f"  error       {summary.error}")
    typer.echo("\n".join(lines))


@app.command()
def query(
    sql: str = typer.Argument(..., help="One query (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); nothing else runs."),
    db: Path | None = DB_OPTION,
    output_format: str = typer.Option("table", "--format", help="table | csv | json"),
) -> None:
    """Run one query against the warehouse: read-only, no file, extension, settings or other-database access."""
    import duckdb

    from warehouse.sandbox import RefusedSQL, check_sql, connect_sandboxed

    if output_format not in ("table", "csv", "json"):
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    try:
        check_sql(sql)
    except RefusedSQL as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(2) from None
    con = _connect_or_exit(db, connect_sandboxed)
    try:
        relation = con.sql(sql)
        if relation is None:
            return
        if output_format == "table":
            import shutil

            relation.show(max_width=max(100, shutil.get_terminal_size((160, 40)).columns), max_rows=200, max_col_width=60)
        elif output_format == "csv":
            typer.echo(relation.pl().write_csv(), nl=False)
        else:
            typer.echo(json.dumps(relation.pl().to_dicts(), default=str, ensure_ascii=False))
    except duckdb.PermissionException as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(2) from None
    except duckdb.Error as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        con.close()


def _connect_or_exit(db: Path | None, opener=None):
    """Open the warehouse for reading, waiting as long as ingest does for a writer; exit 3 with one line if it stays busy."""
    from warehouse.store import WarehouseBusy, connect

    db_path = db or default_db_path()
    wait_seconds = IngestSettings().lock_wait_seconds
    if not db_path.exists():
        typer.echo(f"error: no warehouse at {db_path}: run `kabar ingest` first (or pass --db)", err=True)
        raise typer.Exit(1)
    try:
        if opener is None:
            return connect(db_path, read_only=True, wait_seconds=wait_seconds)
        return opener(db_path, wait_seconds=wait_seconds)
    except WarehouseBusy:
        typer.echo(f"error: {db_path} is held by another process (a running ingest?); waited {wait_seconds:.0f} s", err=True)
        raise typer.Exit(3) from None


@app.command()
def dq(
    db: Path | None = DB_OPTION,
    run_id: str | None = typer.Option(None, "--run", help="A run id (default: the latest checked run)."),
    every_check: bool = typer.Option(False, "--all", help="List every check's verdict, not only those that failed or acted."),
) -> None:
    """Show a run's data quality: published, quarantined by reason (with `kabar show` hints), the verdict per check."""
    import polars as pl

    from expectations.results import quarantine_by_reason, verdict

    con = _connect_or_exit(db)
    try:
        run = con.execute(
            "SELECT run_id, status, started_at, report_path, articles_loaded, quarantined FROM runs "
            "WHERE dq_success IS NOT NULL AND (run_id = $run OR $run IS NULL) ORDER BY started_at DESC LIMIT 1",
            {"run": run_id},
        ).fetchone()
        if run is None:
            typer.echo(
                "no run has been checked yet: run `kabar ingest` first" if run_id is None else f"no checked run {run_id!r}"
            )
            raise typer.Exit(1)
        run_id, status, started_at, report_path, articles_loaded, quarantined = run
        results = con.execute("SELECT * FROM dq_results WHERE run_id = ?", [run_id]).pl()
        by_reason = quarantine_by_reason(con, run_id)
        dropped = con.execute("SELECT count(*) FROM dropped_rows WHERE run_id = ?", [run_id]).fetchall()[0][0]
    finally:
        con.close()
    status_line = f"{status} with {quarantined:,} quarantined" if status == "success" and quarantined else status
    typer.echo(
        f"run {run_id} ({started_at:%Y-%m-%d %H:%M}, {status_line}): data quality {verdict(results)}, {results.height} checks"
    )
    typer.echo(f"  published   {articles_loaded or 0:,} articles" + (f"; {dropped:,} mention rows dropped" if dropped else ""))
    for row in by_reason.iter_rows(named=True):
        typer.echo(f"  quarantined {row['files']:>6,}  {row['reason']}")
        for sample in row["samples"]:
            hint = f"  → kabar show {sample['article_id']}" if sample["article_id"] else ""
            typer.echo(f"      {sample['source_path']}{hint}")
    shown = results if every_check else results.filter(~pl.col("success") | (pl.col("unexpected_count") > 0))
    for row in shown.iter_rows(named=True):
        acted = row["kind"] == "row-level" and not row["blocking"]  # derived rows: dropped or nulled, never blocking
        state = "pass" if row["success"] else ("acted" if acted else "FAIL")
        typer.echo(
            f"  {state}  {row['kind'] or ('blocking' if row['blocking'] else 'warn'):<9}  {row['suite']}.{row['column_name'] or ''}"
            f" ({row['expectation']}): {row['unexpected_count'] or 0} unexpected"
        )
    typer.echo(f"report: {report_path}")
    if report_path and (Path(report_path).parent / "data_docs" / "index.html").exists():
        typer.echo(f"Great Expectations Data Docs: {Path(report_path).parent / 'data_docs' / 'index.html'}")


@app.command()
def show(article_id: str = typer.Argument(...), db: Path | None = DB_OPTION) -> None:
    """Show an article's raw text, clean text and what was removed, side by side."""
    from flows.show import render_article
    from warehouse.store import WarehouseBusy

    _connect_or_exit(db).close()  # a missing file, or one busy for long: one line and exit 1 or 3, not a traceback
    try:
        typer.echo(render_article(db or default_db_path(), article_id))
    except WarehouseBusy as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None


@app.command()
def serve(
    input_dir: Path = typer.Argument(SAMPLE_DIR, help="Folder to ingest on every scheduled run."),
    cron: str = typer.Option("*/15 * * * *", help="Cron schedule."),
    db: Path | None = DB_OPTION,
    name: str = typer.Option("kabar-scheduled-ingest", help="Deployment name."),
) -> None:
    """Serve a Prefect deployment that ingests INPUT_DIR on a cron schedule (needs a running Prefect server)."""
    configure_prefect_environment()
    import os

    from flows.runtime import api_reachable

    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        from flows import server

        managed = server.status()  # Kabar's own long-lived server, if it runs
        if managed is not None:
            api_url = os.environ["PREFECT_API_URL"] = managed.api_url
    if not api_url or not api_reachable(api_url):
        typer.echo(
            "error: `kabar serve` needs a running Prefect server for its schedule.\n"
            "  start Kabar's:  .venv/bin/kabar server start\n"
            "  or another:  .venv/bin/prefect server start        (UI at http://127.0.0.1:4200)\n"
            "  then:       export PREFECT_API_URL=http://127.0.0.1:4200/api && kabar serve ...",
            err=True,
        )
        raise typer.Exit(2)
    from flows.scheduled import scheduled_ingest

    typer.echo(f"serving deployment {name!r} on {api_url} with cron {cron!r}; Ctrl-C to stop")
    scheduled_ingest.serve(
        name=name,
        cron=cron,
        parameters={"input_dir": str(input_dir.resolve()), "db_path": str((db or default_db_path()).resolve())},
    )


@app.command("search")
def search_articles(
    query_text: str = typer.Argument(..., metavar="QUERY", help='Words to look for, e.g. "kata kunci" (Indonesian stemming).'),
    db: Path | None = DB_OPTION,
    outlet: str | None = typer.Option(None, help="Only this outlet (case-insensitive)."),
    since: str | None = typer.Option(None, metavar="YYYY-MM-DD", help="Only articles dated on or after this day."),
    limit: int = typer.Option(10, help="At most this many results."),
    rebuild: bool = typer.Option(True, help="Rebuild a missing or stale index first (needs a short write connection)."),
) -> None:
    """Full-text search over titles and bodies (BM25, Indonesian stemmer); read-only unless the index needs rebuilding."""
    from datetime import date

    from warehouse import search
    from warehouse.store import WarehouseBusy

    try:
        since_day = date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--since") from None
    path = db or default_db_path()
    if not path.exists():
        typer.echo(f"error: no warehouse at {path}: run `kabar ingest` first", err=True)
        raise typer.Exit(1)
    try:
        con = search.open_searchable(
            path, IngestSettings().lock_wait_seconds, rebuild, say=lambda line: typer.echo(line, err=True)
        )
    except search.NoIndex as error:
        typer.echo(f"error: {error}; run without --no-rebuild to build it", err=True)
        raise typer.Exit(1) from None
    except WarehouseBusy as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None
    try:
        hits = search.search(con, query_text, outlet=outlet, since=since_day, limit=limit)
    finally:
        con.close()
    if not hits:
        typer.echo("no article matches")
        return
    for rank, hit in enumerate(hits, 1):
        when = hit.news_date.isoformat() if hit.news_date else "undated"
        typer.echo(f"{rank:>2}. {hit.title or '(no title)'}")
        typer.echo(f"    {hit.outlet or 'unknown outlet'} · {when} · {hit.article_id} · score {hit.score:.2f}")
        typer.echo(f"    {hit.snippet}")


@app.command("export")
def export_table(
    table: str = typer.Argument(..., help="A table or view (articles, events, entity_mentions, …) or events-gdelt."),
    output_format: str = typer.Option("parquet", "--format", help="parquet | csv | jsonl"),
    out: Path = typer.Option(..., "--out", help="Folder to write into (an earlier export of the same table is replaced)."),
    db: Path | None = DB_OPTION,
) -> None:
    """Export a table (Parquet partitioned by month for the big ones) or events in the GDELT 2.0 Events layout."""
    from warehouse.export import FORMATS, export
    from warehouse.store import WarehouseBusy, connect

    if output_format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    try:
        con = connect(db or default_db_path(), read_only=True, wait_seconds=IngestSettings().lock_wait_seconds)
    except WarehouseBusy as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None
    try:
        result = export(con, table, output_format, out)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="TABLE") from None
    finally:
        con.close()
    partitioned = f", partitioned by {result.partitioned_by}" if result.partitioned_by else ""
    typer.echo(f"{result.rows:,} rows of {table} → {result.path}{partitioned}")


@app.command("report")
def analyst_report(
    db: Path | None = DB_OPTION,
    out: Path | None = typer.Option(
        None, "--out", help="HTML file to write (default: reports/overview.html beside the database)."
    ),
    weeks: int = typer.Option(12, help="Weeks of top entities."),
    top: int = typer.Option(15, help="How many entities to rank."),
) -> None:
    """Write the analyst overview: top entities per week, event timeline by root code, co-occurrence (offline SVG charts)."""
    from flows.overview import write_overview
    from warehouse.store import WarehouseBusy

    path = db or default_db_path()
    if not path.exists():
        typer.echo(f"error: no warehouse at {path}: run `kabar ingest` first", err=True)
        raise typer.Exit(1)
    target = out or path.resolve().parent / "reports" / "overview.html"
    try:
        written = write_overview(path, target, weeks=weeks, top=top)
    except WarehouseBusy as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None
    typer.echo(f"overview: {written}")


app.add_typer(server_app, name="server")


@app.command("train-ner", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train_ner(ctx: typer.Context) -> None:
    """Retrain the bundled NER model from the training data (needs ../shared/ner); options go to the trainer (--help)."""
    import subprocess

    # The trainer is a tool, not part of the pipeline: it runs as its own program, with its own arguments.
    code = subprocess.call([sys.executable, "-m", "benchmarks.train_ner", *ctx.args])
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
