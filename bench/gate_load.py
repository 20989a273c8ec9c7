"""Gate and load speed on N golden records (default 1M), second runs, and peak memory.

Builds a synthetic deduplicated batch in polars (N golden records from N + N/10 source records: one
in ten golden records merges two; one e-mail in twenty non-ASCII), then times separately: importing
Great Expectations, the gate in memory (the shipped suite, with the normalizer's verdict on e-mails
carried, then without it), and per target (a fresh SQLite file, a fresh PostgreSQL schema):
planning against the empty target, the load (SQLite executemany, PostgreSQL COPY), a second run of
the same input (plan and load: nothing to write), and a second run where 1% of the source records
changed (plan, gate, load). On PostgreSQL it also times the gate on a staging table inside the
database (the copy into it, then GX's SQL datasource). Every line shows the peak RSS during that
step (the high-water mark is reset before it) and of the process so far; the step's peak includes
memory the allocator kept from earlier steps (polars' jemalloc does not hand it back at once), so
it is an upper bound for the step alone in a fresh process.

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/gate_load.py --rows 1000000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from crmclean.batch import Batch
from crmclean.dedupe.merge import golden_records
from crmclean.load import LoadPlan, RunInfo, load, plan_load
from crmclean.load.schema import build_tables
from crmclean.load.staging import staged
from crmclean.rules import Rules
from crmclean.validate import normalized_values, validate_frame, validate_table

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Hugo", "Íris", "João"]
LAST = ["Silva", "Souza", "Oliveira", "Santos", "Lima", "Pereira", "Costa", "Ribeiro"]
CHANGED = 100  # one source record in CHANGED has new values in the second run
PEAKS: list[int] = []  # each step's peak RSS (resetting the high-water mark resets ru_maxrss)


def _rss_mb(field: str) -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field))
    return int(line.split()[1]) // 1024


def _reset_peak() -> None:
    """Reset this process's RSS high-water mark (Linux), so the next step's peak is its own."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def timed(label: str, step: Callable[[], Any]) -> Any:
    """Run ``step``; print its time, its own peak RSS and the process's peak so far."""
    _reset_peak()
    start = time.perf_counter()
    value = step()
    seconds = time.perf_counter() - start
    PEAKS.append(_rss_mb("VmHWM"))
    print(
        f"{label:<44} {seconds:7.1f} s   step peak {PEAKS[-1]:6d} MB"
        f"   process peak {max(PEAKS):6d} MB",
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
            # one in twenty non-ASCII, as in real exports (the e-mail check's slow path)
            pl.when(n % 20 == 0)
            .then(pl.format("joão.{}@exemplo.com.br", n))
            .otherwise(pl.format("p{}@exemplo.com.br", n))
            .alias("email"),
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


def changed_batch(batch: Batch, rules: Rules) -> Batch:
    """The same records, one in ``CHANGED`` with a new e-mail address and a newer date."""
    changes = pl.int_range(pl.len()) % CHANGED == 0
    frame = batch.frame.with_columns(
        email=pl.when(changes).then(pl.format("new{}@exemplo.com", "_row")).otherwise("email"),
        updated_at=pl.when(changes).then(pl.lit("2025-01-15")).otherwise("updated_at"),
    )
    return replace(batch, frame=frame, golden=golden_records(frame, rules.model.names))


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


def apply(plan: LoadPlan, target: str, rules: Rules) -> dict[str, int]:
    return load(plan, target, run=RunInfo.start("bench"), rules=rules).counts


def one_run(name: str, label: str, batch: Batch, target: str, rules: Rules) -> None:
    """Plan, gate (in memory) and load ``batch`` into ``target``."""
    plan = timed(f"{name}: {label}: plan", lambda: plan_load(batch, target, rules))
    print(f"  {plan.summary()}")
    accepted = normalized_values(batch.frame)
    gate = timed(
        f"{name}: {label}: gate",
        lambda: validate_frame(plan.after, rules, lineage=plan.lineage, accepted=accepted),
    )
    print(f"  gate success={gate.success}")
    written = timed(f"{name}: {label}: load", lambda: apply(plan, target, rules))
    print(f"  rows written: {written}")


def bench_target(name: str, target: str, batch: Batch, rules: Rules) -> None:
    """First run, the same input again, then 1% changed: plan, gate and load each."""
    one_run(name, "first run", batch, target, rules)
    one_run(name, "second run, same input", batch, target, rules)
    one_run(name, "second run, 1% changed", changed_batch(batch, rules), target, rules)


def bench_staged_gate(target: str, batch: Batch, rules: Rules) -> None:
    """The gate on a staging table in PostgreSQL: the copy in, then GX's SQL datasource."""
    plan = plan_load(batch, target, rules)
    contacts = build_tables(rules.model.names).contacts
    with ExitStack() as stack:
        stage = timed(
            "PostgreSQL: copy into the staging table",
            lambda: stack.enter_context(staged(plan.after, target, uuid.uuid4().hex, contacts)),
        )
        gate = timed(
            "PostgreSQL: gate on the staging table (SQL)",
            lambda: validate_table(stage.url, stage.location, plan.after, rules),
        )
        print(f"  gate success={gate.success}, {gate.checked} expectations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="golden records")
    parser.add_argument("--targets", default="sqlite,postgres")
    args = parser.parse_args()
    rules = Rules()
    timed("import great_expectations", lambda: __import__("great_expectations"))
    batch = timed(f"build {args.rows:,} golden records", lambda: synthetic_batch(args.rows, rules))
    print(f"  source records: {batch.frame.height:,}, golden: {batch.golden.height:,}")
    accepted = normalized_values(batch.frame)
    gate = timed(
        "gate in memory (shipped suite)",
        lambda: validate_frame(batch.golden, rules, accepted=accepted),
    )
    print(f"  gate success={gate.success}, {gate.checked} expectations")
    gate = timed(
        "gate in memory, e-mails checked again", lambda: validate_frame(batch.golden, rules)
    )
    print(f"  gate success={gate.success}, {gate.checked} expectations")
    if "sqlite" in args.targets:
        with tempfile.TemporaryDirectory() as folder:
            bench_target("SQLite", str(Path(folder) / "crm.db"), batch, rules)
    if "postgres" in args.targets:
        url, drop = fresh_postgres()
        try:
            bench_staged_gate(url, batch, rules)
            bench_target("PostgreSQL", url, batch, rules)
        finally:
            drop()
    print(f"peak RSS overall: {max(PEAKS)} MB")


if __name__ == "__main__":
    main()
