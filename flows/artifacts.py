"""What a run leaves besides its rows: Prefect artifacts on the flow run's page, the report's history, a fresh search index.

`after_run` is called once at the end of every ingest run, after the run is recorded in `runs`, whether
the run succeeded or not. Nothing here may fail the run: each step logs a warning and moves on.
"""

from __future__ import annotations

import json
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

# Rebuilding DuckDB's FTS index is a full rebuild (about 2 s per 1,000 articles on two cores); above this
# many articles a run leaves it stale and `kabar search` rebuilds it on first use, saying so.
SEARCH_REFRESH_MAX_ARTICLES = 20_000
COUNTS = (
    ("files seen", "files_seen"),
    ("files new", "files_new"),
    ("files with bytes already ingested", "same_bytes"),
    ("articles loaded", "articles_loaded"),
    ("of which duplicates", "duplicates"),
    ("files quarantined", "quarantined"),
    ("entities new", "entities_loaded"),
    ("entity mentions", "entity_mentions_loaded"),
    ("events new", "events_loaded"),
    ("event mentions", "event_mentions_loaded"),
)


def dq_verdict(failures: list[dict], n_checks: int) -> str:
    """PASSED, PASSED WITH WARNINGS, FAILED, or NOT CHECKED when the run had nothing new to check."""
    if not n_checks:
        return "NOT CHECKED"
    if any(row["blocking"] for row in failures):
        return "FAILED"
    return "PASSED WITH WARNINGS" if failures else "PASSED"


def _cell(value) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def failures_markdown(run_id: str, verdict: str, failures: list[dict]) -> str:
    """A markdown summary of the run's failed expectations, blocking first, with sample unexpected values."""
    if verdict == "NOT CHECKED":
        return f"# Run `{run_id}`: nothing new was checked"
    if not failures:
        return f"# Run `{run_id}`: every expectation passed"
    lines = [
        f"# Run `{run_id}`: {len(failures)} failed expectation{'s' if len(failures) != 1 else ''}",
        "",
        "| severity | suite | expectation | column | unexpected | sample |",
        "|---|---|---|---|---:|---|",
    ]
    for row in failures:
        details = json.loads(row["details"]) if row.get("details") else {}
        sample = ", ".join(f"`{_cell(value)[:60]}`" for value in (details.get("sample") or [])[:3])
        lines.append(
            f"| {'**blocking**' if row['blocking'] else 'warning'} | {_cell(row['suite'])} | `{_cell(row['expectation'])}` "
            f"| {_cell(row['column_name'])} | {_cell(row['unexpected_count'])} | {sample} |"
        )
    return "\n".join(lines)


@task(name="Refresh the search index", cache_policy=NO_CACHE)
def refresh_search_index(con, max_articles: int = SEARCH_REFRESH_MAX_ARTICLES) -> float | None:
    """Rebuild the full-text index over the published articles when the warehouse is small enough to do it now."""
    from warehouse import search

    n_articles = con.execute("SELECT count(*) FROM main.articles").fetchall()[0][0]
    if n_articles > max_articles:
        get_run_logger().info(
            "search index left stale: %d articles (rebuilding takes minutes); `kabar search` rebuilds it on first use", n_articles
        )
        return None
    return search.refresh_index(con)


@task(name="Add run history to the report", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def add_report_history(con, report_path: str) -> None:
    """Write the last runs' charts into the run's HTML report and reports/latest.html."""
    from expectations.history import add_history_to_report

    add_history_to_report(con, Path(report_path))


@task(name="Publish run artifacts", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_artifacts(summary, failures: list[dict], n_checks: int) -> str:
    """Counts table, DQ verdict, report link and failures summary on the flow run's page; returns the verdict."""
    verdict = dq_verdict(failures, n_checks)
    run_id = summary.run_id
    create_table_artifact(
        key="kabar-run-counts",
        table=[{"what": label, "count": getattr(summary, field, None)} for label, field in COUNTS],
        description=f"Run {run_id}: {summary.status}",
    )
    blocking = sum(1 for row in failures if row["blocking"])
    create_markdown_artifact(
        key="kabar-dq-verdict",
        markdown=(
            f"# Data quality: {verdict}\n\nRun `{run_id}` ({summary.status}): {n_checks} checks, "
            f"{blocking} blocking failed, {len(failures) - blocking} warnings."
            + (f"\n\n{summary.error}" if summary.error else "")
        ),
        description=f"Data-quality verdict: {verdict}",
    )
    if summary.report_path:
        create_link_artifact(
            key="kabar-dq-report",
            link=Path(summary.report_path).resolve().as_uri(),
            link_text=f"Data-quality report of run {run_id}",
            description="Self-contained HTML report with the run history",
        )
    create_markdown_artifact(
        key="kabar-dq-failures", markdown=failures_markdown(run_id, verdict, failures), description="Failed expectations"
    )
    return verdict


def after_run(con, summary) -> None:
    """Refresh the search index when articles were published, add history to the report, publish the artifacts."""
    logger = get_run_logger()
    if summary.articles_loaded:
        try:
            refresh_search_index(con)
        except Exception as error:  # noqa: BLE001 - search can be rebuilt on demand; never fail a run for it
            logger.warning("search index not refreshed (kabar search will rebuild it): %s", error)
    if summary.report_path and Path(summary.report_path).exists():
        try:
            add_report_history(con, summary.report_path)
        except Exception as error:  # noqa: BLE001
            logger.warning("report history not written: %s", error)
    try:
        rows = con.execute(
            "SELECT suite, expectation, column_name, blocking, unexpected_count, details, success FROM main.dq_results "
            "WHERE run_id = ? ORDER BY blocking DESC, suite, expectation",
            [summary.run_id],
        ).fetchall()
        columns = ("suite", "expectation", "column_name", "blocking", "unexpected_count", "details", "success")
        failures = [dict(zip(columns, row)) for row in rows if not row[-1]]
        publish_artifacts(summary, failures, len(rows))
    except Exception as error:  # noqa: BLE001
        logger.warning("Prefect artifacts not published: %s", error)
