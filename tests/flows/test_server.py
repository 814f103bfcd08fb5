"""Kabar's managed Prefect server: start, status, an ingest that reuses it, the nothing-new run in its API, stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE_DIR

KABAR = str(Path(sys.executable).parent / "kabar")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kabar(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([KABAR, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def server_env(tmp_path: Path):
    """An environment with its own PREFECT_HOME and port and no PREFECT_API_URL; the server is stopped afterwards."""
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect-home"), "KABAR_PREFECT_PORT": str(_free_port())}
    env.pop("PREFECT_API_URL", None)
    yield env
    _kabar(env, "server", "stop", timeout=60)  # CI must not leave a server running, pass or fail


def _flow_runs(api_url: str) -> list[dict]:
    request = urllib.request.Request(api_url + "/flow_runs/filter", data=b"{}", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_ingest_starts_the_server_once_and_later_runs_reuse_it(server_env: dict, tmp_path: Path):
    assert _kabar(server_env, "server", "status").returncode == 1
    db = str(tmp_path / "k.duckdb")

    first = _kabar(server_env, "ingest", str(SAMPLE_DIR), "--db", db)
    assert first.returncode == 0, first.stderr
    assert "started Kabar's Prefect server" in first.stderr
    status = _kabar(server_env, "server", "status")
    assert status.returncode == 0 and status.stdout.startswith("running: pid ")
    state = json.loads((Path(server_env["PREFECT_HOME"]) / "kabar-server.json").read_text())
    assert state["port"] == int(server_env["KABAR_PREFECT_PORT"])

    again = _kabar(server_env, "ingest", str(SAMPLE_DIR), "--db", db, "--json")
    assert again.returncode == 0, again.stderr
    assert "started" not in again.stderr
    summary = json.loads(again.stdout)
    assert summary["files_new"] == 0 and summary["prefect_api_url"] == state["api_url"]

    # Both runs are flow runs on the one server: the full one and the nothing-new one recorded through the API.
    runs = {run["id"]: run for run in _flow_runs(state["api_url"])}
    con = duckdb.connect(db, read_only=True)
    flow_run_ids = [row[0] for row in con.execute("SELECT flow_run_id FROM runs ORDER BY started_at").fetchall()]
    con.close()
    assert len(flow_run_ids) == 2 and all(run_id in runs for run_id in flow_run_ids)
    assert runs[flow_run_ids[1]]["state_type"] == "COMPLETED" and "nothing-new" in runs[flow_run_ids[1]]["tags"]

    stopped = _kabar(server_env, "server", "stop", timeout=60)
    assert stopped.stdout.startswith(f"stopped Prefect server pid {state['pid']}")
    assert not Path(f"/proc/{state['pid']}").exists()
    assert _kabar(server_env, "server", "status").returncode == 1


def test_server_start_is_idempotent(server_env: dict):
    first = _kabar(server_env, "server", "start")
    assert first.returncode == 0 and first.stdout.startswith("started"), first.stderr
    second = _kabar(server_env, "server", "start")
    assert second.returncode == 0 and second.stdout.startswith("already running:")


def test_an_unreachable_prefect_api_url_fails_fast_with_one_line(tmp_path: Path):
    env = os.environ | {"PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_HOME": str(tmp_path)}
    started = time.monotonic()
    result = _kabar(env, "ingest", str(SAMPLE_DIR), "--db", str(tmp_path / "k.duckdb"), timeout=60)
    assert result.returncode == 2
    assert time.monotonic() - started < 15
    assert result.stderr.startswith("error: PREFECT_API_URL=http://127.0.0.1:9/api does not answer")
    assert not (tmp_path / "k.duckdb").exists()
