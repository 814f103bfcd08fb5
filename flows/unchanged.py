"""The everyday "nothing new" run, decided before Prefect, the transforms or Great Expectations are imported.

`kabar ingest` over a folder the manifest has fully seen costs a folder listing and one query, then records
the run in `runs` and as a completed flow run on the Prefect server (through its REST API), so it still
shows in the UI. Anything else (a new or changed file, a warehouse whose schema is behind, a busy file)
falls through to the full flow, which makes the same decision again with the same SQL.
"""

from __future__ import annotations

import hashlib
import importlib.util
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows import files


@dataclass(frozen=True)
class Precheck:
    """What the folder holds against the manifest, learnt before the flow starts."""

    files_seen: int
    n_changed: int | None  # None: could not tell (busy file, older schema); the flow decides
    warnings: list[str]  # entries skipped while listing (the flow lists again and logs them)

    @property
    def nothing_new(self) -> bool:
        """True when every file is in the manifest as it is now."""
        return self.n_changed == 0


def check(input_dir: Path, db_path: Path) -> Precheck:
    """List `input_dir` and count the files the manifest of `db_path` has not seen as they are now.

    The same test as the flow's `select_changed_files`: a file is new unless the manifest holds its
    (path, size, mtime).
    """
    rows, warnings = files.scan(input_dir)
    if not Path(db_path).is_file():
        return Precheck(len(rows), len(rows), warnings)
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return Precheck(len(rows), None, warnings)  # held by a writer: the flow waits for it
    try:
        if not _schema_current(con):
            return Precheck(len(rows), None, warnings)
        # Compared in Python, and no bound parameters: binding any makes DuckDB import pandas (a second or more).
        root = str(input_dir.resolve())
        known = set(
            con.execute(
                f"SELECT source_path, size_bytes, mtime_ns FROM main.files WHERE starts_with(source_path, {_literal(root)})"
            ).fetchall()
        )
        n_changed = sum((path, size, mtime) not in known for path, size, mtime, _ in rows)
    except duckdb.Error:
        return Precheck(len(rows), None, warnings)
    finally:
        con.close()
    return Precheck(len(rows), n_changed, warnings)


def record_run(db_path: Path, input_dir: Path, files_seen: int, flow_run_id: str | None) -> str | None:
    """Add the run to `runs` as a success that loaded nothing; return its run_id (None if the file is busy)."""
    run_id = uuid.uuid4().hex[:16]
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error:
        return None
    try:
        values = ", ".join(_literal(value) for value in (run_id, flow_run_id, str(input_dir), files_seen))
        con.execute(
            "INSERT INTO runs (run_id, flow_run_id, input_dir, files_seen, started_at, finished_at, status, files_new, "
            "articles_loaded, duplicates, quarantined, entities_loaded, events_loaded) "
            f"VALUES ({values}, current_localtimestamp(), current_localtimestamp(), 'success', 0, 0, 0, 0, 0, 0)"
        )
    finally:
        con.close()
    return run_id


def _literal(value: str | int | None) -> str:
    """A SQL literal for a string, an int or None (see `check` for why not a bound parameter)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every migration file has been applied (a newer Kabar may need the flow to migrate first)."""
    # warehouse.store's SQL_DIR, found without importing store (which imports polars).
    spec = importlib.util.find_spec("warehouse")
    if spec is None or not spec.submodule_search_locations:
        return False
    sql_dir = Path(spec.submodule_search_locations[0]) / "sql"
    try:
        applied = dict(con.execute("SELECT name, sha256 FROM schema_migrations").fetchall())
    except duckdb.Error:
        return False
    for path in sql_dir.glob("[0-9]*.sql"):
        if path.name not in applied:
            return False
        # View files re-apply when they change; the flow does that.
        if "_views" in path.name and applied[path.name] != hashlib.sha256(path.read_bytes()).hexdigest():
            return False
    return True
