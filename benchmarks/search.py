"""Full-text search at scale: index build time and query latency over N real-like articles.

Bodies are the real articles under $KABAR_REALNEWS_DIR (default /tmp/realnews), copied by bulk SQL
into a temporary warehouse until it holds `--articles` rows; each copy appends the first paragraph of
another article so bodies are not all identical. Skips (exit 0, saying why) when the corpus is absent.

    nice -n 10 .venv/bin/python -m benchmarks.search --articles 100000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from warehouse import search
from warehouse.store import connect, migrate

QUERIES = ("pertemuan", "harga beras", "presiden", "pemilihan umum kepala daerah", "banjir")


def load_corpus(con, corpus_dir: Path) -> int:
    """Read every .txt under corpus_dir into a temp table `corpus(n, title, body)`; return the count."""
    rows = []
    for path in sorted(corpus_dir.rglob("*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace").strip()
        if not text:
            continue
        title, _, body = text.partition("\n")
        rows.append((len(rows), title[:200], body.strip() or title))
    con.execute("CREATE TEMP TABLE corpus (n INTEGER, title VARCHAR, body VARCHAR)")
    con.executemany("INSERT INTO corpus VALUES (?, ?, ?)", rows)
    return len(rows)


def fill_articles(con, n_articles: int, n_corpus: int) -> None:
    """Bulk-copy the corpus into `articles` until it holds n_articles rows."""
    con.execute(
        """
        INSERT INTO articles (article_id, source_path, source_sha256, outlet, title, published_date, language, body,
                              n_chars, body_sha256, run_id, ingested_at)
        SELECT printf('%016x', i), 'bench/' || i || '.txt', printf('%064x', i), 'outlet-' || (i % 87), title,
               DATE '2023-01-01' + CAST(i % 900 AS INTEGER), 'id', copy_body, length(copy_body), md5(copy_body), 'bench', now()
        FROM (
            SELECT i, a.title, a.body || chr(10) || split_part(b.body, chr(10), 1) AS copy_body
            FROM range($n) r(i)
            JOIN corpus a ON a.n = i % $m
            JOIN corpus b ON b.n = (i * 7 + 3) % $m
        )
        """,
        {"n": n_articles, "m": n_corpus},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5, help="Runs of each query (median reported).")
    args = parser.parse_args(argv)
    corpus_dir = Path(os.environ.get("KABAR_REALNEWS_DIR", "/tmp/realnews"))
    if not corpus_dir.is_dir():
        print(f"skipped: no corpus at {corpus_dir} (set KABAR_REALNEWS_DIR)")
        return 0
    with tempfile.TemporaryDirectory(prefix="kabar-search-bench-") as folder:
        db = Path(folder) / "bench.duckdb"
        con = connect(db)
        migrate(con)
        n_corpus = load_corpus(con, corpus_dir)
        started = time.perf_counter()
        fill_articles(con, args.articles, n_corpus)
        fill_seconds = time.perf_counter() - started
        chars = con.execute("SELECT sum(n_chars) FROM articles").fetchone()[0]
        build_seconds = search.refresh_index(con, force=True)
        clock = time.perf_counter()
        search.order_postings(con)  # again, to tell what the ordering step of the build costs
        ordering_seconds = time.perf_counter() - clock
        con.close()

        reader = connect(db, read_only=True)
        search.load_fts(reader)
        latencies = {}
        for query in QUERIES:
            timings = []
            for _ in range(args.repeats):
                clock = time.perf_counter()
                hits = search.search(reader, query, limit=10)
                timings.append(time.perf_counter() - clock)
            latencies[query] = {"median_ms": round(1000 * statistics.median(timings), 1), "hits": len(hits)}
        reader.close()
        size_mb = db.stat().st_size / 1e6
    report = {
        "articles": args.articles,
        "corpus_files": n_corpus,
        "body_chars": chars,
        "fill_seconds": round(fill_seconds, 1),
        "index_build_seconds": round(build_seconds, 1),
        "of_which_ordering_postings_seconds": round(ordering_seconds, 1),
        "warehouse_mb_with_index": round(size_mb, 1),
        "query_latency": latencies,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
