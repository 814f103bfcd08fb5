import subprocess
import sys
import time
from datetime import datetime

import duckdb
import polars as pl
import pytest

from warehouse.store import WarehouseBusy, connect, migrate, publish, reset_staging, stage


def _article(article_id: str, body: str = "Isi berita.") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": [article_id],
            "source_path": [f"/in/{article_id}.txt"],
            "source_sha256": [article_id * 4],
            "body": [body],
            "n_chars": [len(body)],
            "body_sha256": ["h" + article_id],
            "run_id": ["r1"],
            "ingested_at": [datetime(2024, 1, 1)],
        }
    )


def test_migrations_apply_once(warehouse):
    assert migrate(warehouse) == []
    tables = {row[0] for row in warehouse.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"articles", "entities", "entity_mentions", "events", "event_mentions", "runs", "quarantine", "dq_results",
            "removed_lines", "files", "schema_migrations", "event_timeline"} <= tables


def test_publish_is_keyed_and_repeatable(warehouse):
    for _ in range(2):
        reset_staging(warehouse)
        stage(warehouse, "articles", _article("a1"))
        stage(warehouse, "articles", _article("a1"))  # two batches staging the same key
        publish(warehouse)
    assert warehouse.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_failed_publish_leaves_published_tables_unchanged(warehouse):
    reset_staging(warehouse)
    stage(warehouse, "articles", _article("a1"))
    publish(warehouse)
    reset_staging(warehouse)
    stage(warehouse, "articles", _article("a2"))
    # A staged event without its required code makes the publish fail half-way through.
    warehouse.execute("ALTER TABLE staging.events ALTER event_code DROP NOT NULL")
    warehouse.execute("INSERT INTO staging.events (event_id, root_code, label) VALUES ('e1', '04', 'Consult')")
    with pytest.raises(duckdb.ConstraintException):
        publish(warehouse)
    assert warehouse.execute("SELECT list(article_id) FROM articles").fetchone()[0] == ["a1"]


def test_event_counts_are_recounted_over_the_warehouse(warehouse):
    reset_staging(warehouse)
    stage(warehouse, "events", pl.DataFrame({"event_id": ["e1"], "event_code": ["057"], "root_code": ["05"], "label": ["Sign"],
                                            "num_articles": [1], "num_mentions": [1]}))
    mentions = pl.DataFrame(
        {"event_id": ["e1", "e1"], "article_id": ["a1", "a2"], "sentence": ["s", "s"], "trigger": ["t", "t"],
         "start_char": [0, 0], "end_char": [1, 1]}
    )
    stage(warehouse, "event_mentions", mentions)
    publish(warehouse)
    assert warehouse.execute("SELECT num_articles, num_mentions FROM events").fetchone() == (2, 2)


def test_busy_warehouse_waits_then_says_so(duckdb_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; con = duckdb.connect({str(duckdb_path)!r}); print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="held by another process"):
            connect(duckdb_path, wait_seconds=1.5)
        assert time.monotonic() - started >= 1.5
    finally:
        holder.kill()
        holder.wait()
    # Once the other process is gone, the same call succeeds.
    connect(duckdb_path, wait_seconds=5).close()
