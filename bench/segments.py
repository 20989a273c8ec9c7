"""Benchmark: segments and RFM for generated golden contacts and orders; prints the time of
each step (reading the orders file, linking, RFM, assignment), wall and CPU, and peak memory.

Contacts carry a lifecycle stage, a last activity date and an e-mail; the crosswalk holds one
record per contact in source ``crm``. Orders (Brazilian amounts, dd/mm/yyyy dates, a status,
2% naming unknown customers, 5% linked by e-mail only) are cached as Parquet in ``--data``.

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/segments.py --contacts 1000000 \\
        --orders 5000000
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from crmclean.rules import Rules
from crmclean.segments import OrderSource, load_rules, segment_golden
from crmclean.segments.assign import assign
from crmclean.segments.link import link_orders
from crmclean.segments.orders import read_orders
from crmclean.segments.rfm import RFM_SEGMENT, rfm_columns

AS_OF = date(2025, 6, 30)
STAGES = ["lead", "customer", "subscriber", "opportunity", "evangelist", None, "other"]


def golden(count: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``count`` golden contacts and their crosswalk (one ``crm`` record each)."""
    ids = pl.Series(np.arange(count)).cast(pl.String)
    days = rng.integers(0, 1500, count)
    activity = pl.Series(np.datetime64(AS_OF) - days.astype("timedelta64[D]")).cast(pl.String)
    frame = pl.DataFrame(
        {
            "golden_id": "g" + ids,
            "email": "p" + ids + "@exemplo.com.br",
            "lifecycle_stage": pl.Series(STAGES)[rng.integers(0, len(STAGES), count)],
            "last_activity_at": activity,
        }
    ).with_columns(pl.col("last_activity_at").str.slice(0, 10))
    lineage = frame.select("golden_id", pl.lit("crm").alias("_source"), ids.alias("_source_id"))
    return frame, lineage


def orders_file(path: Path, contacts: int, count: int, rng: np.random.Generator) -> Path:
    """``count`` orders as text (the shape an export has), cached in ``path``."""
    if path.exists():
        return path
    customer = rng.zipf(1.3, count) % contacts
    days = rng.integers(0, 1500, count)
    stamp = np.datetime64(AS_OF) - days.astype("timedelta64[D]")
    amount = np.round(rng.lognormal(5.5, 1.0, count), 2)
    frame = pl.DataFrame(
        {
            "Order ID": pl.Series(np.arange(count)).cast(pl.String),
            "Customer ID": pl.Series(customer).cast(pl.String),
            "Order Date": pl.Series(stamp).dt.strftime("%d/%m/%Y"),
            "Total": pl.Series(amount).cast(pl.String).str.replace(".", ",", literal=True),
            "Status": pl.Series(["won", "won", "won", "lost"])[rng.integers(0, 4, count)],
        }
    )
    unknown = pl.Series(rng.random(count) < 0.02)
    frame = frame.with_columns(
        pl.when(unknown)
        .then(pl.lit("x") + pl.col("Customer ID"))
        .otherwise("Customer ID")
        .alias("Customer ID")
    )
    by_mail = pl.Series(rng.random(count) < 0.05)
    frame = frame.with_columns(
        pl.when(by_mail).then("p" + pl.col("Customer ID") + "@exemplo.com.br").alias("Email"),
        pl.when(~by_mail).then(pl.col("Customer ID")).alias("Customer ID"),
    )
    frame.write_parquet(path)
    return path


def timed(label: str, func, *args, **kwargs):
    """Run ``func``; print its wall time and the CPU time of every thread of the process (on a
    shared machine the wall time also counts waiting for the cores)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func(*args, **kwargs)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<34} {wall:7.2f} s wall {used:7.2f} s CPU")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    rng = np.random.default_rng(16)
    rules = Rules()
    frame, lineage = golden(args.contacts, rng)
    path = orders_file(
        args.data / f"bench_orders_{args.orders}.parquet", args.contacts, args.orders, rng
    )
    print(f"{args.contacts:,} contacts, {args.orders:,} orders ({path})")
    source = OrderSource(path, customer_source="crm")
    kept, _ = timed("read + parse orders", read_orders, source, rules)
    linked, _ = timed("link orders", link_orders, kept, lineage, frame)
    scores = timed("RFM scores", rfm_columns, frame, linked, AS_OF)
    spec, rfm_map = load_rules(rules)
    enriched = frame.hstack(scores.drop("golden_id"))
    enriched = enriched.with_columns(
        timed("RFM map", assign, enriched, rfm_map, AS_OF, RFM_SEGMENT)
    )
    timed("segments", assign, enriched, spec, AS_OF)
    result = timed(
        "whole: segment_golden",
        segment_golden,
        frame,
        rules,
        lineage=lineage,
        orders=[source],
        as_of=AS_OF,
    )
    print("sizes:", result.sizes)
    print("orders:", result.orders)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory                        {peak:7.0f} MB")


if __name__ == "__main__":
    main()
