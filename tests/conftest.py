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


@pytest.fixture(scope="session")
def three_runs(prefect_server, tmp_path_factory):
    """A warehouse after three real ingest runs of a growing inbox: (db path, [run summaries]).

    Run 1 loads two sample articles; run 2 adds two more and two bad files (quarantined); run 3 adds the
    last sample article and one with a `Baca juga:` line under a rule library that no longer strips it,
    so a data-quality check fails.
    """
    import shutil

    from flows.config import IngestSettings
    from flows.ingest import run_ingest

    root = tmp_path_factory.mktemp("three-runs")
    inbox, db = root / "inbox", root / "kabar.duckdb"
    inbox.mkdir()
    samples = sorted(SAMPLE_DIR.glob("*.txt"))
    rules = root / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "boilerplate", rules)
    table = (rules / "rules.tsv").read_text(encoding="utf-8").split("\n")
    (rules / "rules.tsv").write_text(
        "\n".join(row for row in table if not row.startswith(("linkout.", "editors_pick"))), encoding="utf-8"
    )

    def ingest(**overrides):
        settings = IngestSettings(input_dir=inbox, db_path=db, report_dir=root / "reports", task_runner="thread", **overrides)
        return run_ingest(settings)

    summaries = []
    for sample in samples[:2]:
        shutil.copy(sample, inbox)
    summaries.append(ingest())
    for sample in samples[2:4]:
        shutil.copy(sample, inbox)
    (inbox / "bad_empty.txt").write_bytes(b"")
    (inbox / "bad_binary.txt").write_bytes(bytes(range(256)) * 40)
    summaries.append(ingest())
    shutil.copy(samples[4], inbox)
    (inbox / "linkout.txt").write_text(
        "Jakarta - Menteri perdagangan bertemu para pengusaha eksportir di kantornya pada Rabu pagi.\n"
        "Baca juga: Harga Cabai Rawit Turun Lagi\n"
        "Pertemuan itu membahas bea keluar dan kuota ekspor komoditas pertanian untuk tahun depan, "
        "kata juru bicara kementerian kepada wartawan seusai acara.\n",
        encoding="utf-8",
    )
    summaries.append(ingest(rules_path=rules))
    return db, summaries
