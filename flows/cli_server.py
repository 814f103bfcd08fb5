"""`kabar server start|status|stop`: the long-lived local Prefect server that runs show in."""

from __future__ import annotations

import typer

server_app = typer.Typer(no_args_is_help=True, help="Kabar's long-lived local Prefect server (runs show in its UI).")


@server_app.command("start")
def server_start() -> None:
    """Start the Prefect server detached under the project's PREFECT_HOME (or say where it already runs)."""
    from flows import server

    try:
        info, started_now = server.ensure_running()
    except server.ServerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    verb = "started" if started_now else "already running:"
    typer.echo(f"{verb} Prefect server pid {info.pid}, UI {info.ui_url}, API {info.api_url}, log {info.log_path}")


@server_app.command("status")
def server_status() -> None:
    """Say whether the managed Prefect server runs (exit 0) or not (exit 1)."""
    from flows import server

    info = server.status()
    if info is None:
        stale = server.recorded()
        note = f" (last recorded pid {stale.pid} on port {stale.port} does not answer)" if stale else ""
        typer.echo(f"not running{note}; `kabar ingest` or `kabar server start` starts it")
        raise typer.Exit(1)
    typer.echo(f"running: pid {info.pid}, UI {info.ui_url}, API {info.api_url}, log {info.log_path}")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the managed Prefect server."""
    from flows import server

    info = server.stop()
    typer.echo(f"stopped Prefect server pid {info.pid}" if info else "not running")
