"""Make sure every process of a run talks to one Prefect API."""
from __future__ import annotations

import atexit
import os
import time
import urllib.request

from flows.config import configure_prefect_environment


def api_reachable(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check at `api_url`."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def ensure_prefect_api() -> tuple[str, float]:
    """Use PREFECT_API_URL if it answers, else start one temporary server for this process and its workers.

    Returns the API URL and the seconds spent starting a server (0 when one was running).
    Worker processes (process pool, local Dask) inherit PREFECT_API_URL and so report to the same
    server instead of each starting a temporary one of their own.
    """
    configure_prefect_environment()
    api_url = os.environ.get("PREFECT_API_URL")
    if api_url and api_reachable(api_url):
        return api_url, 0.0
    started = time.perf_counter()
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=int(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
    os.environ["PREFECT_API_URL"] = server.api_url
    atexit.register(_stop_server, server)
    return server.api_url, time.perf_counter() - started


def _stop_server(server) -> None:
    # Flush Prefect's log shipper while the server still answers, or it retries against a dead port.
    try:
        from prefect.logging.handlers import APILogHandler

        APILogHandler.flush()
    except Exception:  # noqa: BLE001 - shutting down; nothing left to report to
        pass
    server.stop()
