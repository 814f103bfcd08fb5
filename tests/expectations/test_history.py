"""The history section without a browser: what it says with no runs, without a section column, and on re-insertion."""

from __future__ import annotations

import datetime

from expectations.history import END, START, add_history_to_report, insert_history, render_history
from tests.expectations.conftest import RUN_ID


def _record_runs(con, n: int) -> None:
    for number in range(n):
        con.execute(
            "INSERT INTO runs (run_id, started_at, status, articles_loaded, duplicates, quarantined) VALUES (?, ?, 'success', 1, 0, 0)",
            [f"run-{number}", datetime.datetime(2025, 8, 1, 9) + datetime.timedelta(hours=number)],
        )


def test_no_runs_no_section(warehouse):
    assert render_history(warehouse) == ""


def test_last_n_runs_oldest_first_and_a_missing_section_column_said(warehouse):
    _record_runs(warehouse, 15)
    warehouse.execute("ALTER TABLE articles DROP COLUMN IF EXISTS section")
    section = render_history(warehouse, n_runs=12)
    assert "last 12 runs" in section and section.index('data-run-id="run-3"') < section.index('data-run-id="run-14"')
    assert 'data-run-id="run-2"' not in section  # older than the window
    assert "no articles.section column" in section
    assert section.count("<svg") >= 1 and "<script" not in section


def test_inserting_twice_keeps_one_section_before_the_suite_tables(warehouse, tmp_path):
    _record_runs(warehouse, 3)
    report = tmp_path / f"dq-{RUN_ID}.html"
    page = '<html><body><section id="failures"></section><section class="suite" id="suite-articles"></section><footer></footer></body></html>'
    report.write_text(page, encoding="utf-8")
    (tmp_path / "latest.html").write_text(page, encoding="utf-8")
    add_history_to_report(warehouse, report)
    add_history_to_report(warehouse, report)
    written = report.read_text(encoding="utf-8")
    assert written.count(START) == 1 and written.count(END) == 1
    assert written.index('id="failures"') < written.index(START) < written.index('class="suite"')
    assert (tmp_path / "latest.html").read_text(encoding="utf-8") == written  # latest was the same run's page
    assert insert_history(written, "") == page
