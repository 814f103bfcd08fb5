"""Same input, same warehouse, whatever the tuning flags (issue 16): workers, batch size, commit units.

Learned boilerplate is learned in one pass over every new file before any is cleaned, so no body depends
on how the run was cut; duplicates are marked in the files' order, whatever the batches.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.config import IngestSettings
from flows.ingest import plan_batches, run_ingest
from tests.flows.planted import SLOGANS, mixed_folder
from warehouse.store import PUBLISHED_KEYS

pytestmark = pytest.mark.usefixtures("prefect_server")

SETTINGS = {
    "one batch, one unit": {"workers": 1, "batch_size": 1000, "commit_every": 1000},
    "small batches, three workers": {"workers": 3, "batch_size": 37, "commit_every": 1000},
    "units smaller than batches": {"workers": 2, "batch_size": 100, "commit_every": 45},
}
# Columns that name the run or the moment, not the data.
RUN_COLUMNS = {"run_id", "ingested_at", "flow_run_id"}


def _tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {}
        for table in PUBLISHED_KEYS:
            columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall() if row[0] not in RUN_COLUMNS]
            tables[table] = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
        tables["learned_boilerplate"] = con.execute("SELECT * FROM learned_boilerplate ORDER BY ALL").fetchall()
        return tables


def test_same_input_gives_identical_tables_whatever_workers_batch_size_and_commit_every(tmp_path: Path):
    inbox = tmp_path / "inbox"
    mixed_folder(inbox)
    warehouses = {}
    for name, sizes in SETTINGS.items():
        db = tmp_path / f"{name.replace(' ', '_').replace(',', '')}.duckdb"
        summary = run_ingest(
            IngestSettings(input_dir=inbox, db_path=db, report_dir=tmp_path / "reports", task_runner="thread", **sizes)
        )
        assert summary.status == "success", (name, summary.error)
        warehouses[name] = _tables(db)
    reference = warehouses["one batch, one unit"]
    assert len(reference["articles"]) > 240 and reference["quarantine"], "the folder exercises duplicates and quarantine"
    with duckdb.connect(str(tmp_path / "one_batch_one_unit.duckdb"), read_only=True) as con:
        for slogan in SLOGANS.values():  # learned in this very run, from every file, and removed from every body
            assert con.execute("SELECT count(*) FROM articles WHERE contains(body, ?)", [slogan]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0] >= 10
    for name, tables in warehouses.items():
        for table, rows in tables.items():
            assert rows == reference[table], f"{table} differs with {name}: {len(rows)} vs {len(reference[table])} rows"


def test_a_batch_never_spans_two_commit_units():
    import polars as pl

    changed = pl.DataFrame({"source_path": [f"{i:03d}.txt" for i in range(10)], "retry": [False] * 8 + [True] * 2})
    batches = plan_batches(changed, batch_size=4, commit_every=3)
    assert [(unit, retry, batch.height) for unit, retry, batch in batches] == [
        (0, False, 3), (1, False, 3), (2, False, 2), (3, True, 2),
    ]  # fmt: skip
