"""validate_staging: a real Great Expectations checkpoint over a real DuckDB staging schema."""

from __future__ import annotations

import json

import polars as pl
import pytest

from expectations.checkpoint import validate_staging
from expectations.report import write_run_report
from expectations.results import write_dq_results
from tests.expectations.conftest import BODY, RUN_DATE, RUN_ID


def failed_checks(outcome) -> dict[tuple[str, str], dict]:
    """Failed rows keyed by (suite, column_name)."""
    return {(row["suite"], row["column_name"]): row for row in outcome.results.filter(~pl.col("success")).iter_rows(named=True)}


def test_clean_staging_passes_and_writes_report(staged_warehouse, tmp_path):
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path / "reports")
    assert failed_checks(outcome) == {}
    assert outcome.success and not outcome.blocking_failed
    assert outcome.verdict == "PASSED"
    assert all(frame.height == 0 for frame in outcome.row_failures.values())
    dq_columns = [row[0] for row in staged_warehouse.execute("DESCRIBE main.dq_results").fetchall()]
    assert outcome.results.columns == dq_columns
    assert outcome.results["run_id"].unique().to_list() == [RUN_ID]
    assert outcome.results.filter(pl.col("suite") == "entity_mentions")["unexpected_count"].sum() == 0
    assert set(outcome.results["kind"]) == {"blocking", "row-level", "rate", "warn"}
    report_path = write_run_report(staged_warehouse, outcome.results, RUN_ID, RUN_DATE, tmp_path / "reports")
    assert report_path == tmp_path / "reports" / f"dq-{RUN_ID}.html"
    assert (tmp_path / "reports" / "latest.html").read_text(encoding="utf-8") == report_path.read_text(encoding="utf-8")
    assert outcome.data_docs_path is not None and outcome.data_docs_path.exists()
    assert "entity_mentions" in outcome.data_docs_path.read_text(encoding="utf-8")
    # Each expectation's description says which kind it is.
    docs = "\n".join(path.read_text(encoding="utf-8") for path in outcome.data_docs_path.parent.rglob("*.html"))
    assert "[row-level: the article goes to quarantine; blocks above 2.0% of rows]" in docs
    assert "[BLOCKING]" in docs and "[warn]" in docs


def test_empty_staging_passes(warehouse, tmp_path):
    outcome = validate_staging(warehouse, RUN_ID, RUN_DATE, tmp_path)
    assert outcome.success and not outcome.blocking_failed
    assert outcome.results.height > 50


def test_body_with_baca_juga_is_a_row_failure_that_blocks_above_the_rate(staged_warehouse, tmp_path):
    body = BODY + " Baca juga: Kim Jong Un Tiba di Moskow"
    staged_warehouse.execute("UPDATE staging.articles SET body = $body, n_chars = $n", {"body": body, "n": len(body)})
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path)
    # The unit's only article fails: 100% of its articles, far above the 2% the row-level checks allow.
    assert outcome.blocking_failed and not outcome.success
    assert outcome.verdict == "FAILED"
    failed = failed_checks(outcome)
    assert set(failed) == {("articles", "body_boilerplate_marker"), ("articles", "content_failure")}
    marker = failed[("articles", "body_boilerplate_marker")]
    assert marker["blocking"] and marker["unexpected_count"] == 1 and marker["kind"] == "row-level"
    assert outcome.row_failures["articles"].select("article_id", "check").rows() == [("a1", "body_boilerplate_marker")]
    # With a looser rate the same unit passes: the article is a row to quarantine, not a reason to block.
    lenient = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path, max_failure_rate=1.0)
    assert not lenient.blocking_failed
    assert lenient.row_failures["articles"].height == 1
    assert "Baca juga: Kim Jong Un" in json.loads(marker["details"])["sample"][0]


def test_mention_with_wrong_offsets_fails(staged_warehouse, tmp_path):
    staged_warehouse.execute(
        "UPDATE staging.entity_mentions SET start_char = start_char + 1, end_char = end_char + 1 WHERE surface = 'Miguel Díaz-Canel'"
    )
    staged_warehouse.execute("UPDATE staging.event_mentions SET end_char = 10000")
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path)
    failed = failed_checks(outcome)
    assert set(failed) == {
        ("entity_mentions", "offset_mismatch"),
        ("event_mentions", "trigger_offset_mismatch"),
        ("articles", "derived_row_failure"),  # the unit's one article has a bad mention: 100% of its articles
    }
    assert outcome.blocking_failed
    assert not failed[("entity_mentions", "offset_mismatch")]["blocking"]  # a mention is dropped, never blocks alone
    assert outcome.row_failures["entity_mentions"]["check"].to_list() == ["offset_mismatch"]
    sample = json.loads(failed[("entity_mentions", "offset_mismatch")]["details"])["sample"]
    assert sample == ["a1[15:32] surface 'Miguel Díaz-Canel' but body has 'iguel Díaz-Canel '"]
    assert "outside a body of" in json.loads(failed[("event_mentions", "trigger_offset_mismatch")]["details"])["sample"][0]


def test_references_resolve_against_published_rows(staged_warehouse, tmp_path):
    # The article and Kim Jong Un were published by an earlier run; this run only stages new mentions and an event.
    for table in ("articles", "article_texts"):
        staged_warehouse.execute(f"INSERT INTO main.{table} SELECT * FROM staging.{table}")
        staged_warehouse.execute(f"DELETE FROM staging.{table}")
    staged_warehouse.execute("INSERT INTO main.entities SELECT * FROM staging.entities WHERE entity_id IN ('Q56226', 'Q423')")
    staged_warehouse.execute(
        "DELETE FROM staging.entities WHERE entity_id = 'Q56226'"
    )  # Q423 is re-staged, as known entities are
    staged_warehouse.execute("DELETE FROM staging.removed_lines")
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path)
    assert failed_checks(outcome) == {}


def test_broken_rows_fail_the_checks_that_name_them(staged_warehouse, tmp_path):
    con = staged_warehouse
    con.execute("UPDATE staging.entities SET type = 'PER' WHERE entity_id = 'Q56226'")
    con.execute("DELETE FROM staging.entities WHERE entity_id = 'Q241'")
    con.execute("INSERT INTO staging.entity_mentions SELECT * FROM staging.entity_mentions WHERE entity_id = 'Q18808'")
    con.execute("UPDATE staging.events SET root_code = '21', event_date = DATE '2031-01-01', location_entity_id = 'Q999'")
    con.execute("UPDATE staging.event_mentions SET event_id = 'ev-missing'")
    con.execute("UPDATE staging.articles SET published_date = DATE '2025-08-02', language = 'xx', n_chars = n_chars + 1")
    con.execute("UPDATE staging.quarantine SET reason = 'too_big'")
    con.execute("UPDATE staging.articles SET language_prob = 1.5")
    con.execute("UPDATE staging.removed_lines SET line_no = 0")
    con.execute("UPDATE staging.entities SET wikidata_id = 'wd:241' WHERE entity_id = 'Q423'")
    con.execute("UPDATE staging.events SET event_code = '05x'")
    con.execute("INSERT INTO main.entities BY NAME SELECT 'Q18808' AS entity_id, 'Pyongyang FC' AS name, 'ORGANIZATION' AS type")
    outcome = validate_staging(con, RUN_ID, RUN_DATE, tmp_path)
    failed = failed_checks(outcome)
    assert set(failed) == {
        ("articles", "language_prob"),
        ("removed_lines", "line_no"),
        ("entities", "wikidata_id"),
        ("entities", "type_conflict_with_published"),
        ("events", "event_code"),
        ("entities", "type"),
        ("entity_mentions", "orphan_entity_id"),
        ("entity_mentions", "article_id,start_char,end_char"),
        ("entity_mentions", "mention_type_conflict"),
        ("events", "root_code"),
        ("events", "event_code_root_mismatch"),
        ("events", "future_event_date"),
        ("events", "orphan_location_entity_id"),
        ("event_mentions", "orphan_event_id"),
        ("articles", "future_published_date"),
        ("articles", "language"),
        ("articles", "non_indonesian_language"),
        ("articles", "n_chars_mismatch"),
        ("articles", "content_failure"),
        ("quarantine", "reason"),
    }
    warnings = {
        ("events", "future_event_date"),
        ("entity_mentions", "mention_type_conflict"),
        ("articles", "non_indonesian_language"),
        ("entities", "wikidata_id"),
        ("entities", "type_conflict_with_published"),
    }
    assert {key for key, row in failed.items() if not row["blocking"]} == warnings
    assert json.loads(failed[("entity_mentions", "orphan_entity_id")]["details"])["sample"] == ["Q241"]
    assert failed[("entity_mentions", "article_id,start_char,end_char")]["unexpected_count"] == 2
    # Publishing keeps the published entity, so mentions are compared with its type.
    conflicts = json.loads(failed[("entity_mentions", "mention_type_conflict")]["details"])["sample"]
    assert "Q18808 mentioned as LOCATION but is ORGANIZATION" in conflicts


def test_future_event_only_warns(staged_warehouse, tmp_path):
    # A summit announced for next spring is news, not a parsing error.
    staged_warehouse.execute("UPDATE staging.events SET event_date = DATE '2026-03-01', date_precision = 'month'")
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path)
    assert set(failed_checks(outcome)) == {("events", "future_event_date")}
    assert not outcome.blocking_failed and not outcome.success
    assert outcome.verdict == "PASSED WITH WARNINGS"


def test_missing_staging_table_is_an_error(warehouse, tmp_path):
    warehouse.execute("DROP TABLE staging.quarantine")
    with pytest.raises(ValueError, match="quarantine"):
        validate_staging(warehouse, RUN_ID, RUN_DATE, tmp_path)


def test_write_dq_results_appends_rows(staged_warehouse, tmp_path):
    outcome = validate_staging(staged_warehouse, RUN_ID, RUN_DATE, tmp_path)
    assert write_dq_results(staged_warehouse, outcome.results) == outcome.results.height
    stored = staged_warehouse.execute(
        "SELECT count(*), count(DISTINCT (suite, expectation, column_name)), bool_and(success) FROM main.dq_results WHERE run_id = $r",
        {"r": RUN_ID},
    ).fetchone()
    assert stored == (outcome.results.height, outcome.results.height, True)
