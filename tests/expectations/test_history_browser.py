"""The report's history section after three real runs, rendered in a real headless Chromium (skipped without one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.config import PROJECT_ROOT
from tests.expectations.test_report_browser import CHROMEDRIVER, CHROMIUM, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian chromium + chromium-driver"),
    pytest.mark.usefixtures("prefect_server"),
]
CHARTS = (
    "history-published",
    "history-quarantine",
    "history-checks",
    "history-failing-checks",
    "history-removal",
    "history-language",
)


def keep_screenshot(driver, name: str) -> Path:
    """Save a full-page screenshot as a test artifact: $KABAR_TEST_ARTIFACTS, else reports/screenshots/ (git-ignored)."""
    import base64

    folder = Path(os.environ.get("KABAR_TEST_ARTIFACTS") or PROJECT_ROOT / "reports" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    path = folder / name
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def test_latest_report_shows_history_charts_over_three_runs(three_runs, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    db, summaries = three_runs
    latest = Path(summaries[-1].report_path).parent / "latest.html"
    browser.get(latest.as_uri())
    section = browser.find_element(By.ID, "history")
    assert "last 3 runs" in section.text
    for chart_id in CHARTS:
        svg = browser.find_element(By.CSS_SELECTOR, f"#{chart_id} svg")
        assert svg.size["width"] > 100 and svg.size["height"] > 50, chart_id
    bars = browser.find_elements(By.CSS_SELECTOR, "#history-published rect.bar")
    assert len(bars) >= 2 and all(bar.size["height"] > 0 for bar in bars)
    assert [label.text for label in browser.find_elements(By.CSS_SELECTOR, "#history-published text")][-6:]  # rendered text
    reasons = " ".join(
        r.get_attribute("textContent") for r in browser.find_elements(By.CSS_SELECTOR, "#history-quarantine rect.bar")
    )
    assert "empty" in reasons and "binary" in reasons
    failing = browser.find_elements(By.CSS_SELECTOR, "#history-failing-checks rect.cell")
    assert any("· #3:" in cell.get_attribute("textContent") for cell in failing)  # run 3's failing check has its cell
    languages = browser.find_elements(By.CSS_SELECTOR, "#history-language rect.bar")
    assert languages and all(bar.size["height"] > 0 for bar in languages)
    # the section chart is drawn once articles carry a section, and otherwise says why it is missing
    assert (
        browser.find_elements(By.CSS_SELECTOR, "#history-section svg")
        or "section" in browser.find_element(By.ID, "history-section").text
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "#history-runs tbody tr")
    assert [row.get_attribute("data-run-id") for row in rows] == [summary.run_id for summary in summaries]
    assert browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []
    screenshot = keep_screenshot(browser, "history.png")
    section.screenshot(str(screenshot.with_name("history-section.png")))
    assert screenshot.stat().st_size > 20_000
    print(f"screenshot: {screenshot}")


def test_each_runs_own_report_has_the_history_up_to_it(three_runs):
    _, summaries = three_runs
    first = Path(summaries[0].report_path).read_text(encoding="utf-8")
    last = Path(summaries[-1].report_path).read_text(encoding="utf-8")
    assert "last 1 run<" in first and "last 3 runs" in last
    assert first.count("<!-- kabar-history -->") == 1 and "<script" not in last and "src=" not in last.split("kabar-history")[1]
