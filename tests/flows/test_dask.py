"""Scale-out: the transform batches on a local Dask cluster of worker processes build the same warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.config import IngestSettings
from flows.ingest import run_ingest
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.usefixtures("prefect_server")

# Columns that legitimately differ between two runs: when and by which run a row was loaded.
COMPARED = {
    "articles": "* EXCLUDE (run_id, ingested_at)",
    "removed_lines": "*",
    "entities": "*",
    "entity_mentions": "*",
    "events": "*",
    "event_mentions": "*",
    "quarantine": "* EXCLUDE (run_id)",
    "files": "* EXCLUDE (run_id)",
}


def _rows(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: sorted(con.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)
            for table, columns in COMPARED.items()
        }
    finally:
        con.close()


def test_dask_run_builds_the_same_warehouse_as_a_plain_run(tmp_path: Path):
    plain = tmp_path / "plain.duckdb"
    on_dask = tmp_path / "dask.duckdb"
    common = dict(input_dir=SAMPLE_DIR, batch_size=2, workers=2)
    assert run_ingest(IngestSettings(db_path=plain, task_runner="process", **common)).status == "success"
    summary = run_ingest(IngestSettings(db_path=on_dask, task_runner="dask", **common))
    assert summary.status == "success" and summary.articles_loaded == 5
    plain_rows, dask_rows = _rows(plain), _rows(on_dask)
    for table in COMPARED:
        assert dask_rows[table] == plain_rows[table], f"{table} differs"
    assert len(plain_rows["entity_mentions"]) > 100
