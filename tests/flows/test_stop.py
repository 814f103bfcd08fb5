"""Ctrl-C or SIGTERM to `kabar ingest`'s process group: out within 10 s, one line, run `interrupted`, no child left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from tests.conftest import SAMPLE_DIR

KABAR = str(Path(sys.executable).parent / "kabar")


@pytest.fixture
def busy_folder(tmp_path: Path) -> Path:
    """Enough distinct articles (the sample, each copy with its own closing line) to keep two workers busy."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for source in sorted(SAMPLE_DIR.glob("*.txt")):
        text = source.read_text(encoding="utf-8")
        for copy in range(120):
            (folder / f"{source.stem}_{copy:03d}.txt").write_text(f"{text}\nSalinan nomor {copy} dari arsip redaksi.\n")
    return folder


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_to_the_group_is_prompt_quiet_recorded_and_leaves_no_child(signum, busy_folder, tmp_path, prefect_server):
    db = tmp_path / "k.duckdb"
    env = os.environ | {"PREFECT_API_URL": prefect_server}
    process = subprocess.Popen(
        [KABAR, "ingest", str(busy_folder), "--db", str(db), "--batch-size", "10", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        children: list[psutil.Process] = []
        while len(children) < 2 and time.monotonic() < deadline:  # wait until the worker pool runs
            time.sleep(0.5)
            children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 2, "the run never started its workers"
        time.sleep(2)
        stopped_at = time.monotonic()
        os.killpg(process.pid, signum)  # what a terminal (Ctrl-C) or systemd (stop) sends
        stdout, stderr = process.communicate(timeout=60)
        seconds = time.monotonic() - stopped_at
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert seconds < 10
    assert process.returncode == 128 + signum
    assert stderr.strip().splitlines() == [stderr.strip()] and stderr.startswith(f"stopped by {signal.Signals(signum).name}")
    time.sleep(0.5)
    assert [child.pid for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE] == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    finally:
        con.close()
