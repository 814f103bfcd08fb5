"""The single writer of a run: commit units staged batch by batch, audited, row-level failures acted on, published.

    writer = Writer(con, run_id, run_date, report_dir)
    writer.add_line_counts(unit, counts)                       # pass 1: every batch's recurring-line counts
    furniture = writer.run_furniture()                          # one learned-boilerplate snapshot for the run
    writer.start_unit(0)
    fresh, same_bytes = writer.route_same_bytes(documents)   # before a batch goes to the workers
    writer.stage_batch(listing_rows, same_bytes, batch_result)
    unit = writer.audit_and_publish()                          # blocked, or published with N quarantined
    writer.finish()                                            # run_steps; dq_results and the report are current after every unit

Write–audit–publish per commit unit: the unit's rows go to `staging`, Great Expectations judges them
(expectations/checkpoint.py), rows failing a row-level check are quarantined, dropped or nulled
(warehouse/rowlevel.py), and the rest is published in one transaction unless a blocking check failed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from expectations.report import write_run_report
from expectations.results import combine_units, write_dq_results
from expectations.suites import MAX_ROW_FAILURE_RATE, SUITES
from warehouse import rowlevel, state, store

if TYPE_CHECKING:  # checkpoint imports Great Expectations, which the writer loads only when it validates
    from expectations.checkpoint import DQOutcome


@dataclass
class UnitOutcome:
    """One commit unit's verdict and what publishing it inserted."""

    number: int
    dq: DQOutcome
    published: dict[str, int] = field(default_factory=dict)  # rows inserted per table; empty when blocked
    row_actions: dict[str, int] = field(default_factory=dict)  # quarantined / dropped / nulled rows

    @property
    def blocked(self) -> bool:
        """A blocking check failed: nothing of this unit was published."""
        return bool(self.dq.blocking_failed)


def manifest_rows(documents: pl.DataFrame, run_id: str, status: str | pl.Expr) -> pl.DataFrame:
    """`files` rows for a batch of documents: path, version, size, mtime, article_id, status, run."""
    return documents.select(
        "source_path",
        "source_sha256",
        "size_bytes",
        "mtime_ns",
        pl.col("source_sha256").str.slice(0, 16).alias("article_id"),
        (pl.lit(status) if isinstance(status, str) else status).alias("status"),
        pl.lit(run_id).alias("run_id"),
    )


class Writer:
    """The run's one DuckDB writer; the flow hands it batches, it stages, checks and publishes them."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        run_date: datetime.date,
        report_dir: Path,
        max_failure_rate: float = MAX_ROW_FAILURE_RATE,
    ) -> None:
        self.con = con
        self.run_id = run_id
        self.run_date = run_date
        self.report_dir = Path(report_dir)
        self.max_failure_rate = max_failure_rate
        self.units: list[UnitOutcome] = []
        self.unit_number: int | None = None
        self._unit_failure_rate = max_failure_rate
        self.report_path: Path | None = None
        self._ingest_order = 0
        self._routed: set[str] = set()  # hashes sent to workers this run: batches in flight have not staged theirs yet
        self._steps: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        self._counts_ready = False
        self._why = {check.column: check.why for suite in SUITES for check in suite.row_level_checks() if check.column}

    # ------------------------------------------------------------ bookkeeping

    def add_step(self, step: str, seconds: float, rows: int = 0) -> None:
        """Add seconds and rows handled to a step's totals (kept in `run_steps`)."""
        totals = self._steps[step]
        totals[0] += seconds
        totals[1] += rows

    @property
    def step_seconds(self) -> dict[str, float]:
        """Seconds per step so far."""
        return {step: seconds for step, (seconds, _) in self._steps.items()}

    # ------------------------------------------------------------ learned boilerplate, two passes

    def add_line_counts(self, unit: int, counts: pl.DataFrame) -> None:
        """Keep one pass-1 batch's line counts (boilerplate.LEARNED_SCHEMA) for the run's snapshot and the first unit's publish."""
        if not self._counts_ready:
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE run_line_counts AS SELECT *, 0 AS unit FROM main.learned_boilerplate LIMIT 0"
            )
            self._counts_ready = True
        if counts.height:
            self.con.register("line_counts_frame", counts.with_columns(pl.lit(unit).alias("unit")).to_arrow())
            try:
                self.con.execute("INSERT INTO run_line_counts BY NAME SELECT * FROM line_counts_frame")
            finally:
                self.con.unregister("line_counts_frame")

    def run_furniture(self) -> pl.DataFrame | None:
        """The run's one furniture snapshot: the warehouse's learned lines and every pass-1 count of the run."""
        if not self._counts_ready:
            self.add_line_counts(0, pl.DataFrame())
        furniture = state.run_furniture(self.con, "run_line_counts")
        return furniture if furniture.height else None

    # ------------------------------------------------------------ a commit unit

    def start_unit(self, number: int, max_failure_rate: float | None = None) -> None:
        """Empty staging for a new commit unit; `max_failure_rate` overrides the run's for this unit (1.0: no rate check)."""
        store.reset_staging(self.con)
        if self._counts_ready and not self.units:
            # The run's pass-1 counts are folded into learned_boilerplate with its first unit, in one fold, so the
            # table does not depend on how the run was cut into units. (A later unit that blocks leaves its files'
            # counts folded; re-read, they count again only in n_lines_seen: fingerprints count an article once.)
            self.con.execute("INSERT INTO staging.learned_boilerplate BY NAME SELECT * EXCLUDE (unit) FROM run_line_counts")
        self._ingest_order = state.next_ingest_order(self.con)
        self.unit_number = number
        self._unit_failure_rate = self.max_failure_rate if max_failure_rate is None else max_failure_rate

    def route_same_bytes(self, documents: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Split off files whose bytes are already an article; return (the rest, their `same_bytes` manifest rows).

        Hashes sent to the workers earlier in this run count too: batches still in flight have not staged theirs.
        """
        clock = perf_counter()
        known = state.known_file_hashes(self.con, documents["source_sha256"])
        sent_earlier = pl.Series([digest in self._routed for digest in documents["source_sha256"].to_list()], dtype=pl.Boolean)
        is_known = documents["source_sha256"].is_in(known.implode()) | sent_earlier
        first_in_batch = documents.select(pl.col("source_sha256").is_first_distinct()).to_series()
        is_repeat = is_known | ~first_in_batch
        repeats = documents.filter(is_repeat)
        fresh = documents.filter(~is_repeat)
        self._routed.update(fresh["source_sha256"].to_list())
        self.add_step("route", perf_counter() - clock, documents.height)
        return fresh, manifest_rows(repeats, self.run_id, status="same_bytes")

    def stage_batch(self, listing_rows: pl.DataFrame, same_bytes: pl.DataFrame, result) -> int:
        """Mark one transformed batch's duplicates against everything before it and stage its rows; return articles staged.

        `listing_rows`: the batch's files (source_path, source_sha256, size_bytes, mtime_ns); `result`: its BatchResult.
        """
        for step, seconds in result.stage_seconds.items():
            self.add_step(step, seconds, result.articles.height if step != "load_resources" else 0)
        clock = perf_counter()
        result.articles = state.mark_duplicates(self.con, result.articles, result.signatures, self._ingest_order)
        self.add_step("dedup", perf_counter() - clock, result.articles.height)

        clock = perf_counter()
        store.stage(self.con, "files", same_bytes)
        quarantined = result.quarantine.with_columns(pl.lit(self.run_id).alias("run_id"))
        is_article = pl.col("source_sha256").is_in(result.articles["source_sha256"].implode())
        manifest = manifest_rows(
            listing_rows, self.run_id, status=pl.when(is_article).then(pl.lit("article")).otherwise(pl.lit("quarantined"))
        ).with_columns(pl.when(is_article).then(pl.col("article_id")).alias("article_id"))
        for table, frame in result.frames().items():
            store.stage(self.con, table, quarantined if table == "quarantine" else frame)
        store.stage(self.con, "files", manifest)
        self.add_step("stage", perf_counter() - clock, result.articles.height)
        self._ingest_order += result.articles.height
        return result.articles.height

    def audit_and_publish(self) -> UnitOutcome:
        """Check the staged unit; unless a blocking check failed, act on row-level failures and publish it."""
        from expectations.checkpoint import validate_staging

        clock = perf_counter()
        store.consolidate_staging(self.con)
        dq = validate_staging(self.con, self.run_id, self.run_date, self.report_dir, self._unit_failure_rate)
        self.add_step("validate", perf_counter() - clock, sum(dq.staged_rows.values()))
        unit = UnitOutcome(self.unit_number or 0, dq)
        if not unit.blocked:
            clock = perf_counter()
            unit.row_actions = rowlevel.apply_row_failures(self.con, dq.row_failures, self.run_id, self._why)
            self.add_step("quarantine", perf_counter() - clock, sum(unit.row_actions.values()))
            clock = perf_counter()
            unit.published = store.publish(self.con)
            store.empty_staging(self.con)
            self.add_step("publish", perf_counter() - clock, sum(unit.published.values()))
        self.units.append(unit)
        clock = perf_counter()
        self._record_results()
        self.add_step("report", perf_counter() - clock)
        return unit

    # ------------------------------------------------------------ the run's results

    def results(self) -> pl.DataFrame:
        """One dq_results row per expectation for the run so far."""
        return combine_units([unit.dq.results for unit in self.units])

    def published_counts(self) -> dict[str, int]:
        """Rows inserted per table by the units published so far."""
        totals: dict[str, int] = defaultdict(int)
        for unit in self.units:
            for table, rows in unit.published.items():
                totals[table] += rows
        return dict(totals)

    def _record_results(self) -> None:
        """dq_results and the run's report as of the units checked so far (a crash later keeps them)."""
        staged: dict[str, int] = defaultdict(int)
        for unit in self.units:
            for table, rows in unit.dq.staged_rows.items():
                staged[table] += rows
        results = self.results()
        write_dq_results(self.con, results)
        self.report_path = write_run_report(
            self.con,
            results,
            self.run_id,
            self.run_date,
            self.report_dir,
            staged_rows=dict(staged),
            data_docs_path=self.units[-1].dq.data_docs_path,
            published={table: rows for table, rows in self.published_counts().items() if table in _REPORTED_TABLES},
        )

    def finish(self) -> None:
        """Store the run's per-step seconds and row counts in `run_steps`."""
        rows = [(self.run_id, step, round(seconds, 4), int(n)) for step, (seconds, n) in self._steps.items()]
        if rows:
            self.con.executemany("INSERT OR REPLACE INTO run_steps (run_id, step, seconds, rows) VALUES (?, ?, ?, ?)", rows)


_REPORTED_TABLES = ("articles", "entities", "entity_mentions", "events", "event_mentions", "quarantine", "dropped_rows")
