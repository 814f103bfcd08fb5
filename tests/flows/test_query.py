"""`kabar query` runs one read-only query and refuses every way out of the warehouse; busy files exit 3."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse.sandbox import connect_sandboxed
from warehouse.store import connect, migrate

runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def two_warehouses(tmp_path: Path) -> tuple[Path, Path]:
    """The warehouse to query (one run row) and another one beside it that an ATTACH might reach."""
    paths = (tmp_path / "kabar.duckdb", tmp_path / "other.duckdb")
    for path in paths:
        con = connect(path)
        migrate(con)
        con.execute("INSERT INTO runs (run_id, started_at, status) VALUES ('r1', now(), 'success')")
        con.close()
    return paths


def _query(db: Path, sql: str):
    return runner.invoke(app, ["query", sql, "--db", str(db), "--format", "json"])


def test_a_plain_query_runs(two_warehouses):
    db, _ = two_warehouses
    result = _query(db, "SELECT run_id, status FROM runs")
    assert result.exit_code == 0 and '"run_id": "r1"' in result.stdout


ATTACKS = {
    "copy_over_the_warehouse": "COPY (SELECT 42) TO '{db}' (FORMAT csv)",
    "copy_to_a_new_file": "COPY (SELECT 42) TO '{tmp}/stolen.csv'",
    "export_database": "EXPORT DATABASE '{tmp}/dump'",
    "read_a_system_file": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/hostname')",
    "list_another_folder": "SELECT * FROM glob('/root/**')",
    "replacement_scan_of_a_file": "SELECT * FROM '{tmp}/other.duckdb'",
    "attach_another_warehouse_read_write": "ATTACH '{other}' AS other (READ_WRITE)",
    "change_a_setting": "SET memory_limit = '64GB'",
    "pragma_setting": "PRAGMA memory_limit = '64GB'",
    "reset_the_lock": "RESET lock_configuration",
    "load_an_extension": "LOAD fts",
    "install_an_extension": "INSTALL httpfs",
    "two_statements": "SELECT 1; DELETE FROM runs",
    "delete": "DELETE FROM runs",
    "create_a_table": "CREATE TABLE t AS SELECT 1",
    "checkpoint": "CHECKPOINT",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_attack_is_refused_with_exit_2_and_changes_nothing(name, two_warehouses, tmp_path: Path):
    db, other = two_warehouses
    before = {path: _sha(path) for path in (db, other)}
    sql = ATTACKS[name].format(db=db, other=other, tmp=tmp_path)
    result = _query(db, sql)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("refused: ")
    assert len(result.output.strip().splitlines()) == 1
    assert {path: _sha(path) for path in (db, other)} == before
    assert not (tmp_path / "stolen.csv").exists() and not (tmp_path / "dump").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 42) TO '{db}' (FORMAT csv)",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM glob('/root/**')",
        "ATTACH '{other}' AS other (READ_WRITE)",
        "SET memory_limit = '64GB'",
        "SET enable_external_access = true",
        "LOAD fts",
    ],
)
def test_duckdb_itself_refuses_what_the_statement_check_would_miss(sql, two_warehouses):
    db, other = two_warehouses
    con = connect_sandboxed(db, wait_seconds=5)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(sql.format(db=db, other=other))
    finally:
        con.close()


def test_a_busy_warehouse_gives_one_line_and_exit_3(two_warehouses, monkeypatch):
    db, _ = two_warehouses
    monkeypatch.setenv("KABAR_LOCK_WAIT_SECONDS", "1")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (["query", "SELECT 1"], ["dq"], ["show", "0123456789abcdef"]):
            result = runner.invoke(app, [*args, "--db", str(db)])
            assert result.exit_code == 3, (args, result.output)
            assert result.output.startswith("error: ") and "held by another process" in result.output
            assert len(result.output.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
