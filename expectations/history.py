"""The history section of the data-quality report: the last N runs as inline SVG charts.

Articles published and quarantined per run, quarantine by reason, failing checks over time, the share
of text removed as boilerplate per outlet, and the language and section mix. Added to a run's report
(and `reports/latest.html`) once the run is recorded, so the newest bar is the run the report is about.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import duckdb
import polars as pl

from expectations import charts
from warehouse.store import has_column

DEFAULT_RUNS = 12
TOP_OUTLETS = 10
START, END = "<!-- kabar-history -->", "<!-- /kabar-history -->"


def recent_runs(con: duckdb.DuckDBPyConnection, n_runs: int = DEFAULT_RUNS) -> pl.DataFrame:
    """The last n runs, oldest first, each with its number in the warehouse's history (`#7`) as its label."""
    return (
        con.execute(
            """
        SELECT * FROM (
            SELECT '#' || row_number() OVER (ORDER BY started_at, run_id) AS label, run_id, started_at, status,
                   coalesce(articles_loaded, 0) AS articles_loaded, coalesce(duplicates, 0) AS duplicates,
                   coalesce(quarantined, 0) AS quarantined, dq_success
            FROM main.runs
        ) ORDER BY started_at DESC, run_id DESC LIMIT ?
        """,
            [n_runs],
        )
        .pl()
        .reverse()
    )


def _per_run(con: duckdb.DuckDBPyConnection, runs: pl.DataFrame, sql: str) -> pl.DataFrame:
    """Rows of `sql` (columns run_id, category, value) for the given runs, as a runs × categories frame."""
    con.register("history_runs", runs.select("run_id").to_arrow())
    try:
        long = con.execute(sql).pl()
    finally:
        con.unregister("history_runs")
    if long.is_empty():
        return pl.DataFrame()
    wide = long.pivot(on="category", index="run_id", values="value", aggregate_function="sum")
    return runs.select("run_id").join(wide, on="run_id", how="left").fill_null(0)


def _stacked(
    runs: pl.DataFrame, wide: pl.DataFrame, chart_id: str, title: str, empty_message: str, percent: bool, note: str = ""
) -> str:
    if wide.is_empty() or wide.width <= 1:
        return charts.empty(chart_id, title, empty_message)
    categories = sorted((c for c in wide.columns if c != "run_id"), key=lambda c: -wide[c].sum())
    if len(categories) > 8:  # keep the legend readable: the rest as one series
        rest = categories[7:]
        wide = wide.with_columns(pl.sum_horizontal(rest).alias("other")).drop(rest)
        categories = categories[:7] + ["other"]
    series = {name: wide[name].to_list() for name in categories}
    svg = charts.bar_chart(runs["label"].to_list(), series, percent=percent, label=title)
    return charts.figure(chart_id, title, svg, note)


def _published_chart(runs: pl.DataFrame) -> str:
    series = {
        "published": (runs["articles_loaded"] - runs["duplicates"]).to_list(),
        "duplicates": runs["duplicates"].to_list(),
        "quarantined": runs["quarantined"].to_list(),
    }
    title = "Articles published and quarantined per run"
    if not any(sum(values) for values in series.values()):
        return charts.empty("history-published", title, "no run in this window loaded or quarantined anything")
    return charts.figure("history-published", title, charts.bar_chart(runs["label"].to_list(), series, label=title))


def _quarantine_chart(con, runs) -> str:
    wide = _per_run(
        con,
        runs,
        "SELECT run_id, reason AS category, count(*) AS value FROM main.quarantine "
        "WHERE run_id IN (SELECT run_id FROM history_runs) GROUP BY ALL",
    )
    return _stacked(runs, wide, "history-quarantine", "Quarantine by reason", "nothing quarantined in these runs", percent=False)


def _checks_chart(con, runs) -> str:
    wide = _per_run(
        con,
        runs,
        "SELECT run_id, CASE WHEN blocking THEN 'blocking' ELSE 'warning' END AS category, count(*) AS value "
        "FROM main.dq_results WHERE NOT success AND run_id IN (SELECT run_id FROM history_runs) GROUP BY ALL",
    )
    checked = con.execute("SELECT count(DISTINCT run_id) FROM main.dq_results").fetchall()[0][0]
    message = "no check failed in these runs" if checked else "no run has been checked yet"
    return _stacked(runs, wide, "history-checks", "Checks failing per run", message, percent=False, note="blocking and warning")


def _failing_checks_grid(con, runs) -> str:
    """Which expectation failed in which run: one row per expectation that failed at least once."""
    con.register("history_runs", runs.select("run_id", "label").to_arrow())
    try:
        failures = con.execute(
            """
            SELECT q.suite || ' · ' || coalesce(q.column_name, '') || ' · '
                   || regexp_replace(q.expectation, '^expect_(column_values_to_|column_|compound_columns_to_|table_)?', '') AS check_name,
                   r.label,
                   sum(coalesce(q.unexpected_count, 1))::DOUBLE AS unexpected
            FROM main.dq_results q JOIN history_runs r USING (run_id)
            WHERE NOT q.success GROUP BY ALL
            """
        ).pl()
    finally:
        con.unregister("history_runs")
    title = "Failing checks over time"
    if failures.is_empty():
        return charts.empty("history-failing-checks", title, "every check passed in these runs")
    names = failures.group_by("check_name").agg(pl.len().alias("n")).sort(["n", "check_name"], descending=[True, False])
    rows = names["check_name"].head(15).to_list()
    labels = runs["label"].to_list()
    lookup = {(r["check_name"], r["label"]): r["unexpected"] for r in failures.iter_rows(named=True)}
    values = [[lookup.get((row, label)) for label in labels] for row in rows]
    svg = charts.heat_map(rows, labels, values, fmt="{:,.0f}", colour="#cf222e", label=title, row_label_width=300, cell_w=40)
    return charts.figure("history-failing-checks", title, svg, "unexpected rows; blank: passed")


def _removal_chart(con, runs) -> str:
    """Share of each outlet's text removed as boilerplate: removed characters / (removed + kept body characters)."""
    con.register("history_runs", runs.select("run_id", "label").to_arrow())
    try:
        shares = con.execute(
            f"""
            WITH per_article AS (
                SELECT a.article_id, coalesce(a.outlet, '(unknown outlet)') AS outlet, r.label, a.n_chars AS kept,
                       coalesce((SELECT sum(length(l.text)) FROM main.removed_lines l WHERE l.article_id = a.article_id), 0) AS removed
                FROM main.articles a JOIN history_runs r USING (run_id)
            ), top_outlets AS (
                SELECT outlet FROM per_article GROUP BY outlet ORDER BY count(*) DESC, outlet LIMIT {TOP_OUTLETS}
            )
            SELECT outlet, label, (100.0 * sum(removed) / nullif(sum(removed) + sum(kept), 0))::DOUBLE AS share, count(*) AS articles
            FROM per_article WHERE outlet IN (SELECT outlet FROM top_outlets) GROUP BY ALL
            """
        ).pl()
    finally:
        con.unregister("history_runs")
    title = "Boilerplate removed per outlet"
    if shares.is_empty():
        return charts.empty("history-removal", title, "no article was loaded in these runs")
    order = shares.group_by("outlet").agg(pl.col("articles").sum()).sort(["articles", "outlet"], descending=[True, False])
    rows = order["outlet"].to_list()
    labels = [label for label in runs["label"].to_list() if label in set(shares["label"])]
    lookup = {(r["outlet"], r["label"]): r["share"] for r in shares.iter_rows(named=True)}
    values = [[lookup.get((row, label)) for label in labels] for row in rows]
    svg = charts.heat_map(rows, labels, values, fmt="{:.0f}%", colour="#f28e2b", label=title, cell_w=44)
    return charts.figure("history-removal", title, svg, f"% of characters, top {TOP_OUTLETS} outlets by articles")


def _mix_chart(con, runs, column: str, chart_id: str, title: str) -> str:
    if not has_column(con, "articles", column):
        return charts.empty(chart_id, title, f"this warehouse has no articles.{column} column yet")
    wide = _per_run(
        con,
        runs,
        f"SELECT run_id, coalesce(CAST({column} AS VARCHAR), 'unknown') AS category, count(*) AS value FROM main.articles "
        "WHERE run_id IN (SELECT run_id FROM history_runs) GROUP BY ALL",
    )
    return _stacked(
        runs, wide, chart_id, title, "no article was loaded in these runs", percent=True, note="share of the run's articles"
    )


def _runs_table(runs: pl.DataFrame) -> str:
    rows = "".join(
        f'<tr data-run-id="{html.escape(r["run_id"])}"><td>{html.escape(r["label"])}</td><td><code>{html.escape(r["run_id"])}</code></td>'
        f"<td>{r['started_at']:%Y-%m-%d %H:%M:%S}</td><td>{html.escape(r['status'])}</td>"
        f'<td class="num">{r["articles_loaded"]:,}</td><td class="num">{r["quarantined"]:,}</td>'
        f"<td>{ {True: 'passed', False: 'failed checks', None: 'not checked'}[r['dq_success']] }</td></tr>"
        for r in runs.iter_rows(named=True)
    )
    return (
        '<table id="history-runs"><thead><tr><th>run</th><th>run id</th><th>started</th><th>status</th>'
        f"<th>articles</th><th>quarantined</th><th>checks</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_history(con: duckdb.DuckDBPyConnection, n_runs: int = DEFAULT_RUNS) -> str:
    """The history section (inline CSS and SVG) over the last n runs recorded in the warehouse."""
    runs = recent_runs(con, n_runs)
    if runs.is_empty():
        return ""
    figures = [
        _published_chart(runs),
        _quarantine_chart(con, runs),
        _checks_chart(con, runs),
        _failing_checks_grid(con, runs),
        _removal_chart(con, runs),
        _mix_chart(con, runs, "language", "history-language", "Language mix"),
        _mix_chart(con, runs, "section", "history-section", "Section mix"),
    ]
    return (
        f'{START}<section id="history"><style>{charts.CSS}</style>'
        f'<h2>History <span class="count">last {runs.height} run{"s" if runs.height != 1 else ""}</span></h2>'
        f'<div class="charts">{"".join(figures)}</div>{_runs_table(runs)}</section>{END}'
    )


def insert_history(page: str, section: str) -> str:
    """The report page with its history section replaced by `section`: after the failures, before the per-suite tables."""
    page = re.sub(re.escape(START) + ".*?" + re.escape(END), "", page, flags=re.S)
    marker = next(
        (at for at in (page.find('<section class="suite"'), page.find("<footer"), page.rfind("</body>")) if at >= 0), -1
    )
    return page[:marker] + section + page[marker:] if marker >= 0 else page + section


def add_history_to_report(con: duckdb.DuckDBPyConnection, report_path: Path, n_runs: int = DEFAULT_RUNS) -> str:
    """Insert the history section into a run's report and into `latest.html` beside it when that is the same run's."""
    report_path = Path(report_path)
    section = render_history(con, n_runs)
    page = report_path.read_text(encoding="utf-8")
    updated = insert_history(page, section)
    report_path.write_text(updated, encoding="utf-8")
    latest = report_path.parent / "latest.html"
    if (
        latest != report_path
        and latest.exists()
        and insert_history(latest.read_text(encoding="utf-8"), "") == insert_history(page, "")
    ):
        tmp = latest.with_name(".latest.html.tmp")
        tmp.write_text(updated, encoding="utf-8")
        tmp.replace(latest)
    return section
