"""The self-contained HTML report, rendered from dq_results rows."""

from __future__ import annotations

import datetime
import json
import re

import polars as pl

from expectations.report import render_report, write_report
from expectations.results import DQ_RESULTS_SCHEMA


def results(*rows: tuple) -> pl.DataFrame:
    """dq_results rows from (suite, expectation, column, success, unexpected_count, blocking, sample)."""
    return pl.DataFrame(
        [
            {
                "run_id": "r1",
                "suite": suite,
                "expectation": expectation,
                "column_name": column,
                "success": success,
                "unexpected_count": count,
                "blocking": blocking,
                "details": json.dumps({"why": "because", "sample": sample}),
                "kind": "blocking" if blocking else "warn",
            }
            for suite, expectation, column, success, count, blocking, sample in rows
        ],
        schema=DQ_RESULTS_SCHEMA,
    )


PASSING = ("articles", "expect_column_values_to_be_unique", "article_id", True, 0, True, [])
WARNING = ("events", "expect_column_values_to_be_null", "future_event_date", False, 1, False, ["ev1: event on 2026-03-01"])
FAILING = ("articles", "expect_column_values_to_be_null", "body_boilerplate_marker", False, 2, True, ["a1: …<b>Baca juga</b>…"])


def test_verdicts():
    day = datetime.date(2025, 8, 1)
    assert 'class="verdict passed">PASSED<' in render_report(results(PASSING), "r1", day)
    assert 'class="verdict warnings">PASSED WITH WARNINGS<' in render_report(results(PASSING, WARNING), "r1", day)
    assert "FAILED — blocking check failed" in render_report(results(PASSING, WARNING, FAILING), "r1", day)


def test_report_escapes_samples_and_loads_nothing_external():
    page = render_report(results(PASSING, FAILING), "r1", datetime.date(2025, 8, 1))
    assert "&lt;b&gt;Baca juga&lt;/b&gt;" in page
    assert "<b>Baca juga</b>" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_write_report_writes_run_report_and_latest(tmp_path):
    path = write_report(results(PASSING), "run/2025 08", datetime.date(2025, 8, 1), tmp_path)
    assert path == tmp_path / "dq-run_2025_08.html"
    assert path.read_text(encoding="utf-8") == (tmp_path / "latest.html").read_text(encoding="utf-8")


def test_report_lists_published_and_quarantined_by_reason_with_show_hints():
    quarantine = pl.DataFrame(
        {
            "reason": ["body_boilerplate_marker", "empty"],
            "files": [2, 1],
            "samples": [
                [{"article_id": "a1", "source_path": "in/a1.txt", "detail": "a1: marker"}],
                [{"article_id": None, "source_path": "in/e.txt", "detail": "0 bytes"}],
            ],
        }
    )
    page = render_report(
        results(PASSING), "r1", datetime.date(2025, 8, 1), published={"articles": 40, "quarantine": 3}, quarantine=quarantine
    )
    assert 'data-reason="body_boilerplate_marker"' in page and "<code>kabar show a1</code>" in page
    assert "<b>40</b>articles" in page
    assert page.count("kabar show") == 1  # a file that never decoded has no article to show
