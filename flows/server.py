"""Kabar's long-lived local Prefect server: started detached once, found again by later runs, stopped on request.

`prefect server start` runs in its own session (so Ctrl-C in the terminal that started it does not stop it)
with its output in `$PREFECT_HOME/kabar-server.log`; its pid, port and API URL are kept in
`$PREFECT_HOME/kabar-server.json`. A run that finds that server healthy pays about a millisecond for it
instead of the 10–35 s a temporary server costs. This module imports nothing from Prefect: starting,
finding and stopping the server must stay cheap.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from flows.config import configure_prefect_environment

DEFAULT_PORT = 4200
STATE_NAME = "kabar-server.json"
LOG_NAME = "kabar-server.log"
LOCK_NAME = "kabar-server.lock"


class ServerError(RuntimeError):
    """The managed Prefect server could not be started, reached or stopped."""


@dataclass(frozen=True)
class ServerInfo:
    """Where the managed server runs and where its log is."""

    pid: int
    port: int
    api_url: str
    log_path: str
    started_at: float

    @property
    def ui_url(self) -> str:
        """The Prefect UI's address."""
        return self.api_url.removesuffix("/api")


def prefect_home() -> Path:
    """The project's PREFECT_HOME (created if missing)."""
    configure_prefect_environment()
    home = Path(os.environ["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    return home


def start_timeout_seconds() -> float:
    """How long `start` waits for the server's health check (`KABAR_PREFECT_START_TIMEOUT`, default 120 s)."""
    return float(os.environ.get("KABAR_PREFECT_START_TIMEOUT", "120"))


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check at `api_url` within `timeout` seconds."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def recorded() -> ServerInfo | None:
    """The server the state file names, whether or not it still runs."""
    path = prefect_home() / STATE_NAME
    try:
        return ServerInfo(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def status() -> ServerInfo | None:
    """The managed server if its process lives and its API answers, else None."""
    info = recorded()
    if info is None or not _is_our_server(info.pid) or not healthy(info.api_url, timeout=2.0):
        return None
    return info


def ensure_running(timeout: float | None = None) -> tuple[ServerInfo, bool]:
    """The running managed server, starting it (detached) if needed; returns (server, whether this call started it)."""
    info = status()
    if info is not None:
        return info, False
    with _start_lock():
        info = status()  # another kabar may have started it while we waited for the lock
        if info is not None:
            return info, False
        return start(timeout), True


def start(timeout: float | None = None) -> ServerInfo:
    """Start `prefect server start` detached under PREFECT_HOME and wait until it answers (or raise ServerError)."""
    home = prefect_home()
    timeout = start_timeout_seconds() if timeout is None else timeout
    stale = recorded()
    if stale is not None and _is_our_server(stale.pid):
        _terminate_group(stale.pid)  # alive but not answering: replace it rather than run two
    port = _choose_port()
    log_path = home / LOG_NAME
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    with open(log_path, "ab") as log:
        log.write(f"\n--- kabar: starting Prefect server on port {port} at {time.ctime()}\n".encode())
        log.flush()
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a Ctrl-C meant for `kabar ingest` does not reach it
            close_fds=True,
        )
    info = ServerInfo(process.pid, port, f"http://127.0.0.1:{port}/api", str(log_path), time.time())
    deadline = time.monotonic() + timeout
    while not healthy(info.api_url, timeout=1.0):
        if process.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {process.returncode} while starting; see {log_path}")
        if time.monotonic() >= deadline:
            _terminate_group(process.pid)
            raise ServerError(f"the Prefect server did not answer within {timeout:.0f} s; see {log_path}")
        time.sleep(0.25)
    state_path = home / STATE_NAME
    state_path.write_text(json.dumps(asdict(info)))
    return info


def stop(timeout: float = 15.0) -> ServerInfo | None:
    """Stop the managed server (SIGTERM to its group, SIGKILL after `timeout`); return what was stopped, if anything."""
    info = recorded()
    state_path = prefect_home() / STATE_NAME
    if info is None:
        return None
    if _is_our_server(info.pid):
        _terminate_group(info.pid, timeout)
    else:
        info = None  # the state file was stale: nothing of ours was running
    state_path.unlink(missing_ok=True)
    return info


def _terminate_group(pid: int, timeout: float = 15.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pid):
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _group_alive(pgid: int) -> bool:
    _reap(pgid)  # our own exited child stays a zombie group member until reaped
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap(pid: int) -> bool | None:
    """Reap `pid` if it is our exited child: True when reaped, False when still running, None when not our child."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    return done == pid


def _is_our_server(pid: int) -> bool:
    """True when `pid` is alive and is a `prefect server start` (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True  # no /proc (not Linux): trust the pid
    return b"prefect" in cmdline and b"server" in cmdline


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port() -> int:
    """`KABAR_PREFECT_PORT` if set; else 4200 when free (the port Prefect's docs use), else any free port."""
    wanted = os.environ.get("KABAR_PREFECT_PORT")
    if wanted:
        return int(wanted)
    if _port_free(DEFAULT_PORT):
        return DEFAULT_PORT
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _start_lock:
    """An exclusive file lock so two `kabar` processes starting at once start one server."""

    def __enter__(self):
        self._handle = open(prefect_home() / LOCK_NAME, "w")
        deadline = time.monotonic() + start_timeout_seconds() + 10
        while True:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._handle.close()
                    raise ServerError("another kabar process is still starting the Prefect server; try again") from None
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
