"""End-to-end ingest benchmark: a generated corpus through the real `kabar ingest`, a re-run, and the floor.

Run: python -m benchmarks.ingest --articles 20000 [--corpus generated|real] [--workdir DIR] [--keep] [--task-runner process|dask]
(--corpus real makes the articles from the real scraped folder in KABAR_REALNEWS_DIR, default /tmp/realnews.)

1. generates N raw article files (benchmarks/corpus.py, or benchmarks/realcorpus.py from real text; timed, not counted);
2. runs `kabar ingest CORPUS --db DB --json` as a subprocess, sampling the RSS of its whole process tree
   (flow process, task-runner workers, the temporary Prefect server) every 0.2 s;
3. runs it again over the unchanged folder (the incremental "nothing new" path);
4. measures the floor on the same files: read, decode, detect language, bulk-insert raw bodies into DuckDB;
5. prints a table and writes every figure to WORKDIR/benchmark.json and RSS over time to WORKDIR/rss.png.

Targets (issue 6, two cores, 100k articles): >= 1,000 articles/s end to end excluding Prefect start-up,
pipeline/floor <= 2.0, peak RSS <= 1.5 GB, re-run <= 5 s after start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from time import perf_counter

import duckdb
import langdetect_rs
import psutil
import pyarrow as pa

from benchmarks.corpus import generate_corpus
from benchmarks.realcorpus import generate_real_corpus
from benchmarks.rsschart import write_rss_chart
from transforms.decode import decode_bytes

TARGET_ARTICLES_PER_SECOND = 1000
TARGET_FLOOR_RATIO = 2.0
TARGET_PEAK_RSS_BYTES = 1.5e9
TARGET_RERUN_SECONDS = 5.0
# Stages timed in the flow process (wall seconds); every other stage is timed inside workers and summed over them.
WRITER_STAGES = ("discover", "read", "dedup", "stage", "validate", "publish")
FLOOR_BATCH = 2000


class TreeRssSampler(threading.Thread):
    """Sample the summed RSS of a process and all its descendants; keep the peaks."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_bytes = 0
        self.peak_without_server_bytes = 0  # the temporary Prefect server is a fixed cost, not the pipeline's
        self.peak_processes = 0
        self.peak_by_role = {"flow": 0, "workers": 0, "prefect_server": 0}
        self.peak_single_by_role = {"flow": 0, "worker": 0, "prefect_server": 0}  # the largest one process of each role
        self.timeline: list[dict] = []  # about one a second: seconds since start and RSS of the tree and each role
        self.samples = 0
        self._clock_start = perf_counter()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def sample(self) -> None:
        """Add one sample of the tree's RSS."""
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = server = workers = 0
        for process in processes:
            try:
                rss = process.memory_info().rss
                cmdline = process.cmdline()
                if any("uvicorn" in part for part in cmdline) or ("prefect" in cmdline and "server" in cmdline):
                    server += rss
                    role = "prefect_server"
                elif process.pid != self.root.pid:
                    workers += rss
                    role = "worker"
                else:
                    role = "flow"
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            total += rss
            self.peak_single_by_role[role] = max(self.peak_single_by_role[role], rss)
        for role, rss in (("flow", total - server - workers), ("workers", workers), ("prefect_server", server)):
            self.peak_by_role[role] = max(self.peak_by_role[role], rss)
        if self.samples % 5 == 0:
            self.timeline.append(
                {
                    "t": round(perf_counter() - self._clock_start, 1),
                    "tree": total,
                    "flow": total - server - workers,
                    "workers": workers,
                    "prefect_server": server,
                }
            )
        self.samples += 1
        self.peak_bytes = max(self.peak_bytes, total)
        self.peak_without_server_bytes = max(self.peak_without_server_bytes, total - server)
        self.peak_processes = max(self.peak_processes, len(processes))

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def kabar_command() -> list[str]:
    """The installed `kabar` entry point next to this interpreter, else the same CLI through `-m`."""
    script = Path(sys.executable).parent / "kabar"
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def run_kabar_ingest(input_dir: Path, db_path: Path, log_path: Path, extra_args: list[str]) -> dict:
    """Run `kabar ingest --json` once; return its JSON summary plus wall seconds and peak RSS of its process tree."""
    command = [*kabar_command(), "ingest", str(input_dir), "--db", str(db_path), "--json", *extra_args]
    started = perf_counter()
    with open(log_path, "ab") as log:
        log.write(f"$ {' '.join(command)}\n".encode())
        log.flush()
        # A temporary Prefect server per run, inside the sampled tree: its start-up and memory are counted.
        env = os.environ | {"KABAR_PREFECT_SERVER": "temporary"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env)
        sampler = TreeRssSampler(process.pid)
        sampler.start()
        stdout, _ = process.communicate()
        sampler.stop()
    wall_seconds = perf_counter() - started
    json_lines = [line for line in stdout.decode(errors="replace").splitlines() if line.startswith("{")]
    if not json_lines:
        raise RuntimeError(f"kabar ingest exited {process.returncode} without a JSON summary; see {log_path}")
    summary = json.loads(json_lines[-1])
    return summary | {
        "exit_code": process.returncode,
        "wall_seconds": round(wall_seconds, 2),
        "peak_rss_bytes": sampler.peak_bytes,
        "peak_rss_without_prefect_server_bytes": sampler.peak_without_server_bytes,
        "peak_processes": sampler.peak_processes,
        "peak_rss_by_role_bytes": sampler.peak_by_role,
        "peak_rss_single_process_by_role_bytes": sampler.peak_single_by_role,
        "rss_timeline": sampler.timeline,
        "rss_samples": sampler.samples,
    }


def list_article_files(input_dir: Path) -> list[str]:
    """Every .txt file under the folder, sorted, as `kabar ingest` discovers them."""
    paths = []
    for folder, _, names in os.walk(input_dir.resolve()):
        paths.extend(os.path.join(folder, name) for name in names if name.lower().endswith(".txt"))
    return sorted(paths)


def ingest_floor(input_dir: Path, db_path: Path, max_file_bytes: int = 5_000_000) -> dict:
    """The least any ingest must do: read and decode each file, detect its language, bulk-insert raw bodies into DuckDB."""
    seconds = dict.fromkeys(("discover", "read", "decode", "language", "insert"), 0.0)
    warm_up_seconds = _warm_up_duckdb_arrow()
    started = clock = perf_counter()
    paths = list_article_files(input_dir)
    seconds["discover"] += perf_counter() - clock
    con = duckdb.connect(str(db_path))
    con.execute(
        "CREATE TABLE raw_articles (source_path VARCHAR, encoding VARCHAR, language VARCHAR, language_prob DOUBLE, raw_text VARCHAR)"
    )
    n_articles = n_bytes = 0
    for offset in range(0, len(paths), FLOOR_BATCH):
        batch_paths = paths[offset : offset + FLOOR_BATCH]
        clock = perf_counter()
        raws = []
        for path in batch_paths:
            with open(path, "rb") as handle:
                raws.append(handle.read())
        n_bytes += sum(map(len, raws))
        seconds["read"] += perf_counter() - clock
        clock = perf_counter()
        decoded = [(path, decode_bytes(raw, max_file_bytes)) for path, raw in zip(batch_paths, raws)]
        kept = [(path, outcome) for path, outcome in decoded if outcome.text is not None]
        seconds["decode"] += perf_counter() - clock
        clock = perf_counter()
        guesses = langdetect_rs.detect_langs_batch([outcome.text[:3000] for _, outcome in kept])
        seconds["language"] += perf_counter() - clock
        clock = perf_counter()
        table = pa.table(
            {
                "source_path": [path for path, _ in kept],
                "encoding": [outcome.encoding for _, outcome in kept],
                "language": [guess[0].lang if guess else None for guess in guesses],
                "language_prob": [guess[0].prob if guess else None for guess in guesses],
                "raw_text": [outcome.text for _, outcome in kept],
            }
        )
        con.register("floor_batch", table)
        con.execute("INSERT INTO raw_articles SELECT * FROM floor_batch")
        con.unregister("floor_batch")
        seconds["insert"] += perf_counter() - clock
        n_articles += len(kept)
    clock = perf_counter()
    con.execute("CHECKPOINT")
    con.close()
    seconds["insert"] += perf_counter() - clock
    return {
        "seconds": round(perf_counter() - started, 2),
        "stage_seconds": {stage: round(value, 2) for stage, value in seconds.items()},
        "files": len(paths),
        "articles": n_articles,
        "bytes_read": n_bytes,
        "warehouse_bytes": _file_bytes(db_path),
        "processes": 1,
        "warm_up_seconds_not_counted": round(warm_up_seconds, 2),
    }


def _warm_up_duckdb_arrow() -> float:
    """Pay DuckDB's one-time Arrow scan set-up (1-2 s of imports) outside the floor's clock; the flow pays it at start-up."""
    started = perf_counter()
    con = duckdb.connect()
    con.register("warm_up", pa.table({"text": ["kabar"]}))
    con.execute("SELECT * FROM warm_up").fetchall()
    con.close()
    return perf_counter() - started


def _file_bytes(db_path: Path) -> int:
    return sum(path.stat().st_size for path in (db_path, db_path.with_name(db_path.name + ".wal")) if path.exists())


def _figures(n_files: int, n_bytes: int, first: dict, rerun: dict, floor: dict, db_path: Path) -> dict:
    flow = first["flow_seconds"]
    stages = first.get("stage_seconds", {})
    writer = {name: round(stages[name], 2) for name in WRITER_STAGES if name in stages}
    workers = {
        name: round(value, 2) for name, value in sorted(stages.items(), key=lambda kv: -kv[1]) if name not in WRITER_STAGES
    }
    return {
        "articles_per_second": round(n_files / flow, 1) if flow else None,
        "megabytes_per_second": round(n_bytes / 1e6 / flow, 2) if flow else None,
        # As the user sees it: the `kabar ingest` process's wall time, interpreter start, imports and Prefect included.
        "articles_per_second_with_startup": round(n_files / first["wall_seconds"], 1) if first["wall_seconds"] else None,
        "writer_stage_seconds": writer,
        "worker_stage_seconds_summed": workers,
        "flow_seconds_outside_writer_stages": round(flow - sum(writer.values()), 2),
        "warehouse_bytes": _file_bytes(db_path),
        "pipeline_floor_ratio": round(flow / floor["seconds"], 2) if floor["seconds"] else None,
        "rerun_flow_seconds": rerun["flow_seconds"],
    }


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def render_report(result: dict) -> str:
    """The benchmark's figures as a compact plain-text table."""
    corpus, first, rerun, floor, fig = (result[k] for k in ("corpus", "ingest", "rerun", "floor", "figures"))
    n = corpus["n_files"]
    mb = corpus["n_bytes"] / 1e6
    rss = first["peak_rss_bytes"] / 1e9
    lines = [
        f"kabar ingest benchmark: {n:,} files, {mb:.1f} MB, {result.get('corpus_kind', 'generated')} corpus  "
        f"(task runner {result['task_runner']}, {result['cpus']} CPUs)",
        f"  corpus      generated in {corpus['seconds']:.1f} s (not counted) from {corpus['source']}",
        f"  run         status {first['status']}  loaded {first['articles_loaded']:,}  duplicates {first['duplicates']:,}  "
        f"quarantined {first['quarantined']:,}  same bytes {first['same_bytes']:,}  dq {first['dq_success']}",
        "",
        f"  {'figure':<34}{'value':>14}   target",
        f"  {'flow (excl. Prefect start-up)':<34}{first['flow_seconds']:>12.1f} s",
        f"  {'Prefect start-up':<34}{first['prefect_startup_seconds']:>12.1f} s",
        f"  {'total (process wall)':<34}{first['total_seconds']:>12.1f} s   ({first['wall_seconds']:.1f} s incl. interpreter start)",
        f"  {'articles/s end to end':<34}{fig['articles_per_second']:>14,.0f}   >= {TARGET_ARTICLES_PER_SECOND:,} "
        f"{_verdict(fig['articles_per_second'] >= TARGET_ARTICLES_PER_SECOND)}  ({fig['articles_per_second_with_startup']:,.0f}/s incl. start-up)",
        f"  {'MB/s end to end':<34}{fig['megabytes_per_second']:>14.2f}",
        f"  {'peak RSS (whole process tree)':<34}{rss:>12.2f} GB   <= 1.5 GB {_verdict(first['peak_rss_bytes'] <= TARGET_PEAK_RSS_BYTES)}"
        f"  ({first['peak_rss_without_prefect_server_bytes'] / 1e9:.2f} GB without the Prefect server; {first['peak_processes']} processes)",
        f"  {'  peak per role':<34}"
        + "  ".join(f"{role} {rss / 1e9:.2f} GB" for role, rss in first["peak_rss_by_role_bytes"].items()),
        f"  {'  largest single process':<34}"
        + "  ".join(f"{role} {rss / 1e9:.2f} GB" for role, rss in first.get("peak_rss_single_process_by_role_bytes", {}).items()),
        f"  {'warehouse size':<34}{fig['warehouse_bytes'] / 1e6:>12.1f} MB",
        f"  {'re-run, unchanged folder (flow)':<34}{rerun['flow_seconds']:>12.1f} s   <= {TARGET_RERUN_SECONDS:.0f} s "
        f"{_verdict(rerun['flow_seconds'] <= TARGET_RERUN_SECONDS)}  (files new {rerun['files_new']}, start-up {rerun['prefect_startup_seconds']:.1f} s)",
        f"  {'floor (read+decode+lang+insert)':<34}{floor['seconds']:>12.1f} s   ({n / floor['seconds']:,.0f} articles/s, 1 process)",
        f"  {'pipeline / floor':<34}{fig['pipeline_floor_ratio']:>14.2f}   <= {TARGET_FLOOR_RATIO} {_verdict(fig['pipeline_floor_ratio'] <= TARGET_FLOOR_RATIO)}",
        "",
        "  flow process stages (wall s)    " + "  ".join(f"{k} {v:.1f}" for k, v in fig["writer_stage_seconds"].items()),
        f"    outside those (waiting on workers, Prefect task overhead): {fig['flow_seconds_outside_writer_stages']:.1f} s",
        "  worker stages (s, summed over workers)",
    ]
    worker_total = sum(fig["worker_stage_seconds_summed"].values()) or 1.0
    for name, seconds in fig["worker_stage_seconds_summed"].items():
        lines.append(f"    {name:<20}{seconds:>8.1f}  {seconds / worker_total:>5.0%}")
    lines.append("  floor stages (s)                " + "  ".join(f"{k} {v:.1f}" for k, v in floor["stage_seconds"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Generate a corpus, run kabar ingest twice and the floor, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=2000, help="number of article files to generate")
    parser.add_argument(
        "--workdir", type=Path, help="where corpus, warehouses, logs and benchmark.json go (default: a new temp folder)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the corpus and warehouses (default: keep only benchmark.json and the log)"
    )
    parser.add_argument("--task-runner", choices=("process", "dask", "thread"), default="process")
    parser.add_argument("--workers", type=int, help="passed to kabar ingest --workers")
    parser.add_argument("--batch-size", type=int, help="passed to kabar ingest --batch-size")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument(
        "--corpus",
        choices=("generated", "real"),
        default="generated",
        help="generated: furniture and defects planted at known rates (benchmarks/corpus.py); real: distinct articles "
        "made from the real scraped folder in KABAR_REALNEWS_DIR (benchmarks/realcorpus.py)",
    )
    args = parser.parse_args(argv)

    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="kabar-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_dir, db_path, floor_db = workdir / "corpus", workdir / "kabar.duckdb", workdir / "floor.duckdb"
    log_path = workdir / "ingest.log"
    _remove_outputs(corpus_dir, db_path, floor_db, workdir / "reports")
    log_path.unlink(missing_ok=True)
    extra_args = ["--task-runner", args.task_runner]
    if args.workers:
        extra_args += ["--workers", str(args.workers)]
    if args.batch_size:
        extra_args += ["--batch-size", str(args.batch_size)]

    print(f"workdir {workdir}", file=sys.stderr)
    print(f"generating {args.articles:,} articles ...", file=sys.stderr)
    if args.corpus == "real":
        corpus = generate_real_corpus(corpus_dir, args.articles, seed=args.seed)
    else:
        corpus = generate_corpus(corpus_dir, args.articles, seed=args.seed)
    print(f"running kabar ingest ({args.task_runner}) ...", file=sys.stderr)
    first = run_kabar_ingest(corpus_dir, db_path, log_path, extra_args)
    print("re-running over the unchanged folder ...", file=sys.stderr)
    rerun = run_kabar_ingest(corpus_dir, db_path, log_path, extra_args)
    print("measuring the floor ...", file=sys.stderr)
    floor = ingest_floor(corpus_dir, floor_db)

    result = {
        "articles": args.articles,
        "corpus_kind": args.corpus,
        "task_runner": args.task_runner,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "command": " ".join(kabar_command() + ["ingest", str(corpus_dir), "--db", str(db_path), "--json", *extra_args]),
        "corpus": corpus.as_dict(),
        "ingest": first,
        "rerun": rerun,
        "floor": floor,
        "figures": _figures(corpus.n_files, corpus.n_bytes, first, rerun, floor, db_path),
    }
    result["rss_chart"] = str(write_rss_chart(first["rss_timeline"], workdir / "rss.png", TARGET_PEAK_RSS_BYTES))
    (workdir / "benchmark.json").write_text(json.dumps(result, indent=2, default=str))
    print(render_report(result))
    print(f"figures: {workdir / 'benchmark.json'}; RSS over time: {result['rss_chart']}")
    if not args.keep:
        _remove_outputs(corpus_dir, db_path, floor_db, workdir / "reports")
    return 0 if first["exit_code"] == 0 and rerun["exit_code"] == 0 else 1


def _remove_outputs(corpus_dir: Path, *paths: Path) -> None:
    """Delete what an earlier benchmark in this workdir left: only the paths this module names."""
    shutil.rmtree(corpus_dir, ignore_errors=True)
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            for candidate in (path, path.with_name(path.name + ".wal")):
                candidate.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
