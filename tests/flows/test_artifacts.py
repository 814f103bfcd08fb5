"""Prefect artifacts of real flow runs, read back through the Prefect client; task names a person reads."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.artifacts import COUNTS, failures_markdown

pytestmark = pytest.mark.usefixtures("prefect_server")
KEYS = {"kabar-run-counts", "kabar-dq-verdict", "kabar-dq-report", "kabar-dq-failures"}


def _artifacts(flow_run_id: str) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {artifact.key: artifact for artifact in found}


def _task_names(flow_run_id: str) -> set[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {task_run.name.rsplit("-", 1)[0] for task_run in task_runs}


def test_every_run_has_counts_verdict_report_link_and_failures(three_runs):
    db, summaries = three_runs
    con = duckdb.connect(str(db), read_only=True)
    runs = dict(con.execute("SELECT run_id, flow_run_id FROM runs").fetchall())
    failing = {
        run_id: sorted(set(names))
        for run_id, names in con.execute(
            "SELECT run_id, list(expectation) FROM dq_results WHERE NOT success GROUP BY run_id"
        ).fetchall()
    }
    con.close()
    for summary in summaries:
        artifacts = _artifacts(runs[summary.run_id])
        assert set(artifacts) == KEYS, f"run {summary.run_id}: {sorted(artifacts)}"
        counts = {row["what"]: row["count"] for row in _table_rows(artifacts["kabar-run-counts"].data)}
        assert counts["articles loaded"] == summary.articles_loaded
        assert counts["files quarantined"] == summary.quarantined
        assert len(counts) == len(COUNTS)
        verdict = artifacts["kabar-dq-verdict"].data
        assert summary.run_id in verdict and "Data quality: " in verdict
        link = artifacts["kabar-dq-report"]
        assert link.type in {"link", "markdown"}
        assert f"({Path(summary.report_path).resolve().as_uri()})" in link.data  # stored as a markdown link
        failures = artifacts["kabar-dq-failures"].data
        if summary.run_id in failing:
            assert "PASSED\n" not in verdict and "failed expectation" in failures
            assert all(f"`{name}`" in failures for name in failing[summary.run_id])
        else:
            assert "Data quality: PASSED" in verdict and "every expectation passed" in failures
    assert summaries[1].quarantined == 2 and summaries[2].run_id in failing  # the fixture did what it says


def _table_rows(data) -> list[dict]:
    import json

    return json.loads(data) if isinstance(data, str) else data


def test_tasks_carry_names_a_person_reads(three_runs):
    db, summaries = three_runs
    con = duckdb.connect(str(db), read_only=True)
    flow_run_id = con.execute("SELECT flow_run_id FROM runs WHERE run_id = ?", [summaries[0].run_id]).fetchone()[0]
    con.close()
    names = _task_names(flow_run_id)
    assert {"List input files", "Read a batch of files", "Publish run artifacts", "Add run history to the report"} <= names
    assert not any(name.replace("_", "").isidentifier() and "_" in name for name in names), names


def test_failures_markdown_escapes_table_cells():
    row = {
        "suite": "articles",
        "expectation": "expect_x",
        "column_name": "body",
        "blocking": True,
        "unexpected_count": 3,
        "details": '{"sample": ["a | b"]}',
    }
    text = failures_markdown("r1", "FAILED", [row])
    assert "**blocking**" in text and "`a \\| b`" in text and text.count("\n") == 4
