"""The analyst overview (`kabar report`) over a real three-run warehouse, rendered in headless Chromium."""

from __future__ import annotations

import duckdb
import pytest

from tests.expectations.test_history_browser import keep_screenshot
from tests.expectations.test_report_browser import CHROMEDRIVER, CHROMIUM, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian chromium + chromium-driver"),
    pytest.mark.usefixtures("prefect_server"),
]


def test_kabar_report_renders_entities_events_and_cooccurrence(three_runs, tmp_path, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from typer.testing import CliRunner

    from flows.cli import app

    db, _ = three_runs
    out = tmp_path / "overview.html"
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output

    con = duckdb.connect(str(db), read_only=True)
    top_name = con.execute(
        "SELECT name FROM entity_mentions_named WHERE is_original GROUP BY entity_id, name "
        "ORDER BY count(DISTINCT article_id) DESC, name LIMIT 1"
    ).fetchone()[0]
    n_root_codes = con.execute(
        "WITH dated AS (SELECT root_code, date_trunc('month', event_date) AS month FROM events"
        " WHERE event_date IS NOT NULL AND NOT is_negated)"
        " SELECT count(DISTINCT root_code) FROM dated WHERE month > (SELECT max(month) FROM dated) - INTERVAL 24 MONTH"
    ).fetchone()[0]
    con.close()

    browser.get(out.as_uri())
    for chart_id in ("overview-entities", "overview-cooccurrence", "overview-events"):
        svg = browser.find_element(By.CSS_SELECTOR, f"#{chart_id} svg")
        assert svg.size["width"] > 100 and svg.size["height"] > 50, chart_id
    entity_rows = browser.find_elements(By.CSS_SELECTOR, "#overview-entities svg > text[text-anchor='end']")
    assert entity_rows[0].get_attribute("textContent").startswith(top_name[:20])  # the most named entity ranks first
    assert browser.find_elements(By.CSS_SELECTOR, "#overview-entities rect.cell")
    assert browser.find_elements(By.CSS_SELECTOR, "#overview-cooccurrence rect.cell")
    bars = browser.find_elements(By.CSS_SELECTOR, "#overview-events rect.bar")
    assert bars and all(bar.size["height"] > 0 for bar in bars)
    legend = browser.find_element(By.ID, "overview-events").text
    assert n_root_codes >= 1 and sum(code in legend for code in [f"{n:02d} " for n in range(1, 21)]) == min(n_root_codes, 9)
    assert browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []
    screenshot = keep_screenshot(browser, "overview.png")
    assert screenshot.stat().st_size > 20_000
