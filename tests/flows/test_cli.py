"""`kabar` commands in process (typer's CliRunner): output and exit codes 0 (done), 1 (failed or nothing to show), 3 (busy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.config import PROJECT_ROOT
from tests.conftest import SAMPLE_DIR
from tests.flows.planted import good_article

pytestmark = pytest.mark.usefixtures("prefect_server")

runner = CliRunner()


def kabar(*args: str):
    """Run one `kabar` command in this process."""
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    db = tmp_path / "kabar.duckdb"
    result = kabar("ingest", str(SAMPLE_DIR), "--db", str(db), "--task-runner", "thread")
    assert result.exit_code == 0, result.output
    return db


def test_ingest_dq_show_query_succeed(sample_db: Path):
    dq = kabar("dq", "--db", str(sample_db))
    assert dq.exit_code == 0
    assert "published   5 articles" in dq.output and "report:" in dq.output
    article_id = duckdb.connect(str(sample_db), read_only=True).execute("SELECT min(article_id) FROM articles").fetchone()[0]
    show = kabar("show", article_id, "--db", str(sample_db))
    assert show.exit_code == 0 and f"article {article_id}" in show.output and "clean body:" in show.output
    query = kabar("query", "SELECT count(*) AS n FROM articles", "--db", str(sample_db), "--format", "csv")
    assert query.exit_code == 0 and query.output.split() == ["n", "5"]
    again = kabar("ingest", str(SAMPLE_DIR), "--db", str(sample_db))
    assert again.exit_code == 0 and "nothing new" in again.output


def test_a_blocked_run_exits_1_and_dq_says_why(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(
        good_article(1).replace("pada pekan ini.", "pada pekan ini. Baca juga: Harga Cabai Turun"), encoding="utf-8"
    )
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "data" / "boilerplate", rules)
    table = (rules / "rules.tsv").read_text(encoding="utf-8").split("\n")
    (rules / "rules.tsv").write_text(
        "\n".join(row for row in table if not row.startswith(("linkout.", "editors_pick"))), encoding="utf-8"
    )
    db = tmp_path / "kabar.duckdb"
    result = kabar("ingest", str(inbox), "--db", str(db), "--rules", str(rules), "--task-runner", "thread")
    assert result.exit_code == 1
    assert "FAILED (blocking check)" in result.output
    dq = kabar("dq", "--db", str(db))
    assert dq.exit_code == 0 and "data quality FAILED" in dq.output
    assert "FAIL  rate       articles.content_failure" in dq.output
    # With a rate that allows it, the same file is quarantined and the run succeeds.
    lenient = kabar(
        "ingest", str(inbox), "--db", str(db), "--rules", str(rules), "--task-runner", "thread", "--max-quarantine-rate", "1"
    )
    assert lenient.exit_code == 0 and "success with 1 quarantined" in lenient.output
    dq = kabar("dq", "--db", str(db))
    assert "quarantined      1  body_boilerplate_marker" in dq.output and "→ kabar show" in dq.output
    article_id = dq.output.split("→ kabar show ")[1].split()[0]
    show = kabar("show", article_id, "--db", str(db))
    assert show.exit_code == 0 and "is quarantined" in show.output and "Harga Cabai" in show.output


def test_missing_warehouse_exits_1(tmp_path: Path):
    for command in ("dq", "show"):
        args = [command, "--db", str(tmp_path / "none.duckdb")] + (["abc"] if command == "show" else [])
        result = kabar(*args)
        assert result.exit_code == 1, (command, result.output)


def test_a_warehouse_held_by_another_process_exits_3(sample_db: Path, monkeypatch):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
         str(sample_db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("KABAR_LOCK_WAIT_SECONDS", "1")
        for args in (("dq",), ("query", "SELECT 1"), ("ingest", str(SAMPLE_DIR), "--task-runner", "thread")):
            result = kabar(*args, "--db", str(sample_db))
            assert result.exit_code == 3, (args, result.output)
    finally:
        holder.kill()
        holder.wait()


def test_train_ner_runs_the_trainer_with_its_own_arguments(tmp_path: Path):
    # Before, the trainer parsed the CLI's own argv and exited 2 on `train-ner` itself.
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kabar"), "train-ner", "--shared", str(tmp_path), "--skip-build"],
        capture_output=True, text=True, env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert result.returncode == 2
    assert f"no training data under {tmp_path}" in result.stderr
    assert "unrecognized arguments" not in result.stderr
