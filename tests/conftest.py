"""Shared fixtures: one Prefect test server per session, a fresh DuckDB per test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.config import configure_prefect_environment

configure_prefect_environment()

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect API for the whole session, exported so worker processes use it too."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        previous = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = PREFECT_API_URL.value()
        yield PREFECT_API_URL.value()
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous


@pytest.fixture
def duckdb_path(tmp_path: Path) -> Path:
    """A path for a fresh DuckDB file."""
    return tmp_path / "kabar.duckdb"


@pytest.fixture
def warehouse(duckdb_path: Path):
    """A fresh migrated warehouse connection."""
    from warehouse.store import connect, migrate

    con = connect(duckdb_path)
    migrate(con)
    yield con
    con.close()
