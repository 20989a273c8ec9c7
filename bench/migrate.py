"""The whole job at scale: ``migrate run`` of one N-row CSV (default 1M) into a new SQLite file,
then the same run again (sources unchanged: nothing read), then optionally ``--full`` again.
With ``--sources K`` the rows are split into K CSV files (one source each), and a last run
follows where the first file changed (a tenth of its rows get a new street): only that source
is read, normalized and matched again (with K=100, 1% of the records).

The CSV comes from bench/neutral.py (seeded). Each run is a process of its own (as the CLI
runs): its wall time including imports, its peak RSS, and the seconds between the stages it
reports (read, normalize, dedupe, plan, validate, load), wall and CPU (all threads: steadier
than wall time on a shared machine), and inside validate the planning and the gates apart.
Before the runs, the CPU seconds of importing Great Expectations in a fresh process: a run
imports it in a thread beside the stages before the gate, so the gate's figure leaves it out
(the gate's cost with its import is the two added). Then the target file's size and what
each table and index takes in it (SQLite's ``dbstat``). Heavy: run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/migrate.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from race import run  # noqa: E402


def timed_parts() -> dict[str, list[float]]:
    """Wrap the validate stage's planning and its gates (the contact and company suites) so
    they add up their seconds (wall, CPU of all threads) apart: the stage holds both."""
    from crmclean import into_target
    from crmclean.accounts import gate as company_gate
    from crmclean.load import gated

    parts = {"plan": [0.0, 0.0], "gate": [0.0, 0.0]}

    def timed(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                parts[part][0] += time.perf_counter() - started
                parts[part][1] += time.process_time() - cpu

        return wrapper

    into_target.plan_load = timed("plan", into_target.plan_load)  # type: ignore[assignment]
    into_target.without_records = timed("plan", into_target.without_records)  # type: ignore[assignment]
    gated.validate_frame = timed("gate", gated.validate_frame)  # type: ignore[assignment]
    company_gate.validate_frame = timed("gate", company_gate.validate_frame)  # type: ignore[assignment]
    return parts


def gx_import_cpu() -> float:
    """CPU seconds of importing Great Expectations (with crmclean's expectations) in a fresh
    process that imported the pipeline first: what the gate's import costs, which a run pays
    in a thread beside the stages before the gate, outside the gate's own figures."""
    code = (
        "import time, crmclean.pipeline; t = time.process_time(); "
        "import crmclean.validate.custom; print(time.process_time() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def child(project: str, full: bool, quarantine: bool) -> None:
    """One ``migrate run`` in this process; prints the seconds per stage as JSON."""
    from crmclean.api import migrate
    from crmclean.project import load_project

    parts = timed_parts()
    marks: list[tuple[str, float, float]] = [("start", time.perf_counter(), time.process_time())]
    loaded = load_project(Path(project))

    def mark(stage: str) -> None:
        marks.append((stage, time.perf_counter(), time.process_time()))

    result = migrate(
        loaded.sources,
        loaded.rules,
        target=loaded.target,
        full=full,
        on_fail="quarantine" if quarantine else "block",
        progress=mark,
    )
    mark("end")
    stages = {a: round(t2 - t1, 1) for (a, t1, _), (_, t2, _) in pairwise(marks)}
    cpu = {a: round(c2 - c1, 1) for (a, _, c1), (_, _, c2) in pairwise(marks)}
    gate = None if result.gate is None else result.gate.success
    written = None if result.loaded is None else result.loaded.counts
    inside = {name: [round(seconds, 1) for seconds in both] for name, both in parts.items()}
    report = {"stages": stages, "cpu": cpu, "validate (wall, CPU)": inside, "gate": gate}
    report |= {"written": written, **result.info}
    print(json.dumps(report))


def project_file(folder: Path, rows: int, seed: int, sources: int = 1) -> Path:
    """The CSV (or ``sources`` CSVs), the mapping (the file's id is the record id) and
    ``crmclean.yml``."""
    from neutral import contacts

    frame = contacts(rows, seed).drop("entity_id")
    (folder / "contacts.mapping.yaml").write_text("columns:\n  unique_id: record_id\n")
    names = ["contacts.csv"] if sources == 1 else [f"part{i:03}.csv" for i in range(sources)]
    size = -(-frame.height // sources)
    specs = ""
    for i, name in enumerate(names):
        frame.slice(i * size, size).write_csv(folder / name)
        specs += f"  - path: {name}\n    mapping: contacts.mapping.yaml\n"
    project = folder / "crmclean.yml"
    project.write_text(f"sources:\n{specs}target: crm.db\n")
    return project


def change_first_source(folder: Path) -> int:
    """A tenth of the first part file's rows get a new street; returns the file's rows."""
    import polars as pl

    path = folder / "part000.csv"
    frame = pl.read_csv(path, infer_schema=False)
    moved = pl.int_range(pl.len()) % 10 == 0
    street = pl.when(moved).then(pl.lit("1 New Street")).otherwise("street").alias("street")
    frame = frame.with_columns(street)
    frame.write_csv(path)
    return frame.height


def sizes(database: Path) -> list[tuple[str, int]]:
    """Bytes per table and index, largest first."""
    with sqlite3.connect(database) as conn:
        query = "select name, sum(pgsize) from dbstat group by name order by 2 desc"
        return conn.execute(query).fetchall()


def timed_run(label: str, project: Path, full: bool = False, quarantine: bool = False) -> None:
    command = [sys.executable, __file__, "--child", str(project)] + (["--full"] if full else [])
    command += ["--quarantine"] if quarantine else []
    lap = run(command)
    report = json.loads(lap.stdout.strip().splitlines()[-1])
    print(f"{label:<34} {lap.seconds:7.1f} s  peak {lap.peak / 1024**3:5.2f} GB", flush=True)
    print(f"  stages (s): {report.pop('stages')}")
    print(f"  stages, CPU of all threads (s): {report.pop('cpu')}")
    print(f"  {report}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--full", action="store_true", help="also time a --full rerun")
    parser.add_argument("--sources", type=int, default=1, help="split the rows into K files")
    parser.add_argument(
        "--quarantine",
        action="store_true",
        help="on_fail quarantine: load what passes (the neutral file holds a few bad values)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.full, args.quarantine)
        return
    with tempfile.TemporaryDirectory(prefix="crmclean-migrate-") as directory:
        project = project_file(Path(directory), args.rows, args.seed, args.sources)
        size = sum(path.stat().st_size for path in Path(directory).glob("*.csv"))
        print(f"{args.rows:,} contacts in {args.sources} CSV, {size / 1024**2:.0f} MB", flush=True)
        print(f"Great Expectations import, fresh process: {gx_import_cpu():.1f} s CPU", flush=True)
        timed_run("migrate run (new SQLite file)", project, quarantine=args.quarantine)
        database = Path(directory) / "crm.db"
        print(f"  target file: {database.stat().st_size / 1024**2:.0f} MB")
        for name, used in sizes(database)[:12]:
            print(f"    {name:<40} {used / 1024**2:8.1f} MB")
        timed_run("migrate run again (same input)", project, quarantine=args.quarantine)
        if args.full:
            timed_run("migrate run --full (same input)", project, True, args.quarantine)
        if args.sources > 1:
            rows = change_first_source(Path(directory))
            label = f"migrate run, 1 source changed ({rows:,} rows)"
            timed_run(label, project, quarantine=args.quarantine)


if __name__ == "__main__":
    main()
