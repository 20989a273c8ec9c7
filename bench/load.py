"""The load stage alone, per table, on the rows a real ``migrate run`` of N neutral contacts
writes (default 200k): findings, crosswalk with raw values, merge log, golden records.

The first call runs the pipeline up to the load once (bench/neutral.py CSV, seeded) and keeps
the plan's rows as Parquet in ``--cache`` (default ``/tmp/crmclean-loadbench-N``), so later calls
time only the load: each into a new SQLite file (and with ``--postgres`` a new PostgreSQL
schema), printing seconds (wall, and CPU of all threads) and rows per table, the file size and
what each table and index takes in it. Run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/load.py --rows 1000000
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import crmclean.load as load_module  # noqa: E402
from crmclean.load import LoadPlan, RunInfo, load  # noqa: E402
from crmclean.load.changes import TableChange  # noqa: E402
from crmclean.load.schema import DATA_KEYS  # noqa: E402
from crmclean.rules import Rules  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STORED_AS = {"finding_rows": "findings"}  # a data table written under another name


def build_cache(folder: Path, rows: int, seed: int) -> None:
    """Run read .. plan on N neutral contacts; keep each table's rows to insert as Parquet."""
    from migrate import project_file

    from crmclean.pipeline import RunOptions, run
    from crmclean.project import load_project

    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    loaded = load_project(project_file(folder, rows, seed))
    options = RunOptions(target=str(folder / "absent.db"))
    result = run(loaded.sources, loaded.rules, options, stop_before="load")
    assert result.plan is not None
    for name, change in result.plan.changes.items():
        change.insert.write_parquet(folder / f"{name}.parquet")
    print(f"pipeline up to the load: {time.perf_counter() - started:.1f} s", flush=True)


def cached_plan(folder: Path) -> LoadPlan:
    """The first-load plan kept by :func:`build_cache` (replacing nothing)."""
    changes = {}
    for name, key in DATA_KEYS.items():
        rows = pl.read_parquet(folder / f"{name}.parquet")
        empty = pl.DataFrame(schema={column: pl.String for column in key})
        changes[name] = TableChange(empty, rows, {"insert": rows.height, "update": 0, "delete": 0})
    return LoadPlan("", changes, changes["contacts"].insert, 0, pl.DataFrame())


def timed_tables() -> dict[str, tuple[float, float]]:
    """Wrap the load's per-table insert so it records seconds per table (wall, CPU)."""
    seconds: dict[str, tuple[float, float]] = {}
    insert: Callable[..., int] = load_module._insert

    def timed(conn: Any, table: sa.Table, *args: Any) -> int:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return insert(conn, table, *args)
        finally:
            name = STORED_AS.get(table.name, table.name)  # findings: finding_rows
            seconds[name] = (time.perf_counter() - started, time.process_time() - cpu)

    load_module._insert = timed  # type: ignore[assignment]
    return seconds


def time_load(label: str, plan: LoadPlan, target: str) -> None:
    seconds = timed_tables()
    started, cpu = time.perf_counter(), time.process_time()
    result = load(plan, target, run=RunInfo.start("bench"), rules=Rules())
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label}: load {total:.1f} s (CPU {total_cpu:.1f} s)", flush=True)
    for name, (took, took_cpu) in seconds.items():
        rows = result.counts[name]
        rate = rows / took / 1000 if took else 0
        print(
            f"  {name:<16} {rows:>10,} rows {took:7.2f} s  {rate:8.0f}k rows/s"
            f"  CPU {took_cpu:6.2f} s"
        )


def sqlite_sizes(database: Path) -> None:
    print(f"  target file: {database.stat().st_size / 1024**2:.0f} MB")
    with sqlite3.connect(database) as conn:
        query = "select name, sum(pgsize) from dbstat group by name order by 2 desc limit 12"
        for name, used in conn.execute(query).fetchall():
            print(f"    {name:<40} {used / 1024**2:8.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--postgres", action="store_true", help="also load into PostgreSQL")
    args = parser.parse_args()
    folder = args.cache or Path(tempfile.gettempdir()) / f"crmclean-loadbench-{args.rows}"
    if not (folder / "findings.parquet").is_file():
        build_cache(folder, args.rows, args.seed)
    plan = cached_plan(folder)
    with tempfile.TemporaryDirectory(prefix="crmclean-load-") as directory:
        database = Path(directory) / "crm.db"
        time_load("SQLite (new file)", plan, str(database))
        sqlite_sizes(database)
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(POSTGRES)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            target = f"{POSTGRES}?options=-csearch_path%3D{schema}"
            time_load("PostgreSQL (new schema)", plan, target)
        finally:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            engine.dispose()


if __name__ == "__main__":
    main()
