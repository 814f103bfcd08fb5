"""A self-contained HTML data-quality report (inline CSS, no external URLs) for one run."""

from __future__ import annotations

import datetime
import html
import json
import os
from pathlib import Path
from string import Template

import duckdb
import polars as pl

from expectations.results import quarantine_by_reason, verdict
from expectations.suites import SUITES

TEMPLATES = Path(__file__).parent / "templates"
VERDICT_TEXT = {
    "PASSED": ("PASSED", "passed"),
    "PASSED WITH WARNINGS": ("PASSED WITH WARNINGS", "warnings"),
    "FAILED": ("FAILED — blocking check failed", "failed"),
}


def _sample_list(details: str | None) -> str:
    """The sample unexpected values of one result as an HTML list."""
    parsed = json.loads(details) if details else {}
    sample = parsed.get("sample") or []
    items = [
        f"<li><code>{html.escape(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))}</code></li>" for v in sample
    ]
    if "exception" in parsed:
        items.append(f"<li>error: <code>{html.escape(parsed['exception'])}</code></li>")
    if "observed_value" in parsed and not sample:
        items.append(f"<li>observed: <code>{html.escape(json.dumps(parsed['observed_value'], ensure_ascii=False))}</code></li>")
    return f'<ul class="sample">{"".join(items)}</ul>' if items else ""


def _result_row(row: dict, with_suite: bool = False) -> str:
    """One dq_results row as a table row: expectation, column, kind, success, unexpected count, samples."""
    why = json.loads(row["details"]).get("why", "") if row["details"] else ""
    severity = "blocking" if row["blocking"] else "warn"
    kind = row.get("kind") or severity
    state = "passed" if row["success"] else "failed"
    count = "" if row["unexpected_count"] is None else f"{row['unexpected_count']:,}"
    suite = f'<td><a href="#suite-{html.escape(row["suite"])}">{html.escape(row["suite"])}</a></td>' if with_suite else ""
    return (
        f'<tr class="{state} {severity}" data-suite="{html.escape(row["suite"])}" data-expectation="{html.escape(row["expectation"])}"'
        f' data-column="{html.escape(row["column_name"] or "")}">{suite}'
        f'<td><code>{html.escape(row["expectation"])}</code><div class="why">{html.escape(why)}</div></td>'
        f"<td><code>{html.escape(row['column_name'] or '')}</code></td>"
        f'<td><span class="badge {severity}">{html.escape(kind)}</span></td>'
        f'<td class="{"pass" if row["success"] else "fail"}">{"pass" if row["success"] else "FAIL"}</td>'
        f'<td class="num">{count}</td>'
        f"<td>{_sample_list(row['details'])}</td></tr>"
    )


def _table(rows: list[str], with_suite: bool = False) -> str:
    """A results table around rendered rows."""
    suite = "<th>suite</th>" if with_suite else ""
    return (
        f"<table><thead><tr>{suite}<th>expectation</th><th>column</th><th>kind</th><th>result</th>"
        "<th>unexpected</th><th>sample unexpected values</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _failures_section(results: pl.DataFrame) -> str:
    """Every failed expectation, blocking first, above the per-suite tables."""
    failed = results.filter(~pl.col("success")).sort("blocking", descending=True, maintain_order=True)
    if not failed.height:
        return ""
    rows = [_result_row(row, with_suite=True) for row in failed.iter_rows(named=True)]
    return f'<section id="failures"><h2>Failed expectations <span class="count">{failed.height}</span></h2>{_table(rows, True)}</section>'


def _run_section(published: dict[str, int] | None, quarantine: pl.DataFrame | None) -> str:
    """What the run published and what it quarantined, by reason, with samples and `kabar show` hints."""
    if published is None and quarantine is None:
        return ""
    parts = ['<section id="run"><h2>Published and quarantined</h2>']
    if published:
        cells = "".join(f"<div><b>{count:,}</b>{html.escape(table)}</div>" for table, count in published.items())
        parts.append(f'<div class="summary" id="published">{cells}</div>')
    if quarantine is not None and quarantine.height:
        rows = []
        for row in quarantine.iter_rows(named=True):
            samples = "".join(
                f"<li><code>{html.escape(sample['source_path'] or '')}</code>: {html.escape(sample['detail'] or '')}"
                + (f" — <code>kabar show {html.escape(sample['article_id'])}</code>" if sample.get("article_id") else "")
                + "</li>"
                for sample in row["samples"]
            )
            rows.append(
                f'<tr data-reason="{html.escape(row["reason"])}"><td><code>{html.escape(row["reason"])}</code></td>'
                f'<td class="num">{row["files"]:,}</td><td><ul class="sample">{samples}</ul></td></tr>'
            )
        parts.append(
            '<table id="quarantine"><thead><tr><th>quarantine reason</th><th>files</th><th>samples</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    elif quarantine is not None:
        parts.append("<p>nothing quarantined</p>")
    parts.append("</section>")
    return "".join(parts)


def _suite_section(suite: str, results: pl.DataFrame, staged_rows: int | None) -> str:
    """One suite's table of results."""
    rows = [_result_row(row) for row in results.iter_rows(named=True)]
    failed = results.filter(~pl.col("success")).height
    staged = "" if staged_rows is None else f"{staged_rows:,} staged rows · "
    return (
        f'<section class="suite" id="suite-{html.escape(suite)}"><h2>{html.escape(suite)} '
        f'<span class="count">{staged}{results.height} expectations, {failed} failed</span></h2>{_table(rows)}</section>'
    )


def render_report(
    results: pl.DataFrame,
    run_id: str,
    run_date: datetime.date,
    staged_rows: dict[str, int] | None = None,
    data_docs_href: str | None = None,
    written_at: datetime.datetime | None = None,
    published: dict[str, int] | None = None,
    quarantine: pl.DataFrame | None = None,
) -> str:
    """The report's HTML for one run's dq_results rows."""
    staged_rows = staged_rows or {}
    outcome = verdict(results)
    verdict_text, verdict_class = VERDICT_TEXT[outcome]
    failed = results.filter(~pl.col("success"))
    order = [suite.name for suite in SUITES] + sorted(set(results["suite"]) - {suite.name for suite in SUITES})
    sections = [
        _suite_section(name, results.filter(pl.col("suite") == name), staged_rows.get(name))
        for name in order
        if results.filter(pl.col("suite") == name).height
    ]
    link = (
        f'<p class="meta">Great Expectations Data Docs for this run: <a id="data-docs" href="{html.escape(data_docs_href)}">'
        f"{html.escape(data_docs_href)}</a> (offline it renders without its CDN styles).</p>"
        if data_docs_href
        else ""
    )
    template = Template((TEMPLATES / "report.html").read_text(encoding="utf-8"))
    return template.substitute(
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        run_id=html.escape(run_id),
        run_date=html.escape(run_date.isoformat()),
        verdict=html.escape(outcome),
        verdict_text=html.escape(verdict_text),
        verdict_class=verdict_class,
        written_at=html.escape((written_at or datetime.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")),
        n_expectations=f"{results.height:,}",
        n_failed_blocking=f"{failed.filter(pl.col('blocking')).height:,}",
        n_failed_warn=f"{failed.filter(~pl.col('blocking')).height:,}",
        n_staged=f"{sum(staged_rows.values()):,}",
        data_docs_link=link,
        suite_sections="\n".join([_run_section(published, quarantine), _failures_section(results), *sections]),
    )


def write_report(
    results: pl.DataFrame,
    run_id: str,
    run_date: datetime.date,
    report_dir: Path,
    staged_rows: dict[str, int] | None = None,
    data_docs_path: Path | None = None,
    published: dict[str, int] | None = None,
    quarantine: pl.DataFrame | None = None,
) -> Path:
    """Write report_dir/dq-<run_id>.html and report_dir/latest.html; returns the run's report path."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    href = Path(os.path.relpath(data_docs_path, report_dir)).as_posix() if data_docs_path is not None else None
    page = render_report(
        results, run_id, run_date, staged_rows=staged_rows, data_docs_href=href, published=published, quarantine=quarantine
    )
    safe_run_id = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    report_path = report_dir / f"dq-{safe_run_id}.html"
    report_path.write_text(page, encoding="utf-8")
    latest = report_dir / "latest.html"
    tmp = report_dir / ".latest.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(latest)
    return report_path


def write_run_report(
    con: duckdb.DuckDBPyConnection,
    results: pl.DataFrame,
    run_id: str,
    run_date: datetime.date,
    report_dir: Path,
    staged_rows: dict[str, int] | None = None,
    data_docs_path: Path | None = None,
    published: dict[str, int] | None = None,
) -> Path:
    """The run's one HTML report (rewritten after each commit unit): verdicts, published and quarantined counts."""
    return write_report(
        results,
        run_id,
        run_date,
        report_dir,
        staged_rows=staged_rows,
        data_docs_path=data_docs_path,
        published=published,
        quarantine=quarantine_by_reason(con, run_id),
    )
