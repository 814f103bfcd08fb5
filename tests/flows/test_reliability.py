"""Issue 16, writer part: edits supersede, dead runs are marked crashed, each published unit keeps its dq_results, keys hold."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from flows.config import IngestSettings
from flows.ingest import run_ingest
from tests.flows.planted import good_article
from transforms import pipeline

pytestmark = pytest.mark.usefixtures("prefect_server")


def _ingest(folder: Path, db: Path, **overrides):
    settings = IngestSettings(input_dir=folder, db_path=db, report_dir=db.parent / "reports", task_runner="thread", **overrides)
    return run_ingest(settings)


def test_an_edited_file_supersedes_its_earlier_version(tmp_path: Path, duckdb_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    article = inbox / "bogor.txt"
    article.write_text(good_article(0), encoding="utf-8")
    (inbox / "depok.txt").write_text(good_article(1), encoding="utf-8")
    assert _ingest(inbox, duckdb_path).status == "success"
    # A correction: one sentence changed, the rest as before (a near copy of its own earlier version).
    article.write_text(
        good_article(0).replace("pada pekan ini.", "pada Senin pagi, bukan pekan lalu seperti diberitakan."), encoding="utf-8"
    )
    second = _ingest(inbox, duckdb_path)
    assert second.status == "success" and second.articles_loaded == 1

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        versions = con.execute(
            "SELECT article_id, superseded_by, duplicate_of, run_id FROM articles WHERE source_path = ? ORDER BY ingested_at",
            [str(article.resolve())],
        ).fetchall()
        assert len(versions) == 2
        (old_id, old_superseded_by, _, _), (new_id, new_superseded_by, new_duplicate_of, _) = versions
        assert old_superseded_by == new_id and new_superseded_by is None
        assert new_duplicate_of is None, "the correction is the current article, not a near copy of the stale one"
        # The documented views leave the superseded version out.
        assert con.execute("SELECT count(*) FROM entity_mentions_named WHERE article_id = ?", [old_id]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM entity_mentions_named WHERE article_id = ?", [new_id]).fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM current_articles").fetchone()[0] == 2


def test_rescan_finds_an_edit_that_kept_size_and_mtime(tmp_path: Path, duckdb_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    article = inbox / "garut.txt"
    article.write_text(good_article(4), encoding="utf-8")
    assert _ingest(inbox, duckdb_path).status == "success"
    stat = article.stat()
    edited = good_article(4).replace("Kepala dinas", "Kepala badan")  # same length in bytes
    assert len(edited.encode()) == stat.st_size
    article.write_text(edited, encoding="utf-8")
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _ingest(inbox, duckdb_path).files_new == 0  # size and mtime alone cannot see it
    rescanned = _ingest(inbox, duckdb_path, rescan=True)
    assert rescanned.status == "success" and rescanned.articles_loaded == 1
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        current = con.execute("SELECT body FROM current_articles").fetchall()
    assert len(current) == 1 and "Kepala badan" in current[0][0]


def test_a_run_left_running_by_a_dead_process_is_marked_crashed(tmp_path: Path, duckdb_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(good_article(2), encoding="utf-8")
    assert _ingest(inbox, duckdb_path).status == "success"
    with duckdb.connect(str(duckdb_path)) as con:  # what `kill -9` in the middle of a run leaves behind
        con.execute(
            "INSERT INTO runs (run_id, input_dir, started_at, status) VALUES ('dead-run', 'x', now()::TIMESTAMP, 'running')"
        )
    (inbox / "b.txt").write_text(good_article(3), encoding="utf-8")
    assert _ingest(inbox, duckdb_path).status == "success"
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        assert con.execute("SELECT status FROM runs WHERE run_id = 'dead-run'").fetchone()[0] == "crashed"
        # Keys are constraints now: the warehouse itself refuses a second row for a mention's span.
        with pytest.raises(duckdb.Error):
            con.execute("INSERT INTO entity_mentions SELECT * FROM entity_mentions LIMIT 1")


def test_units_published_before_a_crash_keep_their_dq_results(tmp_path: Path, duckdb_path: Path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(6):
        (inbox / f"{i:02d}.txt").write_text(good_article(10 + i), encoding="utf-8")
    original = pipeline.transform_batch

    def crash_on_the_last_file(documents, params, furniture=None):
        if documents["source_path"].str.ends_with("/05.txt").any():
            raise RuntimeError("worker lost")
        return original(documents, params, furniture)

    monkeypatch.setattr(pipeline, "transform_batch", crash_on_the_last_file)
    with pytest.raises(RuntimeError, match="worker lost"):
        _ingest(inbox, duckdb_path, batch_size=2, commit_every=2)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        run_id, status = con.execute("SELECT run_id, status FROM runs").fetchone()
        assert status == "failed"
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4  # two units of two published
        per_expectation = con.execute(
            "SELECT count(*), count(DISTINCT (suite, expectation, column_name)) FROM dq_results WHERE run_id = ?", [run_id]
        ).fetchone()
        assert per_expectation[0] > 50 and per_expectation[0] == per_expectation[1]
