"""Survivorship: what the best-written form and the e-mail classes cost, and what they choose.

Builds N records in clusters of three, each cluster one person written three ways (``Araújo`` /
``Araujo`` / ``ARAUJO``, ``São Paulo`` / ``Sao Paulo``, a personal, a role and a misspelled
free-mail address; the accented record the oldest), and prints the time of ``golden_records``
(best of three), the share of it spent on the best-written forms and the e-mail classes, and
how many golden records keep the accented name and the personal address. Seconds on a shared
machine: run it under the lock when other benchmarks run::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/survivorship.py --records 300000
"""

from __future__ import annotations

import argparse
import time

import polars as pl

import crmclean.dedupe.merge as merge
import crmclean.dedupe.survivorship as survivorship
from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.config import load_match_config
from crmclean.rules import Rules

NAMES = ["Araújo", "Araujo", "ARAUJO"]
CITIES = ["São Paulo", "Sao Paulo", "SAO PAULO"]
RUNS = 5


def frame(records: int) -> pl.DataFrame:
    """``records`` records, three per cluster, every other canonical field empty."""
    fields = Rules().model.names
    row = pl.int_range(records, dtype=pl.Int64)
    variant = row % 3
    person = (row // 3).cast(pl.String)
    emails = [pl.format("p{}@acme.com.br", person), pl.lit("contato@acme.com.br"),
              pl.format("p{}@gmial.com", person)]  # fmt: skip
    built = pl.select(
        pl.lit("bench").alias(SOURCE),
        row.cast(pl.String).alias(SOURCE_ID),
        pl.format("g{}", person).alias(GOLDEN_ID),
        pl.format("Ana {}", pl.lit(pl.Series(NAMES)).gather(variant)).alias("full_name"),
        pl.lit(pl.Series(NAMES)).gather(variant).alias("last_name"),
        pl.lit(pl.Series(CITIES)).gather(variant).alias("city"),
        pl.when(variant == 0).then(emails[0]).when(variant == 1).then(emails[1])
        .otherwise(emails[2]).alias("email"),
        pl.format("2024-01-{}", (variant + 10).cast(pl.String)).alias("updated_at"),
        pl.lit([], dtype=pl.List(pl.String)).alias("email_alt"),
        pl.lit([], dtype=pl.List(pl.String)).alias("phone_alt"),
    )  # fmt: skip
    missing = [pl.lit(None, pl.String).alias(f) for f in fields if f not in built.columns]
    return built.with_columns(missing)


def timed(function, totals: dict[str, float], name: str):  # type: ignore[no-untyped-def]
    """``function``, adding its time to ``totals[name]`` on every call."""

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = function(*args, **kwargs)
        totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
        return result

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    args = parser.parse_args()
    records, fields = frame(args.records), Rules().model.names
    rules = load_match_config(Rules()).survivorship
    totals: dict[str, float] = {}
    merge.best_forms = timed(survivorship.best_forms, totals, "best-written forms")
    survivorship.email_class = timed(survivorship.email_class, totals, "e-mail classes")
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        golden = merge.golden_records(records, fields, rules)
        runs.append(time.perf_counter() - start)
    print(f"records: {records.height:,} in {golden.height:,} clusters of 3")
    mean = sum(runs) / RUNS
    print(f"golden_records: {mean:.2f} s mean of {RUNS} ({', '.join(f'{r:.2f}' for r in runs)})")
    for name, seconds in totals.items():
        print(f"  of which {name}: {seconds / RUNS:.2f} s per run")
    accented = golden.filter(pl.col("last_name") == "Araújo").height
    personal = golden.filter(pl.col("email").str.ends_with("@acme.com.br")
                             & ~pl.col("email").str.starts_with("contato@")).height  # fmt: skip
    print(f"golden records keeping 'Araújo' (the oldest record's form): {accented:,}")
    print(f"golden records keeping the personal address: {personal:,}")


if __name__ == "__main__":
    main()
