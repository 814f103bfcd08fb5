"""The environment in one place: paths, database, batch size, task runner, Prefect settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


def default_db_path() -> Path:
    """`KABAR_DB` if set, else ./kabar.duckdb."""
    return Path(os.environ.get("KABAR_DB", "kabar.duckdb"))


@dataclass(frozen=True)
class IngestSettings:
    """Every knob of an ingest run, with its default."""

    input_dir: Path = SAMPLE_DIR
    db_path: Path = field(default_factory=default_db_path)
    report_dir: Path | None = None  # default: <db dir>/reports
    batch_size: int = 1000
    commit_every: int = 20_000  # files per write–audit–publish cycle: bounds staging and checking memory
    workers: int = max(1, min(2, os.cpu_count() or 1))
    task_runner: str = "process"  # process | thread | dask
    dask_address: str | None = None
    max_file_bytes: int = 5_000_000
    # How long a run, `kabar query`, `dq` and `show` wait for another process's hold on the DuckDB file.
    lock_wait_seconds: float = field(default_factory=lambda: float(os.environ.get("KABAR_LOCK_WAIT_SECONDS", "60")))
    max_failure_rate: float = 0.02  # row-level failures above this share of a unit's rows block it
    retry_quarantined: bool = False  # read quarantined files again (after fixing a rule or check)
    rescan: bool = False  # re-hash files whose size and mtime are unchanged (edits that kept both)
    rules_path: Path | None = None
    gazetteer_path: Path | None = None
    triggers_path: Path | None = None

    @property
    def reports(self) -> Path:
        """Where data-quality reports go."""
        return self.report_dir or self.db_path.resolve().parent / "reports"


def configure_prefect_environment() -> None:
    """Keep Prefect's state inside the project and give its temporary server time to start."""
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
