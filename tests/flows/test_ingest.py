"""End to end: the real Prefect flow, a real DuckDB file, a real Great Expectations checkpoint."""

from __future__ import annotations

import codecs
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.config import PROJECT_ROOT, IngestSettings
from flows.ingest import run_ingest
from tests.conftest import SAMPLE_DIR
from warehouse.store import PUBLISHED_KEYS

pytestmark = pytest.mark.usefixtures("prefect_server")

SEED_BOILERPLATE = {
    "003_7ec33b65d1fa3300": ["Baca juga:", "REUTERS", "Pilihan Editor Pasukan Israel Tembak Mati Remaja Palestina di Tepi Barat"],
    "000_9a640672c9625f67": ["(dka)"],
    "002_1b4c3eb0fa845fa2": ["Baca Juga di Garis Satu:", "Previous Post Next Post", "نموذج الاتصال"],
    "004_d72669dba3965a89": ["31 Juli 2023"],
}
BODY_MARKERS = ["Baca juga", "Baca Juga", "Pilihan Editor", "Previous Post Next Post", "\nREUTERS", "(dka)", "نموذج الاتصال"]


def _seed(name: str) -> bytes:
    return next(SAMPLE_DIR.glob(f"{name}*.txt")).read_bytes()


@pytest.fixture
def messy_folder(tmp_path: Path) -> Path:
    """The sample plus bad files and re-encoded copies, as scrapers deliver them."""
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLE_DIR, folder)
    seed_000 = _seed("000").decode("utf-8")
    (folder / "bad_empty.txt").write_bytes(b"")
    (folder / "bad_whitespace.txt").write_bytes(b"  \n\t\r\n   \n")
    (folder / "bad_binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "bad_oversized.txt").write_bytes(b"kata " * 1_300_000)
    # The same article again: UTF-8 with BOM and CRLF line ends, trailing spaces: a duplicate, not a new article.
    (folder / "copy_bom_crlf.txt").write_bytes(codecs.BOM_UTF8 + seed_000.replace("\n", "  \r\n").encode("utf-8"))
    # The same article with a zero-width space inside a word, sorted after the BOM copy: a duplicate of the original too.
    zwsp = seed_000.replace("Korea", "Ko\u200brea", 1)
    (folder / "copy_zwsp.txt").write_bytes(zwsp.encode("utf-8"))
    # The same article in UTF-16 with BOM.
    (folder / "copy_utf16.txt").write_bytes(_seed("004").decode("utf-8").encode("utf-16"))
    # The same bytes again under another name, sorted right after the original (so in the next batch).
    (folder / "001b_same_bytes.txt").write_bytes(_seed("001"))
    # A different article in cp1252 with characters outside ASCII.
    cp1252_article = (
        "PARIS – Presiden Prancis Emmanuel Macron bertemu Perdana Menteri Jepang di Élysée pada Senin. "
        "Keduanya membahas kerja sama pertahanan dan perdagangan, kata juru bicara istana kepada wartawan.\n"
        "Pertemuan itu berlangsung di tengah ketegangan di kawasan Indo-Pasifik, dan kedua pemimpin sepakat "
        "memperkuat dialog keamanan tahunan serta kerja sama di bidang energi dan teknologi.\n"
    )
    (folder / "cp1252_article.txt").write_bytes(cp1252_article.encode("cp1252"))
    # Seed 002 with a few broken bytes in the middle: the rest of the article must survive.
    seed_002 = _seed("002")
    middle = seed_002.index(b" ", len(seed_002) // 2)
    (folder / "broken_utf8.txt").write_bytes(seed_002[:middle] + b" \xff\xfe" + seed_002[middle:])
    return folder


def _ingest(folder: Path, db: Path, **overrides):
    settings = IngestSettings(input_dir=folder, db_path=db, report_dir=db.parent / "reports", task_runner="thread", **overrides)
    return run_ingest(settings)


def _counts_equal_distinct_keys(con: duckdb.DuckDBPyConnection) -> None:
    for table, keys in PUBLISHED_KEYS.items():
        total, distinct = con.execute(f"SELECT count(*), count(DISTINCT ({', '.join(keys)})) FROM {table}").fetchone()
        assert total == distinct, f"{table}: {total} rows but {distinct} distinct keys"


def test_sample_loads_five_articles_then_nothing(duckdb_path: Path):
    first = _ingest(SAMPLE_DIR, duckdb_path)
    assert first.status == "success", first.error
    assert first.articles_loaded == 5
    assert first.dq_success is not None
    second = _ingest(SAMPLE_DIR, duckdb_path)
    assert second.status == "success"
    assert second.articles_loaded == 0 and second.files_new == 0

    con = duckdb.connect(str(duckdb_path), read_only=True)
    bodies = dict(con.execute("SELECT source_path, body FROM articles").fetchall())
    assert len(bodies) == 5
    for path, body in bodies.items():
        for marker in BODY_MARKERS:
            assert marker not in body, f"{marker!r} left in {Path(path).name}"
    removed = con.execute(
        "SELECT a.source_path, r.text, r.rule FROM removed_lines r JOIN articles a USING (article_id)"
    ).fetchall()
    removed_by_seed: dict[str, dict[str, str]] = {}
    for path, text, rule in removed:
        removed_by_seed.setdefault(Path(path).stem, {})[text.strip()] = rule
    for seed, lines in SEED_BOILERPLATE.items():
        for line in lines:
            assert line in removed_by_seed.get(seed, {}), f"{line!r} not audited for {seed}"
            assert removed_by_seed[seed][line], "every removed line names its rule"
    # Nothing from the editor's-pick headline (removed text) becomes an entity.
    leaked = con.execute(
        "SELECT surface FROM entity_mentions m JOIN articles a USING (article_id) "
        "WHERE a.source_path LIKE '%003_%' AND surface IN ('Israel', 'Palestina', 'Tepi Barat')"
    ).fetchall()
    assert leaked == []
    runs = con.execute("SELECT status, articles_loaded FROM runs ORDER BY started_at").fetchall()
    assert runs == [("success", 5), ("success", 0)]
    _counts_equal_distinct_keys(con)
    # Every example query users are shown in docs/warehouse.md runs against a real warehouse.
    examples = re.findall(r"```sql\n(.*?)```", (PROJECT_ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8"), re.S)
    assert len(examples) >= 5
    for sql in examples:
        con.execute(sql).fetchall()


@pytest.mark.parametrize(
    "sizes",
    [{}, {"batch_size": 2, "commit_every": 5}],
    ids=["one-commit-unit", "batches-of-2-units-of-5"],
)
def test_messy_folder_every_file_is_an_article_or_quarantined(messy_folder: Path, duckdb_path: Path, sizes: dict):
    first = _ingest(messy_folder, duckdb_path, **sizes)
    assert first.status == "success", first.error
    second = _ingest(messy_folder, duckdb_path, **sizes)
    assert second.status == "success" and second.articles_loaded == 0

    con = duckdb.connect(str(duckdb_path), read_only=True)
    on_disk = {str(path.resolve()) for path in messy_folder.glob("*.txt")}
    articles = dict(con.execute("SELECT source_path, article_id FROM articles").fetchall())
    quarantined = dict(con.execute("SELECT source_path, reason FROM quarantine").fetchall())
    same_bytes = dict(con.execute("SELECT source_path, article_id FROM files WHERE status = 'same_bytes'").fetchall())
    assert set(articles) | set(quarantined) | set(same_bytes) == on_disk
    assert not set(articles) & set(quarantined)
    # A byte-identical copy is the article it copies: one row, its path kept in the manifest.
    assert {Path(path).name for path in same_bytes} == {"001b_same_bytes.txt"}
    assert set(same_bytes.values()) <= set(articles.values())
    by_name = {Path(path).name: reason for path, reason in quarantined.items()}
    assert by_name == {
        "bad_empty.txt": "empty",
        "bad_whitespace.txt": "whitespace_only",
        "bad_binary.txt": "binary",
        "bad_oversized.txt": "oversized",
    }
    duplicates = {
        Path(path).name: Path(original).name
        for path, original in con.execute(
            "SELECT a.source_path, o.source_path FROM articles a JOIN articles o ON a.duplicate_of = o.article_id"
        ).fetchall()
    }
    assert duplicates["copy_bom_crlf.txt"] == "000_9a640672c9625f67.txt"
    assert duplicates["copy_zwsp.txt"] == "000_9a640672c9625f67.txt"  # the cluster's original, not the first copy
    assert duplicates["copy_utf16.txt"] == "004_d72669dba3965a89.txt"
    cp1252_body, encoding = con.execute(
        "SELECT body, encoding FROM articles WHERE source_path LIKE '%cp1252_article.txt'"
    ).fetchone()
    assert "Élysée" in cp1252_body and encoding == "cp1252"
    broken_body, broken_encoding = con.execute(
        "SELECT body, encoding FROM articles WHERE source_path LIKE '%broken_utf8.txt'"
    ).fetchone()
    assert "invalid bytes replaced" in broken_encoding
    assert "Pemimpin tertinggi Korea Utara" in broken_body and "Kesimpulan Garissatu" in broken_body
    manifest = con.execute("SELECT count(*), count(DISTINCT source_path) FROM files").fetchone()
    assert manifest == (len(on_disk), len(on_disk))
    _counts_equal_distinct_keys(con)
    # However many commit units a run had, it reports one verdict per expectation.
    per_expectation = con.execute(
        "SELECT count(*) = count(DISTINCT (suite, expectation, column_name)) FROM dq_results WHERE run_id = ?", [first.run_id]
    ).fetchone()[0]
    assert per_expectation and first.articles_loaded == len(articles)


def test_blocking_check_failure_publishes_nothing(tmp_path: Path, duckdb_path: Path):
    """A rule library that no longer strips link-outs lets `Baca juga` reach a body: the blocking check stops the run."""
    first = _ingest(SAMPLE_DIR, duckdb_path)
    assert first.status == "success"
    con = duckdb.connect(str(duckdb_path), read_only=True)
    before = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in PUBLISHED_KEYS}
    con.close()

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "boilerplate", rules)
    table = (rules / "rules.tsv").read_text(encoding="utf-8").split("\n")
    (rules / "rules.tsv").write_text(
        "\n".join(row for row in table if not row.startswith(("linkout.", "editors_pick"))), encoding="utf-8"
    )
    new_article = tmp_path / "inbox"
    new_article.mkdir()
    (new_article / "tempo_copy.txt").write_text(
        "TEMPO.CO, Jakarta - Menteri Luar Negeri Indonesia bertemu mitranya dari Jepang di Tokyo pada Senin.\n"
        "Baca juga: Harga Minyak Dunia Naik Lagi\n"
        "Kedua menteri membahas kerja sama maritim dan perdagangan, kata juru bicara kementerian kepada wartawan. "
        "Pertemuan itu merupakan yang pertama sejak kedua negara memperbarui perjanjian kemitraan strategis.\n",
        encoding="utf-8",
    )
    failed = _ingest(new_article, duckdb_path, rules_path=rules)
    assert failed.status == "failed"
    assert failed.dq_blocking_failed

    con = duckdb.connect(str(duckdb_path), read_only=True)
    after = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in PUBLISHED_KEYS}
    assert after == before
    status, dq_success = con.execute("SELECT status, dq_success FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    assert status == "failed" and dq_success is False
    failing = con.execute(
        "SELECT count(*) FROM dq_results WHERE NOT success AND blocking AND run_id = "
        "(SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)"
    ).fetchone()[0]
    assert failing >= 1


SLOGAN = "Kabar Kita hadir menemani pembaca setia di seluruh penjuru Nusantara setiap hari."
TOWNS = ["Bogor", "Depok", "Bekasi", "Cianjur", "Garut", "Subang", "Karawang", "Sumedang"]


def _town_article(town: str) -> str:
    return (
        f"Pemerintah Kabupaten {town} meresmikan pasar rakyat baru yang dibangun dengan dana daerah tahun ini.\n\n"
        f"Bupati {town} mengatakan pasar itu akan menampung ratusan pedagang kecil yang selama ini berjualan di tepi jalan.\n\n"
        f"Warga {town} menyambut baik pembukaan pasar karena lebih dekat dengan permukiman dan lebih tertata.\n\n"
        f"{SLOGAN}\n"
    )


def test_an_outlets_recurring_slogan_is_learned_and_removed_in_later_runs(tmp_path: Path, duckdb_path: Path):
    inbox = tmp_path / "inbox" / "kabarkita"
    inbox.mkdir(parents=True)
    for town in TOWNS[:6]:
        (inbox / f"{town}.txt").write_text(_town_article(town), encoding="utf-8")
    first = _ingest(tmp_path / "inbox", duckdb_path)
    assert first.status == "success", first.error
    (inbox / f"{TOWNS[7]}.txt").write_text(_town_article(TOWNS[7]), encoding="utf-8")
    second = _ingest(tmp_path / "inbox", duckdb_path)
    assert second.status == "success", second.error
    assert second.articles_loaded == 1

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        # Seen in six distinct articles of one outlet in the first run: furniture, removed there already.
        assert con.execute("SELECT count(*) FROM articles WHERE contains(body, ?)", [SLOGAN]).fetchone()[0] == 0
        assert (
            con.execute(
                "SELECT count(DISTINCT article_id) FROM removed_lines WHERE text = ? AND rule = 'learned'", [SLOGAN]
            ).fetchone()[0]
            == 7
        )
        # The table keeps the line with the articles it was seen in, across runs (pass 1 counts every new file,
        # the second run's one article too); content lines stay below the bar.
        learned = con.execute("SELECT n_articles, example_line FROM learned_boilerplate WHERE n_articles >= 5").fetchall()
        assert learned == [(7, SLOGAN)]
