"""Fixtures: a real DuckDB warehouse file with main + staging schemas and one clean staged run."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pytest

from warehouse.store import SQL_DIR

STAGED_TABLES = (
    "articles",
    "article_texts",
    "removed_lines",
    "entities",
    "entity_mentions",
    "events",
    "event_mentions",
    "quarantine",
)
RUN_ID = "run-2025-08-01-a"
RUN_DATE = datetime.date(2025, 8, 1)

BODY = (
    "Presiden Kuba Miguel Díaz-Canel bertemu Pemimpin Korea Utara Kim Jong Un di Pyongyang pada Kamis, "
    "27 Juli 2023. Kedua pemimpin menandatangani perjanjian kerja sama ekonomi dan teknologi. "
    "Menurut media pemerintah Korea Utara, pertemuan itu juga membahas hubungan dengan Rusia "
    "dan rencana kunjungan balasan ke Havana tahun depan."
)


def mention(article_id: str, entity_id: str, surface: str, entity_type: str, body: str = BODY) -> tuple:
    """An entity_mentions row whose offsets point at the first occurrence of surface."""
    start = body.index(surface)
    return (article_id, entity_id, surface, start, start + len(surface), entity_type)


def create_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB file with the warehouse DDL in main and empty same-shaped tables in staging."""
    con = duckdb.connect(str(path))
    for sql_file in sorted(SQL_DIR.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    for table in STAGED_TABLES:
        con.execute(f"CREATE TABLE staging.{table} AS SELECT * FROM main.{table} LIMIT 0")
    return con


def stage_clean_run(con: duckdb.DuckDBPyConnection) -> None:
    """Stage one clean article with its text, removed lines, entities, mentions, an event and a quarantined file."""
    ingested_at = datetime.datetime(2025, 8, 1, 9, 0)
    con.execute(
        "INSERT INTO staging.articles BY NAME SELECT * FROM (VALUES ('a1', 'sample/a1.txt', 'sha-a1', 'utf-8', 'TEMPO.CO', 'Jakarta',"
        " NULL, 'dka', NULL, DATE '2023-07-31', 'id', 0.99, $body, $n, 'bsha-a1', NULL, NULL, NULL, $run_id, $at))"
        " t(article_id, source_path, source_sha256, encoding, outlet, dateline, title, author, agency, published_date,"
        " language, language_prob, body, n_chars, body_sha256, duplicate_of, duplicate_similarity, duplicate_kind, run_id, ingested_at)",
        {"body": BODY, "n": len(BODY), "run_id": RUN_ID, "at": ingested_at},
    )
    con.execute(
        "INSERT INTO staging.article_texts BY NAME SELECT 'a1' AS article_id, $text AS raw_text",
        {"text": "Baca juga: Rusia\n" + BODY},
    )
    con.execute(
        "INSERT INTO staging.removed_lines BY NAME SELECT 'a1' AS article_id, 1 AS line_no, 'Baca juga: Rusia' AS text,"
        " 'related_link' AS rule, 'line' AS kind"
    )
    con.executemany(
        "INSERT INTO staging.entities BY NAME SELECT $1 AS entity_id, $2 AS name, $3 AS type, $4 AS subtype, $5 AS wikidata_id,"
        " $6 AS aliases",
        [
            ("Q241", "Kuba", "LOCATION", "COUNTRY", "Q241", ["Cuba"]),
            ("Q57390", "Miguel Díaz-Canel", "PERSON", None, "Q57390", []),
            ("Q423", "Korea Utara", "LOCATION", "COUNTRY", "Q423", ["Korut", "DPRK"]),
            ("Q56226", "Kim Jong Un", "PERSON", None, "Q56226", []),
            ("Q18808", "Pyongyang", "LOCATION", "CITY", "Q18808", []),
        ],
    )
    con.executemany(
        "INSERT INTO staging.entity_mentions BY NAME SELECT $1 AS article_id, $2 AS entity_id, $3 AS surface, $4 AS start_char,"
        " $5 AS end_char, $6 AS type",
        [
            mention("a1", "Q241", "Kuba", "LOCATION"),
            mention("a1", "Q57390", "Miguel Díaz-Canel", "PERSON"),
            mention("a1", "Q423", "Korea Utara", "LOCATION"),
            mention("a1", "Q56226", "Kim Jong Un", "PERSON"),
            mention("a1", "Q18808", "Pyongyang", "LOCATION"),
        ],
    )
    con.execute(
        "INSERT INTO staging.events BY NAME SELECT 'ev1' AS event_id, '057' AS event_code, '05' AS root_code,"
        " 'sign formal agreement' AS label, DATE '2023-07-27' AS event_date, 'day' AS date_precision,"
        " 'Q57390' AS actor1_entity_id, 'Q56226' AS actor2_entity_id, 'Q18808' AS location_entity_id, 2 AS quad_class,"
        " false AS is_negated"
    )
    trigger = "menandatangani"
    start = BODY.index(trigger)
    sentence = "Kedua pemimpin menandatangani perjanjian kerja sama ekonomi dan teknologi."
    con.execute(
        "INSERT INTO staging.event_mentions BY NAME SELECT 'ev1' AS event_id, 'a1' AS article_id, $1 AS sentence, $2 AS trigger,"
        " $3 AS start_char, $4 AS end_char",
        [sentence, trigger, start, start + len(trigger)],
    )
    con.execute(
        "INSERT INTO staging.quarantine BY NAME SELECT 'sample/empty.txt' AS source_path, 'sha-empty' AS source_sha256,"
        " 'empty' AS reason, '0 bytes' AS detail, $run_id AS run_id",
        {"run_id": RUN_ID},
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh warehouse file with empty staging tables."""
    con = create_warehouse(tmp_path / "kabar.duckdb")
    yield con
    con.close()


@pytest.fixture
def staged_warehouse(warehouse: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A fresh warehouse whose staging holds one clean run."""
    stage_clean_run(warehouse)
    return warehouse
