"""Gate and load speed on N golden records (default 1M), and peak memory.

Builds a synthetic deduplicated batch in polars (N golden records from N + N/10 source records:
one in ten golden records merges two), then times separately: importing Great Expectations, the
gate (the shipped suite), planning the load against an empty target, and the load itself into a
fresh SQLite file and a fresh PostgreSQL schema. With ``--rerun`` it also plans the same batch
again against the loaded SQLite target (the idempotent re-run: matching against N golden records,
nothing to write).

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/gate_load.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from crmclean.batch import Batch
from crmclean.dedupe.merge import golden_records
from crmclean.load import RunInfo, load, plan_load
from crmclean.rules import Rules
from crmclean.validate import validate_frame

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Hugo", "Íris", "João"]
LAST = ["Silva", "Souza", "Oliveira", "Santos", "Lima", "Pereira", "Costa", "Ribeiro"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = step()
    print(
        f"{label:<34} {time.perf_counter() - start:8.1f} s   peak RSS {peak_mb():7.0f} MB",
        flush=True,
    )
    return value


def synthetic_batch(golden: int, rules: Rules) -> Batch:
    """``golden`` people; the first tenth appear twice (a second, older source record)."""
    twice = golden // 10
    person = pl.concat([pl.int_range(golden, eager=True), pl.int_range(twice, eager=True)])
    n = pl.col("person")
    frame = (
        pl.DataFrame({"person": person})
        .with_row_index("row")
        .select(
            pl.when(pl.col("row") < golden)
            .then(pl.lit("crm"))
            .otherwise(pl.lit("sheet"))
            .alias("_source"),
            pl.col("row").cast(pl.String).alias("_source_id"),
            (pl.col("row") + 1).cast(pl.Int64).alias("_row"),
            pl.format('{{"id": "{}"}}', pl.col("row")).alias("_raw"),
            pl.format("g_{}", n).alias("golden_id"),
            pl.lit(FIRST).list.get(n % len(FIRST)).alias("first_name"),
            pl.lit(LAST).list.get(n % len(LAST)).alias("last_name"),
            pl.format("p{}@exemplo.com.br", n).alias("email"),
            pl.format("+55119{}", (n % 100_000_000).cast(pl.String).str.zfill(8)).alias("phone"),
            pl.lit("BR").alias("country"),
            pl.lit("lead").alias("lifecycle_stage"),
            pl.when(pl.col("row") < golden)
            .then(pl.lit("2024-06-01"))
            .otherwise(pl.lit("2023-01-01"))
            .alias("updated_at"),
        )
    )
    frame = frame.with_columns(
        pl.concat_str("first_name", "last_name", separator=" ").alias("full_name")
    )
    frame = frame.with_columns(
        *(pl.lit(None, pl.String).alias(f) for f in rules.model.names if f not in frame.columns),
        pl.lit([], pl.List(pl.String)).alias("email_alt"),
        pl.lit([], pl.List(pl.String)).alias("phone_alt"),
    )
    return Batch(frame=frame, golden=golden_records(frame, rules.model.names))


def fresh_postgres() -> tuple[str, Callable[[], None]]:
    engine = sa.create_engine(POSTGRES)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()

    return f"{POSTGRES}?options=-csearch_path%3D{schema}", drop


def bench_target(name: str, target: str, batch: Batch, rules: Rules) -> None:
    plan = timed(f"plan against empty {name}", lambda: plan_load(batch, target, rules))
    result = timed(
        f"load into {name}", lambda: load(plan, target, run=RunInfo.start("bench"), rules=rules)
    )
    print(f"  rows written: {result.counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="golden records")
    parser.add_argument("--targets", default="sqlite,postgres")
    parser.add_argument("--rerun", action="store_true", help="also plan the same batch again")
    args = parser.parse_args()
    rules = Rules()
    timed("import great_expectations", lambda: __import__("great_expectations"))
    batch = timed(f"build {args.rows:,} golden records", lambda: synthetic_batch(args.rows, rules))
    print(f"  source records: {batch.frame.height:,}, golden: {batch.golden.height:,}")
    gate = timed("gate (shipped suite)", lambda: validate_frame(batch.golden, rules))
    print(
        f"  gate success={gate.success}, {gate.checked} expectations, failures={len(gate.failures)}"
    )
    with tempfile.TemporaryDirectory() as folder:
        sqlite = str(Path(folder) / "crm.db")
        if "sqlite" in args.targets:
            bench_target("SQLite", sqlite, batch, rules)
            if args.rerun:
                plan = timed("re-plan same input (SQLite)", lambda: plan_load(batch, sqlite, rules))
                print(f"  re-run changes nothing: {plan.empty}")
        if "postgres" in args.targets:
            url, drop = fresh_postgres()
            try:
                bench_target("PostgreSQL", url, batch, rules)
            finally:
                drop()
    print(f"peak RSS overall: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
