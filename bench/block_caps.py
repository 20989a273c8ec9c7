"""Block caps against file size: candidate pairs per record and blocking recall on a neutral
file normalized by ``bench/outofcore.py``, for each ``cap_exponent`` (``cap_rows`` given).

The keys are built once, out of core (:class:`crmclean.dedupe.records.ColumnReader`); then,
per exponent, the candidate pairs of :func:`crmclean.dedupe.blocking.candidate_pairs` and the
share of the true pairs (records of one ``entity_id``) among them. Run it under the lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/block_caps.py --rows 2000000 \\
        --dir /tmp/tenm --cap-rows 1000000 --exponents 0 0.5 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from crmclean.batch import SOURCE_ID
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.keys import RECORD, grouped_key_table
from crmclean.dedupe.matching import DedupeOptions, match_config
from crmclean.dedupe.records import ColumnReader
from crmclean.rules import Rules


def true_pairs(raw: Path, lineage: pl.DataFrame) -> pl.DataFrame:
    """``left < right`` record indices of every two records of one ``entity_id``."""
    truth = pl.read_parquet(raw, columns=["unique_id", "entity_id"])
    ids = lineage.select(pl.col(SOURCE_ID).cast(pl.Int64).alias("unique_id")).with_row_index(RECORD)
    records = ids.join(truth, on="unique_id").select(RECORD, "entity_id")
    pairs = records.join(records, on="entity_id", suffix="_r").filter(
        pl.col(RECORD) < pl.col(f"{RECORD}_r")
    )
    return pairs.select(pl.col(RECORD).alias(LEFT), pl.col(f"{RECORD}_r").alias(RIGHT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tenm"))
    parser.add_argument("--cap-rows", type=int, default=1_000_000)
    parser.add_argument("--exponents", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    args = parser.parse_args()
    rules = Rules()
    config = match_config(rules, DedupeOptions())
    files = sorted((args.dir / f"n{args.rows}" / "normalized").glob("part-*.parquet"))
    scan = pl.concat([pl.scan_parquet(file) for file in files], how="diagonal_relaxed")
    started = time.perf_counter()
    table = grouped_key_table(ColumnReader(scan, rules), config.key_names, config)
    print(f"{table.height:,} records, keys {time.perf_counter() - started:.1f} s", flush=True)
    truth = true_pairs(args.dir / f"neutral_{args.rows}.parquet", scan.select(SOURCE_ID).collect())
    for exponent in args.exponents:
        scaled = config.model_copy(update={"cap_rows": args.cap_rows, "cap_exponent": exponent})
        started = time.perf_counter()
        pairs, _ = candidate_pairs(table, scaled)
        reached = pairs.join(truth.cast(pairs.schema), on=[LEFT, RIGHT], how="semi").height
        print(
            f"  exponent {exponent:4.2f}: {pairs.height:,} pairs "
            f"({pairs.height / table.height:.2f} per record), blocking recall "
            f"{reached / truth.height:.4f} of {truth.height:,} true pairs, "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
