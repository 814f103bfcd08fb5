"""Full-text search: a real DuckDB file, the FTS extension from its package, a read-only search connection."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from warehouse import search
from warehouse.store import connect, migrate

# Written for these tests (not scraped text): one article says `bertemu`, none says `pertemuan`.
PLANTED = (
    "Menteri luar negeri kedua negara bertemu di Jakarta pada Selasa untuk membahas perdagangan "
    "dan kerja sama maritim. Keduanya sepakat bertemu lagi bulan depan."
)
OTHERS = [
    "Harga beras di pasar induk naik tajam menjelang musim hujan, kata pedagang kepada wartawan di Jakarta.",
    "Menteri keuangan mengumumkan anggaran baru untuk pembangunan jalan tol di Sumatra dan Kalimantan.",
    "Tim nasional sepak bola berlatih di stadion utama sebelum laga persahabatan akhir pekan ini.",
    "Banjir merendam ratusan rumah warga di pinggir sungai setelah hujan deras sepanjang malam.",
    "Bank sentral mempertahankan suku bunga acuan demi menjaga inflasi tetap rendah tahun ini.",
    "Presiden meresmikan bandara baru di Nusa Tenggara Timur yang diharapkan mendorong pariwisata.",
]


def _insert(con, article_id: str, body: str, outlet: str, published: datetime.date, title: str | None = None, duplicate_of=None):
    con.execute(
        "INSERT INTO articles (article_id, source_path, source_sha256, outlet, title, published_date, language, body, n_chars,"
        " body_sha256, duplicate_of, run_id, ingested_at) VALUES (?, ?, ?, ?, ?, ?, 'id', ?, ?, ?, ?, 'r1', ?)",
        [
            article_id,
            f"/in/{article_id}.txt",
            article_id * 4,
            outlet,
            title,
            published,
            body,
            len(body),
            f"b{article_id}",
            duplicate_of,
            datetime.datetime(2025, 8, 1, 9),
        ],
    )


@pytest.fixture
def searchable(duckdb_path: Path) -> Path:
    """A warehouse file with the planted article among others, its index built by the writer, then closed."""
    con = connect(duckdb_path)
    migrate(con)
    _insert(con, "planted00000000a", PLANTED, "Kabar Satu", datetime.date(2025, 7, 30), title="Diplomasi maritim")
    for number, body in enumerate(OTHERS * 5):
        _insert(con, f"other{number:011d}", body, "Kabar Dua" if number % 2 else "Kabar Satu", datetime.date(2025, 6, 1 + number))
    assert search.refresh_index(con) is not None
    con.close()
    return duckdb_path


def test_stemmed_query_finds_the_planted_article_first_on_a_read_only_connection(searchable: Path):
    con = connect(searchable, read_only=True)
    try:
        assert search.index_state(con).fresh
        hits = search.search(con, "pertemuan")
    finally:
        con.close()
    assert hits, "a stemmed query found nothing"
    assert hits[0].article_id == "planted00000000a"
    assert hits[0].title == "Diplomasi maritim" and hits[0].outlet == "Kabar Satu"
    assert hits[0].news_date == datetime.date(2025, 7, 30)
    assert "«bertemu»" in hits[0].snippet
    assert all(hit.article_id == "planted00000000a" for hit in hits)  # nothing else talks of meeting


def test_plain_snowball_would_miss_it(searchable: Path):
    """Why the query is expanded: the stemmer alone reduces the two words to different stems."""
    con = connect(searchable, read_only=True)
    search.load_fts(con)
    stems = dict(con.execute("SELECT w, stem(w, 'indonesian') FROM unnest(['pertemuan', 'bertemu']) t(w)").fetchall())
    con.close()
    assert stems["pertemuan"] != stems["bertemu"]


def test_filters_outlet_since_limit_and_duplicates(searchable: Path):
    con = connect(searchable, read_only=True)
    try:
        everything = search.search(con, "menteri", limit=100)
        only_two = search.search(con, "menteri", outlet="kabar dua", limit=100)
        recent = search.search(con, "menteri", since=datetime.date(2025, 6, 20), limit=100)
        limited = search.search(con, "menteri", limit=3)
    finally:
        con.close()
    assert len(everything) == 6  # the planted article and five copies of the finance minister
    assert only_two and {hit.outlet for hit in only_two} == {"Kabar Dua"}
    assert recent and all(hit.news_date >= datetime.date(2025, 6, 20) for hit in recent) and len(recent) < len(everything)
    assert len(limited) == 3


def test_a_new_article_makes_the_index_stale_until_refreshed(searchable: Path):
    con = connect(searchable)
    _insert(con, "copy000000000001", PLANTED, "Kabar Tiga", datetime.date(2025, 8, 1), duplicate_of="planted00000000a")
    state = search.index_state(con)
    assert state.exists and not state.fresh and "26" in state.stale_reason
    assert search.refresh_index(con) is not None
    assert search.refresh_index(con) is None  # fresh: nothing to do
    originals = search.search(con, "pertemuan")
    with_copies = search.search(con, "pertemuan", include_duplicates=True)
    con.close()
    assert [hit.article_id for hit in originals] == ["planted00000000a"]
    assert {hit.article_id for hit in with_copies} == {"planted00000000a", "copy000000000001"}


def test_cli_rebuilds_a_stale_index_saying_so_then_searches(searchable: Path):
    from typer.testing import CliRunner

    from flows.cli import app

    con = connect(searchable)
    _insert(
        con,
        "late000000000001",
        "Kedua pelatih bertemu wartawan seusai laga.",
        "Kabar Tiga",
        datetime.date(2025, 8, 2),
        title="Jumpa pers",
    )
    con.close()
    runner = CliRunner()
    first = runner.invoke(app, ["search", "pertemuan", "--db", str(searchable), "--limit", "5"])
    assert first.exit_code == 0, first.output
    assert "search index is stale" in first.output and "rebuilt over 32 articles" in first.output
    assert "Jumpa pers" in first.output and "Diplomasi maritim" in first.output
    again = runner.invoke(app, ["search", "pertemuan", "--db", str(searchable), "--outlet", "Kabar Tiga"])
    assert again.exit_code == 0 and "stale" not in again.output
    assert "Jumpa pers" in again.output and "Diplomasi maritim" not in again.output
    bad = runner.invoke(app, ["search", "pertemuan", "--db", str(searchable), "--since", "kemarin"])
    assert bad.exit_code != 0


def test_query_expansion_adds_only_stems_the_stemmer_lost():
    import duckdb

    con = duckdb.connect()
    search.load_fts(con)
    _, meeting = search.query_terms(con, "pertemuan")
    terms, missile = search.query_terms(con, "rudal balistik")
    _, school = search.query_terms(con, "sekolah")
    _, writing = search.query_terms(con, "tulisan")
    con.close()
    assert {"temu", "berte", "emu"} <= meeting and "sete" not in meeting  # bertemu, menemui; not setelah
    assert terms == ["rudal", "balistik"] and missile == {"rudal", "balistik"}  # nothing lost, nothing added
    assert school == {"seko", "sekolah"}  # sekolah/bersekolah and persekolahan
    assert writing == {"tulis", "ulis"}  # tulisan and menulis


def test_scores_equal_the_extensions_match_bm25(searchable: Path):
    con = connect(searchable, read_only=True)
    try:
        hits = search.search(con, "menteri pertemuan", limit=100, include_duplicates=True)
        terms, _ = search.query_terms(con, "menteri pertemuan")
        reference = dict(
            con.execute(
                "SELECT article_id, score FROM (SELECT article_id, fts_main_articles.match_bm25(article_id, $q) AS score"
                " FROM articles) WHERE score IS NOT NULL",
                {"q": " ".join(terms)},
            ).fetchall()
        )
    finally:
        con.close()
    assert len(hits) == len(reference) == 6
    assert all(abs(hit.score - reference[hit.article_id]) < 1e-9 for hit in hits)


def test_cli_without_rebuild_refuses_a_missing_index_and_warns_on_a_stale_one(duckdb_path: Path):
    from typer.testing import CliRunner

    from flows.cli import app

    con = connect(duckdb_path)
    migrate(con)
    _insert(con, "planted00000000a", PLANTED, "Kabar Satu", datetime.date(2025, 7, 30))
    con.close()
    runner = CliRunner()
    missing = runner.invoke(app, ["search", "pertemuan", "--db", str(duckdb_path), "--no-rebuild"])
    assert missing.exit_code == 1 and "no search index has been built yet" in missing.output
    built = runner.invoke(app, ["search", "pertemuan", "--db", str(duckdb_path)])
    assert built.exit_code == 0 and "rebuilt over 1 articles" in built.output
    con = connect(duckdb_path)
    _insert(con, "other00000000001", OTHERS[0], "Kabar Dua", datetime.date(2025, 7, 31))
    con.close()
    stale = runner.invoke(app, ["search", "pertemuan", "--db", str(duckdb_path), "--no-rebuild"])
    assert stale.exit_code == 0 and "warning: searching a stale index" in stale.output and "Diplomasi" not in stale.output
    assert "planted00000000a" in stale.output
