"""Shared fixtures: one Prefect test server per session, a fresh DuckDB per test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.config import configure_prefect_environment

configure_prefect_environment()

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"


# Tests that run real services (a Prefect flow or server, a Great Expectations checkpoint, a browser) are
# marked `integration`; `make test-fast` (-m "not integration") skips them. A test is one when it lives in
# tests/flows/, uses one of these fixtures, or sits in one of these modules; others can mark themselves.
INTEGRATION_FIXTURES = frozenset({"prefect_server", "prefect_server_process", "browser"})
INTEGRATION_MODULES = frozenset({"test_checkpoint.py", "test_report_browser.py"})


def pytest_collection_modifyitems(config, items):
    """Mark every test that needs a real service as `integration`."""
    for item in items:
        path = Path(str(item.fspath))
        if (
            "flows" in path.parent.parts[-1:]
            or path.name in INTEGRATION_MODULES
            or INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.integration)


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
