"""The suites' definitions and the span check, without Great Expectations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.findings import BOILERPLATE_MARKERS, BOILERPLATE_REGEX, span_findings
from expectations.suites import LANGDETECT_LANGUAGES, SUITES, blocking_expectations, checks_markdown
from transforms.schema import CONTENT_QUARANTINE_REASONS
from warehouse.store import SQL_DIR


def test_every_suite_is_a_warehouse_table():
    ddl = "\n".join(path.read_text(encoding="utf-8") for path in SQL_DIR.glob("*.sql"))
    for suite in SUITES:
        assert f"CREATE TABLE IF NOT EXISTS {suite.name} (" in ddl


def test_blocking_expectations_lists_each_check_once_with_its_kind():
    checks = blocking_expectations()
    assert checks.height == sum(len(suite.checks) for suite in SUITES)
    assert checks.select("suite", "expectation", "column_name").is_duplicated().sum() == 0
    kind = {(row["suite"], row["column_name"]): row["kind"] for row in checks.iter_rows(named=True)}
    # Keys, references and closed sets block; content problems of one row are row-level; plausible oddities warn.
    assert kind[("entity_mentions", "article_id,start_char,end_char")] == "blocking"
    assert kind[("events", "orphan_location_entity_id")] == "blocking"
    assert kind[("quarantine", "reason")] == "blocking"
    for column in (
        "body_boilerplate_marker",
        "future_published_date",
        "implausible_published_date",
        "n_chars_mismatch",
        "body_too_short",
        "body_too_long",
    ):
        assert kind[("articles", column)] == "row-level", column
    assert kind[("entity_mentions", "offset_mismatch")] == "row-level"
    assert kind[("events", "implausible_event_date")] == "row-level"
    assert kind[("articles", "content_failure")] == kind[("articles", "derived_row_failure")] == "rate"
    assert kind[("events", "future_event_date")] == kind[("articles", "n_chars")] == "warn"
    # Every article-level row-level check names a quarantine reason, and the rate check covers each of them.
    article_checks = [check for check in SUITES[0].row_level_checks()]
    assert {check.column for check in article_checks} == set(CONTENT_QUARANTINE_REASONS)
    assert all("%" in label for label in checks.filter(pl.col("kind").is_in(["row-level", "rate"]) & pl.col("blocking"))["label"])


def test_language_set_is_what_langdetect_can_return():
    langdetect = pytest.importorskip("langdetect")
    profiles = Path(langdetect.__file__).parent / "profiles"
    assert set(LANGDETECT_LANGUAGES) == {path.name for path in profiles.iterdir()}


@pytest.mark.parametrize("marker", BOILERPLATE_MARKERS)
def test_boilerplate_regex_finds_each_marker_in_duckdb(marker):
    body = f"Korea Utara dan Rusia. {marker} Kim Jong Un tiba di Moskow."
    assert duckdb.sql(f"SELECT regexp_matches($body, '{BOILERPLATE_REGEX}')", params={"body": body}).fetchone()[0]


def test_boilerplate_regex_leaves_clean_news_alone():
    body = "Ia membaca juga laporan editor pilihan tentang iklan (advertisement) di Pyongyang."
    assert not duckdb.sql(f"SELECT regexp_matches($body, '{BOILERPLATE_REGEX}')", params={"body": body}).fetchone()[0]


def test_span_findings_count_code_points_like_python():
    body = "Presiden Kuba 🇨🇺 Miguel Díaz-Canel tiba di Pyongyang."
    bodies = pl.DataFrame({"article_id": ["a1"], "body": [body]})
    start = body.index("Díaz-Canel")
    spans = pl.DataFrame(
        {
            "article_id": ["a1", "a1", "a1", "zz"],
            "start_char": [start, start + 1, 40, 0],
            "end_char": [start + len("Díaz-Canel"), start + 1 + len("Díaz-Canel"), 90, 4],
            "surface": ["Díaz-Canel", "Díaz-Canel", "Pyongyang", "Kuba"],
        }
    )
    findings = span_findings(spans, bodies, "surface").to_list()
    assert findings[0] is None
    assert findings[1] == f"a1[{start + 1}:{start + 11}] surface 'Díaz-Canel' but body has 'íaz-Canel '"
    assert findings[2] == f"a1[40:90] outside a body of {len(body)} characters"
    assert findings[3] is None  # unknown article: reported by the orphan_article_id check instead


def test_readme_lists_the_current_checks():
    readme = (Path(__file__).resolve().parents[2] / "expectations" / "README.md").read_text(encoding="utf-8")
    assert checks_markdown() in readme
