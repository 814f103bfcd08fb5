"""Benchmark validate_staging on a synthetic 100,000-article staging (about 3M entity mentions).

    python -m benchmarks.bench_dq [--articles 100000] [--mentions-per-article 30] [--keep DIR]

Builds a temporary DuckDB file (warehouse DDL in main, a few published rows, a full-size staging),
then times the audit queries, the Great Expectations checkpoints and the report.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from expectations.checkpoint import validate_staging
from expectations.suites import SUITES
from warehouse.store import SQL_DIR

RUN_ID = "bench-run"
RUN_DATE = datetime.date(2025, 8, 1)
# A non-ASCII sentence so substring/length take DuckDB's UTF-8 path, as real bodies with 'Díaz-Canel' do.
SENTENCE = "Presiden Kuba Miguel Díaz-Canel bertemu Kim Jong Un di Pyongyang untuk membahas kerja sama Korea Utara. "


def build_staging(path: Path, n_articles: int, mentions_per_article: int, published_articles: int = 10_000) -> None:
    """A warehouse file whose staging holds one synthetic run of n_articles articles."""
    # Bounded memory: the machine is shared, and the mention build otherwise holds every body it slices.
    con = duckdb.connect(str(path), config={"preserve_insertion_order": False, "memory_limit": "3GB"})
    for sql_file in sorted(SQL_DIR.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    for suite in SUITES:
        con.execute(f"CREATE TABLE staging.{suite.name} AS SELECT * FROM main.{suite.name} LIMIT 0")
    article = """
        SELECT printf('%016x', i) AS article_id, 'in/' || i || '.txt' AS source_path, md5(i::VARCHAR) AS source_sha256,
               'utf-8' AS encoding, 'TEMPO.CO' AS outlet, 'Jakarta' AS dateline, NULL AS title, NULL AS author, NULL AS agency,
               DATE '2023-01-01' + (i % 900)::INTEGER AS published_date,
               CASE WHEN i % 50 = 0 THEN 'en' ELSE 'id' END AS language, 0.99 AS language_prob,
               'Artikel ' || i || '. ' || repeat($sentence, 25 + (i % 30)::INTEGER) AS body,
               0 AS n_chars, md5('b' || i) AS body_sha256, NULL AS duplicate_of, NULL AS duplicate_similarity, NULL AS duplicate_kind,
               $run_id AS run_id, TIMESTAMP '2025-08-01 09:00:00' AS ingested_at
        FROM range({lo}, {hi}) t(i)
    """
    for schema, lo, hi in (("main", 10**9, 10**9 + published_articles), ("staging", 0, n_articles)):
        con.execute(
            f"INSERT INTO {schema}.articles BY NAME SELECT * REPLACE (length(body) AS n_chars) FROM ({article.format(lo=lo, hi=hi)})",
            {"sentence": SENTENCE, "run_id": RUN_ID},
        )
        con.execute(f"INSERT INTO {schema}.article_texts BY NAME SELECT article_id, body AS raw_text FROM {schema}.articles")
    con.execute(
        "INSERT INTO staging.removed_lines BY NAME SELECT article_id, k AS line_no, 'Baca juga: tautan ' || k AS text,"
        " 'related_link' AS rule, 'line' AS kind"
        " FROM staging.articles, range(1, 6) r(k)"
    )
    con.execute(
        "INSERT INTO staging.entities BY NAME SELECT 'E' || i AS entity_id, 'Entitas ' || i AS name,"
        " ['PERSON', 'ORGANIZATION', 'LOCATION'][(i % 3) + 1] AS type, 'Q' || (i + 1) AS wikidata_id FROM range(50000) t(i)"
    )
    step = len(SENTENCE)
    con.execute(
        f"""INSERT INTO staging.entity_mentions BY NAME
        SELECT a.article_id, 'E' || (((hash(a.article_id) % 50000)::BIGINT + a.k) % 50000) AS entity_id,
               substring(a.body, a.s + 1, 10) AS surface, a.s AS start_char, a.s + 10 AS end_char,
               ['PERSON', 'ORGANIZATION', 'LOCATION'][((((hash(a.article_id) % 50000)::BIGINT + a.k) % 50000) % 3) + 1] AS type
        FROM (SELECT article_id, body, k, 14 + (k * {step} + (k % 7) * 3) % (n_chars - 30) AS s
              FROM staging.articles, range({mentions_per_article}) r(k)) a"""
    )
    con.execute(
        "INSERT INTO staging.events BY NAME SELECT 'V' || i AS event_id, '057' AS event_code, '05' AS root_code,"
        " 'sign formal agreement' AS label, DATE '2023-01-01' + (i % 900)::INTEGER AS event_date, 'day' AS date_precision,"
        " 'E' || (i % 50000) AS actor1_entity_id, 'E' || ((i + 1) % 50000) AS actor2_entity_id,"
        " 'E' || ((i % 16000) * 3 + 2) AS location_entity_id, 2 AS quad_class, false AS is_negated FROM range(150000) t(i)"
    )
    con.execute(
        f"""INSERT INTO staging.event_mentions BY NAME
        SELECT 'V' || (((hash(a.article_id) % 150000)::BIGINT + a.k) % 150000) AS event_id, a.article_id, $sentence AS sentence,
               'bertemu' AS trigger, a.s AS start_char, a.s + 7 AS end_char
        FROM (SELECT article_id, k, strpos(body, 'bertemu') - 1 + k * {step} AS s FROM staging.articles, range(2) r(k)) a""",
        {"sentence": SENTENCE},
    )
    con.execute(
        "INSERT INTO staging.quarantine BY NAME SELECT 'bad/' || i || '.bin' AS source_path, md5('q' || i) AS source_sha256,"
        " 'binary' AS reason, 'NUL bytes' AS detail, $run_id AS run_id FROM range(1000) t(i)",
        {"run_id": RUN_ID},
    )
    con.close()


def main() -> None:
    """Build the synthetic staging, validate it once, print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--mentions-per-article", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="build the database and reports here and keep them")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse a database built by an earlier run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("expectations").setLevel(logging.DEBUG)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="kabar-bench-dq-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.duckdb"
    if not (args.reuse and args.keep and db.exists()):
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        build_staging(db, args.articles, args.mentions_per_article)
        print(f"built staging in {time.perf_counter() - started:.1f}s")
    try:
        con = duckdb.connect(str(db))
        counts = {suite.name: con.execute(f"SELECT count(*) FROM staging.{suite.name}").fetchone()[0] for suite in SUITES}
        print("staged rows:", ", ".join(f"{name}={count:,}" for name, count in counts.items()))
        started = time.perf_counter()
        import great_expectations  # noqa: F401  (timed apart: the import is paid once per process)

        print(f"import great_expectations: {time.perf_counter() - started:.1f}s")
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = validate_staging(con, RUN_ID, RUN_DATE, workdir / "reports")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        con.close()
        failed = outcome.results.filter(~outcome.results["success"])
        print(
            f"validate_staging: {elapsed:.1f}s wall, {cpu:.1f}s CPU (all threads), load average {os.getloadavg()[0]:.1f}, verdict {outcome.verdict}, {outcome.results.height} expectations, {failed.height} failed"
        )
        for row in failed.iter_rows(named=True):
            print(f"  failed: {row['suite']}.{row['column_name']} {row['expectation']} ({row['unexpected_count']})")
        print(f"report: {outcome.report_path}")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
