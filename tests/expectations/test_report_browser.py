"""The HTML data-quality report rendered in a real headless Chromium (skipped when Chromium is absent)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from expectations.checkpoint import validate_staging
from expectations.report import write_run_report
from tests.expectations.conftest import BODY, RUN_DATE, RUN_ID

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian chromium + chromium-driver (apt-get install -y chromium chromium-driver)",
)


@pytest.fixture
def browser():
    """A headless Chromium with a fresh profile and no network chatter, driven by Selenium."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kabar-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_failed_run_report_shows_verdict_and_the_failed_expectation(staged_warehouse, tmp_path, browser):
    from selenium.webdriver.common.by import By

    body = BODY + " Baca juga: Kim Jong Un Tiba di Moskow"
    staged_warehouse.execute("UPDATE staging.articles SET body = $body, n_chars = $n", {"body": body, "n": len(body)})
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path / "reports")
    report_path = write_run_report(
        staged_warehouse, outcome.results, RUN_ID, RUN_DATE, tmp_path / "reports", data_docs_path=outcome.data_docs_path
    )

    browser.get(report_path.as_uri())
    assert browser.find_element(By.ID, "verdict").text == "FAILED — blocking check failed"
    assert browser.find_element(By.ID, "run-id").text == RUN_ID
    failed_row = browser.find_element(
        By.CSS_SELECTOR, "#suite-articles tr.failed.blocking[data-column='body_boilerplate_marker']"
    )
    assert failed_row.is_displayed()
    assert "FAIL" in failed_row.text and "Baca juga: Kim Jong Un" in failed_row.text
    # Inline CSS applied: the failed blocking row is tinted, the verdict badge is red.
    assert failed_row.find_element(By.TAG_NAME, "td").value_of_css_property("background-color") == "rgba(255, 235, 233, 1)"
    assert browser.find_element(By.ID, "verdict").value_of_css_property("background-color") == "rgba(207, 34, 46, 1)"
    summary_row = browser.find_element(By.CSS_SELECTOR, "#failures tr.failed[data-column='body_boilerplate_marker']")
    assert summary_row.is_displayed() and "articles" in summary_row.text
    passed_rows = browser.find_elements(By.CSS_SELECTOR, "tr.passed")
    assert len(passed_rows) == outcome.results.height - 2  # the marker check and the content-failure rate
    # Nothing was fetched from the network: every resource is the file itself.
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []
    screenshot = tmp_path / "dq-report.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000


def test_passed_report_links_data_docs(staged_warehouse, tmp_path, browser):
    from selenium.webdriver.common.by import By

    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path / "reports")
    write_run_report(
        staged_warehouse, outcome.results, RUN_ID, RUN_DATE, tmp_path / "reports", data_docs_path=outcome.data_docs_path
    )
    browser.get((tmp_path / "reports" / "latest.html").as_uri())
    assert browser.find_element(By.ID, "verdict").text == "PASSED"
    link = browser.find_element(By.ID, "data-docs")
    assert link.get_attribute("href") == outcome.data_docs_path.as_uri()
    link.click()
    assert "Data Docs" in browser.title or "Great Expectations" in browser.page_source
