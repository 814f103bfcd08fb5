import subprocess
import sys
import time
from datetime import datetime

import duckdb
import polars as pl
import pytest

from transforms.entities.link import name_order
from warehouse.store import WarehouseBusy, connect, consolidate_staging, migrate, publish, reset_staging, stage


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
    assert {
        "articles",
        "entities",
        "entity_mentions",
        "events",
        "event_mentions",
        "runs",
        "quarantine",
        "dq_results",
        "removed_lines",
        "files",
        "schema_migrations",
        "event_timeline",
    } <= tables


def _entity(aliases: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "entity_id": ["Q423"],
            "name": ["Korea Utara"],
            "type": ["LOCATION"],
            "subtype": ["COUNTRY"],
            "wikidata_id": ["Q423"],
            "aliases": [aliases],
        }
    )


def test_publish_is_keyed_and_repeatable(warehouse):
    for _ in range(2):
        reset_staging(warehouse)
        stage(warehouse, "articles", _article("a1"))
        stage(warehouse, "entities", _entity(["Korut"]))  # two batches staging the same entity
        stage(warehouse, "entities", _entity(["DPRK"]))
        consolidate_staging(warehouse)
        publish(warehouse)
    assert warehouse.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert warehouse.execute("SELECT aliases FROM entities").fetchall() == [(["DPRK", "Korut"],)]


def test_a_key_staged_twice_in_an_article_table_fails_the_publish_loudly(warehouse):
    reset_staging(warehouse)
    stage(warehouse, "articles", _article("a1"))
    stage(warehouse, "articles", _article("a1"))
    consolidate_staging(warehouse)
    with pytest.raises(duckdb.ConstraintException):
        publish(warehouse)
    assert warehouse.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_learned_boilerplate_counts_add_up_run_by_run(warehouse):
    def line(fingerprints: list[int]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "outlet": ["kabarkita"],
                "line_hash": [7],
                "example_line": ["Kabarkita, tepercaya."],
                "n_articles": [len(fingerprints)],
                "n_lines_seen": [len(fingerprints)],
                "article_fingerprints": [fingerprints],
            }
        )

    for fingerprints in ([1, 2], [2, 3], [4]):
        reset_staging(warehouse)
        stage(warehouse, "learned_boilerplate", line(fingerprints))
        publish(warehouse)
    rows = warehouse.execute(
        "SELECT n_articles, n_lines_seen, list_sort(article_fingerprints) FROM learned_boilerplate"
    ).fetchall()
    assert rows == [(4, 5, [1, 2, 3, 4])]


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
    stage(
        warehouse,
        "events",
        pl.DataFrame(
            {
                "event_id": ["e1"],
                "event_code": ["057"],
                "root_code": ["05"],
                "label": ["Sign"],
                "num_articles": [1],
                "num_mentions": [1],
            }
        ),
    )
    mentions = pl.DataFrame(
        {
            "event_id": ["e1", "e1"],
            "article_id": ["a1", "a2"],
            "sentence": ["s", "s"],
            "trigger": ["t", "t"],
            "start_char": [0, 0],
            "end_char": [1, 1],
        }
    )
    stage(warehouse, "event_mentions", mentions)
    publish(warehouse)
    assert warehouse.execute("SELECT num_articles, num_mentions FROM events").fetchone() == (2, 2)


def test_busy_warehouse_waits_then_says_so(duckdb_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(duckdb_path)!r}); print('held', flush=True); time.sleep(30)",
        ],
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


def test_learned_boilerplate_keeps_the_most_seen_lines_per_outlet(warehouse, monkeypatch):
    import transforms.boilerplate

    monkeypatch.setattr(transforms.boilerplate, "LEARNED_MAX_ROWS_PER_OUTLET", 2)
    reset_staging(warehouse)
    stage(
        warehouse,
        "learned_boilerplate",
        pl.DataFrame(
            {
                "outlet": ["kabarkita"] * 3,
                "line_hash": [1, 2, 3],
                "example_line": ["satu", "dua", "tiga"],
                "n_articles": [1, 3, 2],
                "n_lines_seen": [1, 3, 2],
                "article_fingerprints": [[1], [1, 2, 3], [1, 2]],
            }
        ),
    )
    publish(warehouse)
    assert warehouse.execute("SELECT list(example_line ORDER BY line_hash) FROM learned_boilerplate").fetchone()[0] == [
        "dua",
        "tiga",
    ]


def _removal(start_char: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": ["a1"],
            "line_no": [3],
            "text": ["ADVERTISEMENT"],
            "rule": ["advertisement"],
            "kind": ["inline"],
            "start_char": [start_char],
            "end_char": [start_char + 13],
        }
    )


def test_removed_lines_are_keyed_by_their_offset(warehouse):
    for _ in range(2):  # the same marker cut twice from one line is two rows; publishing again adds nothing
        reset_staging(warehouse)
        stage(warehouse, "articles", _article("a1"))
        stage(warehouse, "removed_lines", pl.concat([_removal(10), _removal(80)]))
        consolidate_staging(warehouse)
        publish(warehouse)
    assert warehouse.execute("SELECT count(*) FROM removed_lines").fetchone()[0] == 2
    reset_staging(warehouse)
    stage(warehouse, "removed_lines", pl.concat([_removal(5), _removal(5)]))
    with pytest.raises(duckdb.ConstraintException):
        publish(warehouse)
    assert warehouse.execute("SELECT count(*) FROM removed_lines").fetchone()[0] == 2


@pytest.mark.parametrize("units", [["KORUT", "Korut", "Korea Utara"], ["Korut", "KORUT"], ["Korea Utara", "KORUT", "Korut"]])
def test_an_entity_keeps_the_same_name_however_the_units_were_cut(warehouse, units):
    names = {"KORUT", "Korut", "Korea Utara"} & set(units)
    expected = min(names, key=name_order)  # as one batch that saw every name would pick it
    for name in units:  # one commit unit per name
        reset_staging(warehouse)
        stage(warehouse, "entities", _entity(["Korut"]).with_columns(pl.lit(name).alias("name")))
        consolidate_staging(warehouse)
        publish(warehouse)
    assert warehouse.execute("SELECT name FROM entities").fetchall() == [(expected,)]
    reset_staging(warehouse)  # and several batches of one unit pick the same way
    for name in units:
        stage(warehouse, "entities", _entity(["Korut"]).with_columns(pl.lit(name).alias("name")))
    consolidate_staging(warehouse)
    assert warehouse.execute("SELECT name FROM staging.entities").fetchall() == [(expected,)]
