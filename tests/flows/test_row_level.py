"""Row-level data quality end to end: bad rows are quarantined, dropped or nulled; the rest publishes (issue 10).

The real Prefect flow, a real DuckDB file and a real Great Expectations checkpoint. Articles that fail
a content check are generated as files; the failures the transforms cannot produce on their own (an
n_chars that disagrees with the body, a mention's offsets, an event date) are planted by wrapping the
batch transform, as a bug in it would.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.config import PROJECT_ROOT, IngestSettings
from flows.ingest import run_ingest
from tests.flows.planted import good_article, planted_files
from transforms import pipeline
from warehouse.store import PUBLISHED_KEYS

pytestmark = pytest.mark.usefixtures("prefect_server")

N_GOOD = 40
CONTENT_REASONS = {
    "body_boilerplate_marker",
    "future_published_date",
    "implausible_published_date",
    "body_too_short",
    "body_too_long",
    "n_chars_mismatch",
}


@pytest.fixture
def reduced_rules(tmp_path: Path) -> Path:
    """The bundled rule library without its link-out rules, so a `Baca juga:` marker reaches a body."""
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "data" / "boilerplate", rules)
    table = (rules / "rules.tsv").read_text(encoding="utf-8").split("\n")
    (rules / "rules.tsv").write_text(
        "\n".join(row for row in table if not row.startswith(("linkout.", "editors_pick"))), encoding="utf-8"
    )
    return rules


@pytest.fixture
def planted_folder(tmp_path: Path) -> Path:
    """N_GOOD good articles plus one file per content check, and three more the wrapper below tampers with."""
    folder = tmp_path / "inbox" / "kabarkita"
    folder.mkdir(parents=True)
    for i in range(N_GOOD):
        (folder / f"good_{i:03d}.txt").write_text(good_article(i), encoding="utf-8")
    for name, text in planted_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    for i, name in enumerate(("n_chars_mismatch", "offset_mismatch", "implausible_event_date")):
        (folder / f"{name}.txt").write_text(good_article(950 + i), encoding="utf-8")
    return folder.parent


def _ids_named(documents: pl.DataFrame, stem: str) -> list[str]:
    return documents.filter(pl.col("source_path").str.ends_with(f"/{stem}.txt"))["article_id"].to_list()


@pytest.fixture
def tampering_transform(monkeypatch):
    """Wrap the batch transform so it emits the rows a buggy transform would, for three planted files."""
    original = pipeline.transform_batch

    def transform(documents, params, learned=None):
        result = original(documents, params, learned)
        n_chars_ids = _ids_named(documents, "n_chars_mismatch")
        result.articles = result.articles.with_columns(
            pl.when(pl.col("article_id").is_in(n_chars_ids))
            .then(pl.col("n_chars") + 1)
            .otherwise(pl.col("n_chars"))
            .alias("n_chars")
        )
        offset_ids = _ids_named(documents, "offset_mismatch")
        shifted = pl.col("article_id").is_in(offset_ids) & (pl.col("start_char") == pl.col("start_char").min().over("article_id"))
        result.entity_mentions = result.entity_mentions.with_columns(
            pl.when(shifted).then(pl.col(name) + 1).otherwise(pl.col(name)).alias(name) for name in ("start_char", "end_char")
        )
        for article_id in _ids_named(documents, "implausible_event_date"):
            body = result.articles.filter(pl.col("article_id") == article_id)["body"][0]
            start = body.index("meresmikan")
            event = {column: None for column in result.events.columns} | {
                "event_id": f"planted-{article_id}", "event_code": "057", "root_code": "05", "label": "sign formal agreement",
                "event_date": datetime.date(2999, 1, 1), "date_precision": "day", "quad_class": 2, "is_negated": False,
            }  # fmt: skip
            event |= {column: 1 for column in ("num_articles", "num_mentions") if column in result.events.columns}
            mention = {column: None for column in result.event_mentions.columns} | {
                "event_id": event["event_id"], "article_id": article_id, "sentence": body[: start + 40], "trigger": "meresmikan",
                "start_char": start, "end_char": start + len("meresmikan"),
            }  # fmt: skip
            result.events = pl.concat([result.events, pl.DataFrame([event], schema=result.events.schema)])
            result.event_mentions = pl.concat(
                [result.event_mentions, pl.DataFrame([mention], schema=result.event_mentions.schema)]
            )
        return result

    monkeypatch.setattr(pipeline, "transform_batch", transform)


def _ingest(folder: Path, db: Path, **overrides):
    settings = IngestSettings(input_dir=folder, db_path=db, report_dir=db.parent / "reports", task_runner="thread", **overrides)
    return run_ingest(settings)


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in PUBLISHED_KEYS}


@pytest.mark.usefixtures("tampering_transform")
def test_rows_failing_content_checks_are_quarantined_and_the_rest_publishes(planted_folder, reduced_rules, duckdb_path):
    summary = _ingest(planted_folder, duckdb_path, rules_path=reduced_rules, max_failure_rate=0.2)
    assert summary.status == "success", summary.error
    assert summary.status_line == f"success with {len(CONTENT_REASONS)} quarantined"
    assert summary.articles_loaded == N_GOOD + 2  # the mention and the event file publish, their bad row handled

    con = duckdb.connect(str(duckdb_path), read_only=True)
    published = {Path(path).stem for (path,) in con.execute("SELECT source_path FROM articles").fetchall()}
    assert published == {f"good_{i:03d}" for i in range(N_GOOD)} | {"offset_mismatch", "implausible_event_date"}
    quarantined = {
        Path(path).stem: (reason, detail, article_id)
        for path, reason, detail, article_id in con.execute(
            "SELECT source_path, reason, detail, article_id FROM quarantine"
        ).fetchall()
    }
    assert {stem: reason for stem, (reason, _, _) in quarantined.items()} == {reason: reason for reason in CONTENT_REASONS}
    _, marker_detail, marker_id = quarantined["body_boilerplate_marker"]
    assert "Baca juga: Harga Cabai" in marker_detail and "no body still carries a known boilerplate marker" in marker_detail
    assert marker_id is not None
    # Nothing derived from a quarantined article is published; its file is in the manifest as quarantined.
    for table in ("article_texts", "removed_lines", "entity_mentions", "event_mentions", "dedup_signatures"):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE article_id = ?", [marker_id]).fetchone()[0] == 0, table
    statuses = dict(con.execute("SELECT status, count(*) FROM files GROUP BY status").fetchall())
    assert statuses == {"article": N_GOOD + 2, "quarantined": len(CONTENT_REASONS)}

    # A mention whose offsets miss its surface is dropped and recorded; the article keeps its other mentions.
    dropped = con.execute("SELECT table_name, check_name, article_id FROM dropped_rows").fetchall()
    offset_id = con.execute("SELECT article_id FROM articles WHERE source_path LIKE '%/offset_mismatch.txt'").fetchone()[0]
    assert dropped == [("entity_mentions", "offset_mismatch", offset_id)]
    assert con.execute("SELECT count(*) FROM entity_mentions WHERE article_id = ?", [offset_id]).fetchone()[0] >= 1
    # An event dated 2999 keeps the event, without the date, flagged.
    event = con.execute("SELECT event_date, date_precision, date_flag FROM events WHERE event_id LIKE 'planted-%'").fetchone()
    assert event == (None, None, "implausible_event_date")

    dq = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT column_name, kind, success, unexpected_count FROM dq_results WHERE run_id = ? AND suite IN ('articles', 'events')",
            [summary.run_id],
        ).fetchall()
    }
    assert dq["body_boilerplate_marker"] == ("row-level", True, 1)
    assert dq["content_failure"] == ("rate", True, len(CONTENT_REASONS))
    # A derived row's check never blocks on its own (a unit may hold one event); its article counts in the rate.
    assert dq["implausible_event_date"] == ("row-level", False, 1)
    assert dq["derived_row_failure"] == ("rate", True, 2)
    assert not _has_staging(con), "staging is emptied once the unit is published"
    con.close()
    report = Path(summary.report_path).read_text(encoding="utf-8")
    assert 'data-reason="body_boilerplate_marker"' in report and f"kabar show {marker_id}" in report


def _has_staging(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'staging'").fetchone()[0])


@pytest.mark.usefixtures("tampering_transform")
def test_a_unit_whose_content_failure_rate_exceeds_the_threshold_is_blocked(planted_folder, reduced_rules, duckdb_path):
    summary = _ingest(planted_folder, duckdb_path, rules_path=reduced_rules, max_failure_rate=0.05)  # 6 of 48 fail: 12.5%
    assert summary.status == "failed" and summary.dq_blocking_failed
    assert all(count == 0 for table, count in _counts(duckdb_path).items() if table != "files"), "nothing published"
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        failed = con.execute(
            "SELECT column_name FROM dq_results WHERE run_id = ? AND NOT success AND blocking ORDER BY column_name",
            [summary.run_id],
        ).fetchall()
    assert ("content_failure",) in failed


def test_a_planted_key_violation_still_blocks(planted_folder, duckdb_path, monkeypatch):
    original = pipeline.transform_batch

    def transform(documents, params, learned=None):
        result = original(documents, params, learned)
        result.entity_mentions = pl.concat([result.entity_mentions, result.entity_mentions.head(1)])  # one span twice
        return result

    monkeypatch.setattr(pipeline, "transform_batch", transform)
    summary = _ingest(planted_folder, duckdb_path, max_failure_rate=1.0)  # no rate could excuse a key violation
    assert summary.status == "failed" and summary.dq_blocking_failed
    assert _counts(duckdb_path)["articles"] == 0


def test_retry_quarantined_reprocesses_after_the_rules_are_fixed(planted_folder, reduced_rules, duckdb_path):
    first = _ingest(planted_folder, duckdb_path, rules_path=reduced_rules, max_failure_rate=0.2)
    assert first.status == "success" and first.quarantined == 5  # no tampering: marker, two dates, short, long
    unchanged = _ingest(planted_folder, duckdb_path, max_failure_rate=0.2)
    assert unchanged.files_new == 0  # quarantined files are not read again unless asked
    retried = _ingest(planted_folder, duckdb_path, max_failure_rate=0.2, retry_quarantined=True)
    assert retried.status == "success", retried.error
    assert retried.files_new == 5 and retried.articles_loaded == 1  # the bundled rules strip the link-out now
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        reasons = sorted(reason for (reason,) in con.execute("SELECT reason FROM quarantine").fetchall())
        marker_status = con.execute("SELECT status FROM files WHERE source_path LIKE '%/body_boilerplate_marker.txt'").fetchall()
    assert reasons == ["body_too_long", "body_too_short", "future_published_date", "implausible_published_date"]
    assert marker_status == [("article",)]
