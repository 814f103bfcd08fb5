"""Discovery and reading: every directory entry ends as a listed file or a warning line, and nothing hangs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows import files
from flows.config import IngestSettings
from tests.conftest import SAMPLE_DIR


@pytest.fixture
def bad_entries(tmp_path: Path) -> Path:
    """Two good articles beside a dangling link, a self-link, a FIFO and a folder, all named .txt."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for source in sorted(SAMPLE_DIR.glob("*.txt"))[:2]:
        shutil.copy(source, folder / source.name)
    (folder / "dangling.txt").symlink_to(folder / "missing.txt")
    (folder / "self.txt").symlink_to(folder / "self.txt")
    os.mkfifo(folder / "a.txt")
    (folder / "folder.txt").mkdir()
    (folder / "link_to_good.txt").symlink_to(sorted(folder.glob("0*.txt"))[0])
    return folder


def test_discover_lists_regular_files_and_explains_every_other_entry(bad_entries: Path):
    listing, warnings = files.discover(bad_entries)
    names = sorted(Path(path).name for path in listing["source_path"])
    assert len(names) == 3 and "link_to_good.txt" in names
    by_name = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in warnings}
    assert "link to a missing file" in by_name["dangling.txt"]
    assert "link loop" in by_name["self.txt"]
    assert "a FIFO" in by_name["a.txt"] and "not opened" in by_name["a.txt"]
    assert len(warnings) == 3  # folder.txt is a folder: walked, not a file entry


def test_read_batch_leaves_out_what_vanished_or_became_a_fifo_and_keeps_the_rest(tmp_path: Path):
    good, gone, swapped = (tmp_path / name for name in ("good.txt", "gone.txt", "swapped.txt"))
    for path in (good, gone, swapped):
        path.write_bytes(b"isi berita " * 10)
    listing, _ = files.discover(tmp_path)
    gone.unlink()
    swapped.unlink()
    os.mkfifo(swapped)  # listed as a file, now a FIFO with no writer: opening must not block
    good.write_bytes(b"isi berita yang diubah " * 10)  # changed after listing: the bytes read are what count
    documents, warnings = files.read_batch(listing, max_file_bytes=1000)
    assert documents["source_path"].to_list() == [str(good)]
    assert documents["size_bytes"].to_list() == [good.stat().st_size]
    assert documents["raw_bytes"].to_list() == [good.read_bytes()]
    assert sorted(warnings) == sorted([f"skipped {gone}: vanished", f"skipped {swapped}: a FIFO, not a regular file (not read)"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_read_batch_reports_a_file_it_may_not_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"isi berita")
    secret.chmod(0)
    listing, _ = files.discover(tmp_path)
    documents, warnings = files.read_batch(listing, max_file_bytes=1000)
    assert documents.height == 0 and warnings == [f"skipped {secret}: permission denied"]


def test_an_oversized_file_is_hashed_not_kept_and_quarantined_with_its_size(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"kata " * 500)
    listing, _ = files.discover(tmp_path)
    documents, _ = files.read_batch(listing, max_file_bytes=1000)
    assert documents["raw_bytes"].to_list() == [None]
    from transforms.decode import decode_documents

    _, quarantine = decode_documents(documents, 1000)
    assert quarantine.select("reason", "detail").row(0) == ("oversized", "2500 bytes > limit 1000")


@pytest.mark.usefixtures("prefect_server")
def test_a_run_over_bad_entries_and_a_file_removed_mid_run_publishes_the_rest(bad_entries: Path, tmp_path: Path, monkeypatch):
    from flows.ingest import run_ingest

    victim = sorted(bad_entries.glob("0*.txt"))[1]
    read_batch = files.read_batch

    def read_after_removing_one(batch: pl.DataFrame, max_file_bytes: int):
        victim.unlink(missing_ok=True)  # deleted after discovery, before its batch is read
        return read_batch(batch, max_file_bytes)

    monkeypatch.setattr(files, "read_batch", read_after_removing_one)
    db_path = tmp_path / "k.duckdb"
    summary = run_ingest(IngestSettings(input_dir=bad_entries, db_path=db_path, task_runner="thread", workers=1))
    assert summary.status == "success"
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        paths = [row[0] for row in con.execute("SELECT source_path FROM files ORDER BY source_path").fetchall()]
    finally:
        con.close()
    # The good file and the link to it (same bytes): no bad entry and not the vanished file.
    assert [Path(path).name for path in paths] == sorted([sorted(bad_entries.glob("0*.txt"))[0].name, "link_to_good.txt"])
    assert summary.articles_loaded == 1
