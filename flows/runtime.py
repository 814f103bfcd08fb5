"""Make sure every process of a run talks to one Prefect API, and find it cheaply."""

from __future__ import annotations

import atexit
import os
import sys
import time

from flows import server
from flows.config import configure_prefect_environment


class PrefectUnavailable(RuntimeError):
    """No Prefect API could be reached or started; the message says what to do."""


def api_reachable(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check at `api_url`."""
    return server.healthy(api_url, timeout)


def ensure_prefect_api(announce=None) -> tuple[str, float]:
    """Find or start the Prefect API this run reports to; return its URL and the seconds spent starting one.

    - `PREFECT_API_URL` set: use it; if it does not answer within 2 s, raise PrefectUnavailable (never hang).
    - else Kabar's managed server (`kabar server start`), started detached the first time and reused after;
      `announce(line)` is told when this call started it.
    - `KABAR_PREFECT_SERVER=temporary`: the old way, a temporary server for this process only.
    Worker processes (process pool, local Dask) inherit PREFECT_API_URL and report to the same server.
    """
    configure_prefect_environment()
    api_url = os.environ.get("PREFECT_API_URL")
    if api_url:
        if api_reachable(api_url):
            return api_url, 0.0
        raise PrefectUnavailable(
            f"PREFECT_API_URL={api_url} does not answer. Start that server, or unset PREFECT_API_URL "
            "to use Kabar's own (`kabar server start`)."
        )
    if os.environ.get("KABAR_PREFECT_SERVER", "managed") == "temporary":
        return _start_temporary_server()
    started = time.perf_counter()
    try:
        info, started_now = server.ensure_running()
    except server.ServerError as error:
        raise PrefectUnavailable(
            f"could not start Kabar's Prefect server: {error}. "
            "Set PREFECT_API_URL to a running server, or KABAR_PREFECT_SERVER=temporary for a per-run one."
        ) from error
    os.environ["PREFECT_API_URL"] = info.api_url
    if started_now and announce is not None:
        announce(f"started Kabar's Prefect server (UI {info.ui_url}, pid {info.pid}); it keeps running: `kabar server stop`")
    return info.api_url, time.perf_counter() - started if started_now else 0.0


def _start_temporary_server() -> tuple[str, float]:
    started = time.perf_counter()
    temporary = _detached_temporary_server()
    temporary.start(timeout=int(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
    os.environ["PREFECT_API_URL"] = temporary.api_url
    atexit.register(_stop_server, temporary)
    return temporary.api_url, time.perf_counter() - started


def _detached_temporary_server():
    """Prefect's temporary server, started in its own session.

    In the terminal's process group a Ctrl-C or SIGTERM reaches the server first; the run's last API calls
    then retry against a dead port for minutes (and print hundreds of lines). In its own session it keeps
    answering while the run records its stop; `stop_children` (on a stop) or the exit hook ends it.
    """
    import subprocess

    import prefect.server.api.server as server_module

    class DetachedSubprocessASGIServer(server_module.SubprocessASGIServer):
        def _run_uvicorn_command(self):
            popen = server_module.subprocess.Popen
            server_module.subprocess.Popen = lambda *args, **kwargs: popen(
                *args, start_new_session=True, preexec_fn=_die_with_parent, **kwargs
            )
            try:
                return super()._run_uvicorn_command()
            finally:
                server_module.subprocess.Popen = popen

    assert server_module.subprocess is subprocess  # the patch above targets the module Prefect calls
    return DetachedSubprocessASGIServer()


def _die_with_parent() -> None:
    """In a child between fork and exec: ask the kernel for SIGKILL when the parent dies (Linux; else nothing)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _stop_server(temporary) -> None:
    # Flush Prefect's log shipper while the server still answers, or it retries against a dead port.
    if "prefect.logging.handlers" in sys.modules:
        try:
            from prefect.logging.handlers import APILogHandler

            APILogHandler.flush()  # type: ignore[call-arg]  # a classmethod at run time; its stub says instance method
        except Exception:  # noqa: BLE001 - shutting down; nothing left to report to
            pass
    temporary.stop()


def record_flow_run(api_url: str, flow_name: str, parameters: dict, message: str, timeout: float = 3.0) -> str | None:
    """Record an already finished run as a completed flow run through the REST API (no Prefect import); return its id.

    Used by the "nothing new" path, which decides and finishes before Prefect would have finished importing.
    Returns None (and records nothing) if the server does not answer in time.
    """
    import json
    import urllib.request

    def post(path: str, payload: dict) -> dict:
        request = urllib.request.Request(
            api_url.rstrip("/") + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    try:
        flow_id = post("/flows/", {"name": flow_name})["id"]
        flow_run = post(
            "/flow_runs/",
            {
                "flow_id": flow_id,
                "parameters": parameters,
                "tags": ["kabar", "nothing-new"],
                "state": {"type": "COMPLETED", "name": "Completed", "message": message},
            },
        )
        return flow_run["id"]
    except (OSError, ValueError, KeyError):
        return None


# ---------------------------------------------------------------- prompt, quiet stops


class StopRequested(KeyboardInterrupt):
    """SIGINT or SIGTERM reached `kabar`: unwind, record the run as interrupted, leave no child behind."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum


def stop_in(error: BaseException | None) -> KeyboardInterrupt | None:
    """The stop (Ctrl-C, StopRequested) behind `error`, if any: DuckDB, for one, turns it into `Query interrupted`."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def signal_name(signum: int) -> str:
    """SIGINT, SIGTERM, … for a signal number."""
    import signal

    return signal.Signals(signum).name


def install_stop_handlers() -> None:
    """Turn SIGINT and SIGTERM into StopRequested (a KeyboardInterrupt) in this, the main, process.

    During a flow run Prefect swaps in its own SIGTERM handler, records the crash and then re-sends the
    signal to this handler, so either way the run unwinds through the flow's own clean-up.
    A Python handler runs only when the main thread next executes bytecode, and a main thread waiting on
    a batch is not always woken by the signal; so a watcher thread, woken through the signal wake-up fd,
    kills the pool's workers at once: the wait ends and the handler runs.
    """
    import signal
    import threading

    def on_signal(signum, frame):
        raise StopRequested(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)

    def watch() -> None:
        while received := os.read(read_end, 16):
            if signal.SIGINT in received or signal.SIGTERM in received:
                _kill_pool_workers()

    threading.Thread(target=watch, name="kabar-stop-watcher", daemon=True).start()


def _kill_pool_workers() -> None:
    """Kill this process's multiprocessing workers (not a temporary Prefect server, which the run still reports to)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                child.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass


def stop_children() -> list[int]:
    """Ignore further stop signals and kill every descendant of this process; return their pids.

    Workers hold nothing worth saving (the writer is this process), so they are killed at once.
    Kabar's managed Prefect server is not a descendant (it runs in its own session) and keeps running.
    """
    import signal

    import psutil

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(children, timeout=5)
    return [child.pid for child in children]


def quiet_crash_report() -> None:
    """Drop Prefect's log lines about a stop ("Crash detected! Execution was aborted by …", or the traceback of an
    error the stop caused): `kabar` reports a stop itself, in one line."""
    import logging

    class DropStopCrash(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            if record.exc_info and stop_in(record.exc_info[1]) is not None:
                return False  # an error a stop caused (`Query interrupted`): the stop is what gets reported
            return "Execution was aborted by" not in record.getMessage()

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).addFilter(DropStopCrash())


def init_worker() -> None:
    """Process-pool worker set-up: ask the kernel to SIGKILL this worker when its parent dies (Linux)."""
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # no prctl: the parent's stop_children still ends the workers on a clean stop


def exit_skipping_teardown(code: int) -> None:
    """End `kabar` as a normal exit would, minus the interpreter's module teardown, which takes seconds.

    A run imports Prefect, Great Expectations and their dependencies; freeing every module object at exit
    cost 1.5-2.5 s of wall time after the summary was printed. This does the parts of a normal exit that
    matter, in the same order: join non-daemon threads and run the threading exit hooks (Prefect's log and
    event services drain to the API there), run the `atexit` hooks, flush stdio; then leave with `code`.
    Only for the `kabar` process itself (never under a test runner, which lives on after the command).
    """
    import threading

    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
