"""Full-text search over article titles and bodies: DuckDB's FTS index with its Indonesian (Snowball) stemmer.

The index lives in the warehouse file (schema `fts_main_articles`), so searching needs only a read-only
connection. Building it writes, so the writer rebuilds it after each publish (`refresh_index`), and
`kabar search` rebuilds it on a short write connection when it finds it missing or stale, saying so.
DuckDB's FTS index cannot be updated in place: a refresh rebuilds it over every article.

Snowball's Indonesian stemmer loses some roots: it strips a root's last syllable when it looks like a
possessive or particle (`bertemu` → `berte`, `sekolah` → `seko`) and does not restore the t or k a nasal
prefix replaced (`menemui` → `emu`), while `pertemuan` stems to `temu`. A query therefore also asks for
those lost stems of each word's affixed forms: `pertemuan` finds an article that only says `bertemu`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

INDEX_SCHEMA = "fts_main_articles"
STEMMER = "indonesian"
# Function words too common to rank by (Indonesian and a few English); the index keeps no postings for them.
STOPWORDS = (
    "ada adalah agar akan akan antara apa atau bagi bahwa baik banyak bisa dalam dan dapat dari demikian di dia "
    "dengan hanya harus hingga ia ini itu jika juga kami karena ke kepada ketika kita lagi lain lalu maka masih "
    "mereka namun oleh pada para saat saja sama sampai sangat satu sebagai sebuah sedang sejak selain seperti "
    "serta setelah sudah tahun tak tapi telah tentang tersebut tetapi tidak untuk yaitu yakni yang "
    "a an and are as at be by for from in is it of on or that the this to was were with"
).split()
# Snowball's two ways of losing a root (see the module docstring): endings it strips as possessives or
# particles, and the first letter of t- and k- roots that the nasal prefixes me-/pe- replace.
STRIPPED_ENDINGS = ("mu", "ku", "nya", "lah", "kah", "tah", "pun")
PREFIXES = ("ber", "ter", "di", "ke", "per", "me*", "pe*")
SUFFIXES = ("an", "kan", "i")
SNIPPET_CHARS = 90
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class IndexState:
    """What the search index covers compared with the articles table."""

    exists: bool
    indexed_articles: int | None
    current_articles: int
    built_at: datetime | None
    stale_reason: str | None  # None when the index covers exactly the current articles

    @property
    def fresh(self) -> bool:
        return self.exists and self.stale_reason is None


@dataclass(frozen=True)
class SearchHit:
    """One article found: its identity, where it appeared and the passage that matched."""

    article_id: str
    title: str | None
    outlet: str | None
    news_date: date | None
    score: float
    snippet: str


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the FTS extension from the `duckdb-extension-fts` package (never downloaded at run time)."""
    import duckdb_extension_fts

    package_dir = Path(duckdb_extension_fts.__file__).parent
    extension = next(package_dir.rglob("fts.duckdb_extension"), None)
    if extension is None:
        raise RuntimeError(f"no fts.duckdb_extension under {package_dir}: reinstall duckdb-extension-fts")
    con.execute(f"LOAD '{extension.as_posix()}'")


def _articles_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """(article count, a hash of every article id and body hash): changes whenever an article is added, removed or re-cleaned."""
    count, digest = con.execute(
        "SELECT count(*), coalesce(bit_xor(hash(article_id, body_sha256)), 0)::VARCHAR FROM main.articles"
    ).fetchall()[0]
    return count, digest


def index_state(con: duckdb.DuckDBPyConnection) -> IndexState:
    """Whether the index exists and covers the articles as they are now."""
    current, digest = _articles_fingerprint(con)
    has_state = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'search_index_state'"
    ).fetchall()[0][0]  # absent in a warehouse not yet migrated to 190_search.sql
    has_index = con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", [INDEX_SCHEMA]).fetchall()[
        0
    ][0]
    row = (
        con.execute("SELECT n_articles, articles_fingerprint, built_at FROM main.search_index_state").fetchone()
        if has_state
        else None
    )
    if not has_index or row is None:
        return IndexState(False, None, current, None, "no search index has been built yet")
    indexed, indexed_digest, built_at = row
    reason = None
    if indexed != current or indexed_digest != digest:
        reason = f"the index was built over {indexed:,} articles at {built_at:%Y-%m-%d %H:%M}; the warehouse now has {current:,}"
        if indexed == current:
            reason = f"articles changed since the index was built at {built_at:%Y-%m-%d %H:%M}"
    return IndexState(True, indexed, current, built_at, reason)


def refresh_index(con: duckdb.DuckDBPyConnection, force: bool = False) -> float | None:
    """Rebuild the index over every article's title and body unless it is already fresh; return seconds spent (None: was fresh).

    Needs a write connection. Takes roughly a second per few thousand articles (see docs/warehouse.md).
    """
    load_fts(con)
    if not force and index_state(con).fresh:
        return None
    started = time.perf_counter()
    count, digest = _articles_fingerprint(con)
    words = ", ".join(f"('{word}')" for word in STOPWORDS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE kabar_search_stopwords AS SELECT * FROM (VALUES {words}) t(sw)")
    con.execute(
        f"PRAGMA create_fts_index('main.articles', 'article_id', 'title', 'body', stemmer='{STEMMER}', "
        "stopwords='kabar_search_stopwords', strip_accents=1, lower=1, overwrite=1)"
    )
    con.execute("DROP TABLE kabar_search_stopwords")
    order_postings(con)
    seconds = time.perf_counter() - started
    con.execute("DELETE FROM main.search_index_state")
    con.execute("INSERT INTO main.search_index_state VALUES (?, ?, now()::TIMESTAMP, ?)", [count, digest, seconds])
    return seconds


class NoIndex(RuntimeError):
    """The warehouse has no search index and we were told not to build one."""


def open_searchable(db_path: Path, wait_seconds: float, rebuild: bool = True, say=print) -> duckdb.DuckDBPyConnection:
    """A read-only connection whose search index covers the articles: a stale or missing index is first
    rebuilt on a short write connection, saying so through `say` (with `rebuild=False`, searched stale).
    """
    from warehouse.store import connect, migrate

    con = connect(db_path, read_only=True, wait_seconds=wait_seconds)
    state = index_state(con)
    if state.fresh:
        return con
    if not rebuild:
        if not state.exists:
            con.close()
            raise NoIndex(state.stale_reason)
        say(f"warning: searching a stale index ({state.stale_reason})")
        return con
    con.close()
    say(f"search index is stale ({state.stale_reason}): rebuilding it …")
    writer = connect(db_path, wait_seconds=wait_seconds)
    try:
        migrate(writer)
        seconds = refresh_index(writer, force=True)
    finally:
        writer.close()
    say(f"search index rebuilt over {state.current_articles:,} articles in {seconds:.1f} s")
    return connect(db_path, read_only=True, wait_seconds=wait_seconds)


def order_postings(con: duckdb.DuckDBPyConnection) -> None:
    """Store the index's postings ordered by term, so a query's few terms sit in few row groups.

    DuckDB's zone maps then let a query skip to them: 3-4x faster queries for a full sort of the
    postings at build time. `match_bm25` reads the same table and keeps working.
    """
    con.execute(
        f"CREATE OR REPLACE TABLE {INDEX_SCHEMA}.terms_by_term AS SELECT * FROM {INDEX_SCHEMA}.terms ORDER BY termid, docid"
    )
    con.execute(f"DROP TABLE {INDEX_SCHEMA}.terms")
    con.execute(f"ALTER TABLE {INDEX_SCHEMA}.terms_by_term RENAME TO terms")


def _nasal(prefix: str, base: str) -> str:
    """`me-`/`pe-` with the nasal the base's first letter takes (`temu` → `menemu`, `kirim` → `mengirim`)."""
    head, first = prefix[:-1], base[:1]
    if first in "aeiough":
        return f"{head}ng{base}"
    if first == "k":
        return f"{head}ng{base[1:]}"
    if first in "bfv":
        return f"{head}m{base}"
    if first == "p":
        return f"{head}m{base[1:]}"
    if first == "t":
        return f"{head}n{base[1:]}"
    if first == "s":
        return f"{head}ny{base[1:]}"
    if first in "cdjz":
        return f"{head}n{base}"
    return f"{head}{base}"


def _affixed_forms(base: str) -> set[str]:
    """The base with one prefix, with one suffix, and with a nasal prefix and a suffix."""
    forms = {base + suffix for suffix in SUFFIXES}
    for prefix in PREFIXES:
        prefixed = _nasal(prefix, base) if prefix.endswith("*") else prefix + base
        forms.add(prefixed)
        if prefix.endswith("*"):
            forms.update(prefixed + suffix for suffix in SUFFIXES)
    return forms


def _lost_root(word: str, root: str, form: str, stem: str) -> bool:
    """True when the stemmer reduces `form` (an affixed form of the query word) to a stem that lost the root."""
    if stem == root or len(stem) < 3:
        return False
    ending_stripped = any(form.endswith(ending) and stem == form[: -len(ending)] for ending in STRIPPED_ENDINGS)
    nasal_replaced = root[:1] in ("t", "k") and stem == root[1:] and form.startswith(("men", "meng", "pen", "peng"))
    kept_whole = word.endswith(STRIPPED_ENDINGS) and stem == word  # `sekolahan` keeps the `sekolah` that `sekolah` loses
    return ending_stripped or nasal_replaced or kept_whole


def query_terms(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], set[str]]:
    """The words to hand to BM25 (the query's, and affixed forms whose stems lost the root) and the stems they reduce to."""
    words = [word.lower() for word in WORD.findall(query)]
    if not words:
        return [], set()
    roots = dict(con.execute("SELECT w, stem(w, ?) FROM unnest(?::VARCHAR[]) t(w)", [STEMMER, words]).fetchall())
    origin = {form: word for word in words for base in {word, roots[word]} for form in _affixed_forms(base)}
    stems = dict(con.execute("SELECT w, stem(w, ?) FROM unnest(?::VARCHAR[]) t(w)", [STEMMER, sorted(origin)]).fetchall())
    terms, covered = list(words), set(roots.values())
    for form, stem in sorted(stems.items()):
        word = origin[form]
        if stem not in covered and _lost_root(word, roots[word], form, stem):
            terms.append(form)  # BM25 stems the query again: one surface form per stem is enough
            covered.add(stem)
    return terms, covered


def _snippet(con: duckdb.DuckDBPyConnection, body: str, stems: set[str]) -> str:
    """The passage around the first word of the body whose stem the query asked for, that word in «»."""
    tokens = list(WORD.finditer(body))
    distinct = sorted({token.group().lower() for token in tokens})
    if not distinct:
        return ""
    stem_of = dict(con.execute("SELECT w, stem(w, ?) FROM unnest(?::VARCHAR[]) t(w)", [STEMMER, distinct]).fetchall())
    hit = next((token for token in tokens if stem_of.get(token.group().lower()) in stems), None)
    if hit is None:  # matched in the title only
        text = " ".join(body[: 2 * SNIPPET_CHARS].split())
        return text + ("…" if len(body) > 2 * SNIPPET_CHARS else "")
    start = max(0, hit.start() - SNIPPET_CHARS)
    end = min(len(body), hit.end() + SNIPPET_CHARS)
    before = " ".join(body[start : hit.start()].split())
    after = " ".join(body[hit.end() : end].split())
    passage = " ".join(part for part in (before, f"«{hit.group()}»", after) if part)
    return f"{'…' if start else ''}{passage}{'…' if end < len(body) else ''}"


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    outlet: str | None = None,
    since: date | None = None,
    limit: int = 10,
    include_duplicates: bool = False,
) -> list[SearchHit]:
    """Articles matching `query` by BM25 over title and body, best first; works on a read-only connection.

    `outlet` matches case-insensitively; `since` keeps articles whose news date (stated publication date,
    else ingest day) is on or after it; syndicated copies are left out unless `include_duplicates`.
    """
    load_fts(con)
    _, stems = query_terms(con, query)
    term_ids = [
        row[0]
        for row in con.execute(
            f"SELECT termid FROM {INDEX_SCHEMA}.dict WHERE term IN (SELECT unnest($stems::VARCHAR[]))", {"stems": sorted(stems)}
        ).fetchall()
    ]
    if not term_ids:
        return []
    filters: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if outlet:
        filters.append("lower(a.outlet) = lower($outlet)")
        params["outlet"] = outlet
    if since:
        filters.append("coalesce(a.published_date, CAST(a.ingested_at AS DATE)) >= $since")
        params["since"] = since
    if not include_duplicates:
        filters.append("a.duplicate_of IS NULL")
    where = "".join(f" AND {condition}" for condition in filters)
    # BM25 as the FTS extension's match_bm25 computes it (k1 = 1.2, b = 0.75), over the query's terms only;
    # the term ids are literals so the scan of the postings skips row groups by their zone maps.
    in_list = ", ".join(str(int(term_id)) for term_id in term_ids)
    rows = con.execute(
        f"""
        WITH query_terms AS (SELECT termid, df FROM {INDEX_SCHEMA}.dict WHERE termid IN ({in_list})),
        term_frequency AS (
            SELECT docid, termid, count(*) AS tf FROM {INDEX_SCHEMA}.terms WHERE termid IN ({in_list}) GROUP BY ALL
        ),
        scored AS (
            SELECT f.docid, sum(
                log(((st.num_docs - q.df) + 0.5) / (q.df + 0.5) + 1)
                * (f.tf * 2.2) / (f.tf + 1.2 * (0.25 + 0.75 * d.len / st.avgdl))
            ) AS score
            FROM term_frequency f JOIN query_terms q USING (termid) JOIN {INDEX_SCHEMA}.docs d USING (docid),
                 {INDEX_SCHEMA}.stats st
            GROUP BY f.docid
        )
        SELECT a.article_id, a.title, a.outlet, coalesce(a.published_date, CAST(a.ingested_at AS DATE)) AS news_date,
               s.score, a.body
        FROM scored s JOIN {INDEX_SCHEMA}.docs d USING (docid) JOIN main.articles a ON a.article_id = d.name
        WHERE true{where}
        ORDER BY s.score DESC, a.article_id
        LIMIT $limit
        """,
        params,
    ).fetchall()
    return [
        SearchHit(article_id, title, outlet_name, news_date, score, _snippet(con, body, stems))
        for article_id, title, outlet_name, news_date, score, body in rows
    ]
