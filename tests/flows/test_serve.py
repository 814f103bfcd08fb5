"""`kabar serve` against a real, separately started Prefect server: a deployment with the cron schedule and scheduled runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DIR

CRON = "*/15 * * * *"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, payload: dict) -> list | dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def prefect_server_process(tmp_path: Path):
    """`prefect server start` on a free loopback port, its scheduler looping every 5 s."""
    port = _free_port()
    env = os.environ | {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for(lambda: urllib.request.urlopen(api_url + "/health", timeout=2).status == 200, 180, "the Prefect server")
        yield api_url, env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_serve_needs_a_running_server(tmp_path: Path):
    env = os.environ | {"PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kabar"), "serve", str(SAMPLE_DIR)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "prefect server start" in result.stderr


def test_serve_creates_a_cron_deployment_with_scheduled_runs(prefect_server_process, tmp_path: Path):
    api_url, env = prefect_server_process
    env = env | {"PREFECT_API_URL": api_url}
    serve = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "kabar"),
            "serve",
            str(SAMPLE_DIR),
            "--cron",
            CRON,
            "--db",
            str(tmp_path / "k.duckdb"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deployments = _wait_for(lambda: _post(api_url + "/deployments/filter", {}), 120, "the deployment")
        deployment = next(d for d in deployments if d["name"] == "kabar-scheduled-ingest")
        crons = [s["schedule"].get("cron") for s in deployment["schedules"]]
        assert crons == [CRON]
        assert deployment["parameters"]["input_dir"] == str(SAMPLE_DIR.resolve())
        scheduled = _wait_for(
            lambda: _post(api_url + "/flow_runs/filter", {"deployments": {"id": {"any_": [deployment["id"]]}}}),
            90,
            "scheduled flow runs",
        )
        assert all(run["state_type"] == "SCHEDULED" for run in scheduled)
        assert scheduled[0]["parameters"]["db_path"] == str((tmp_path / "k.duckdb").resolve())
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
