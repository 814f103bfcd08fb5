"""Exports round-trip: what DuckDB reads back from each file has the warehouse's row counts; GDELT has its 61 columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from tests.expectations.conftest import STAGED_TABLES, create_warehouse, stage_clean_run
from warehouse.export import FORMATS, GDELT_COLUMNS, GDELT_NAME, export, read_back_count


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The one-article clean run published, plus a second article in another month and an undated, negated event."""
    con = create_warehouse(tmp_path_factory.mktemp("export") / "kabar.duckdb")
    stage_clean_run(con)
    con.execute("UPDATE staging.events SET num_articles = 1, num_mentions = 1")  # what publish counts
    for table in STAGED_TABLES:
        con.execute(f"INSERT INTO main.{table} SELECT * FROM staging.{table}")
    con.execute(
        "INSERT INTO main.articles SELECT * REPLACE ('a2' AS article_id, DATE '2024-01-05' AS published_date,"
        " 'Jakarta' AS outlet) FROM main.articles WHERE article_id = 'a1'"
    )
    con.execute("INSERT INTO main.entity_mentions SELECT * REPLACE ('a2' AS article_id) FROM main.entity_mentions")
    con.execute(
        "INSERT INTO main.events SELECT * REPLACE ('ev2' AS event_id, NULL AS event_date, true AS is_negated) FROM main.events"
    )
    yield con
    con.close()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table", ["articles", "entity_mentions", "events", "entities", "event_timeline", "dq_results"])
def test_round_trip_row_counts_equal(published, tmp_path: Path, table: str, fmt: str):
    result = export(published, table, fmt, tmp_path / "out")
    expected = published.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0]
    assert result.rows == expected
    assert read_back_count(published, result, fmt) == expected


def test_big_tables_are_parquet_partitioned_by_month(published, tmp_path: Path):
    result = export(published, "articles", "parquet", tmp_path / "out")
    assert result.partitioned_by == "month"
    months = sorted(path.name for path in result.path.iterdir())
    assert months == ["month=2023-07", "month=2024-01"]
    back = published.execute(
        f"SELECT article_id, month FROM read_parquet('{result.path}/**/*.parquet', hive_partitioning = true) ORDER BY 1"
    ).fetchall()
    assert back == [("a1", "2023-07"), ("a2", "2024-01")]
    events = export(published, "events", "parquet", tmp_path / "out")
    assert sorted(path.name for path in events.path.iterdir()) == ["month=2023-07", "month=unknown"]
    again = export(published, "articles", "parquet", tmp_path / "out")  # a second export replaces the first
    assert read_back_count(published, again, "parquet") == 2


def test_gdelt_csv_has_the_61_documented_columns_and_maps_the_event(published, tmp_path: Path):
    result = export(published, GDELT_NAME, "csv", tmp_path / "out")
    assert result.path.name.endswith(".export.CSV")
    with result.path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert len(rows) == 1  # the negated event is not exported: GDELT records what happened
    assert len(rows[0]) == len(GDELT_COLUMNS) == 61
    event = dict(zip(GDELT_COLUMNS, rows[0]))
    assert event["SQLDATE"] == "20230727" and event["MonthYear"] == "202307" and event["Year"] == "2023"
    assert event["EventCode"] == "057" and event["EventBaseCode"] == "057" and event["EventRootCode"] == "05"
    assert event["QuadClass"] == "2" and event["NumArticles"] == "1" and event["NumMentions"] == "1"
    assert event["Actor1Name"] == "Miguel Díaz-Canel" and event["Actor2Name"] == "Kim Jong Un"
    assert event["ActionGeo_FullName"] == "Pyongyang" and event["ActionGeo_Type"] == "4"
    assert event["IsRootEvent"] == "1" and event["SOURCEURL"] == "sample/a1.txt" and event["DATEADDED"] == "20250801090000"
    assert int(event["GLOBALEVENTID"]) > 0
    assert event["Actor1Code"] == "" and event["AvgTone"] == "" and event["ActionGeo_Lat"] == ""  # unknown: empty


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_gdelt_named_formats_keep_the_column_order(published, tmp_path: Path, fmt: str):
    result = export(published, GDELT_NAME, fmt, tmp_path / "out")
    if fmt == "parquet":
        columns = [row[0] for row in published.execute(f"DESCRIBE SELECT * FROM read_parquet('{result.path}')").fetchall()]
    else:
        columns = list(json.loads(result.path.read_text(encoding="utf-8").splitlines()[0]))
    assert tuple(columns) == GDELT_COLUMNS


def test_unknown_table_and_format_are_refused(published, tmp_path: Path):
    with pytest.raises(ValueError, match="unknown table"):
        export(published, "articles; DROP TABLE runs", "csv", tmp_path)
    with pytest.raises(ValueError, match="unknown format"):
        export(published, "articles", "xlsx", tmp_path)


def test_cli_export_writes_and_reports(published, tmp_path: Path):
    import shutil

    from typer.testing import CliRunner

    from flows.cli import app

    held = published.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    published.execute("CHECKPOINT")
    db = Path(shutil.copy(held, tmp_path / "copy.duckdb"))  # the fixture's connection keeps its own file open
    result = CliRunner().invoke(app, ["export", "events-gdelt", "--format", "csv", "--out", str(tmp_path / "x"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 rows of events-gdelt" in result.output and (tmp_path / "x" / "events_gdelt.export.CSV").exists()
    refused = CliRunner().invoke(app, ["export", "articles", "--format", "xml", "--out", str(tmp_path / "x"), "--db", str(db)])
    assert refused.exit_code == 2 and "parquet" in refused.output
