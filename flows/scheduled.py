"""The flow a cron deployment runs: plain parameters in, one ingest run."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.config import IngestSettings
from flows.ingest import run_ingest, summary_dict


@flow(name="kabar-scheduled-ingest")
def scheduled_ingest(input_dir: str, db_path: str, batch_size: int = 1000) -> dict:
    """Ingest `input_dir` into `db_path` (deployment parameters must be plain JSON values)."""
    settings = IngestSettings(input_dir=Path(input_dir), db_path=Path(db_path), batch_size=batch_size)
    summary = run_ingest(settings)
    if summary.status != "success":
        raise RuntimeError(f"ingest run {summary.run_id} failed: {summary.error}")
    return summary_dict(summary)
