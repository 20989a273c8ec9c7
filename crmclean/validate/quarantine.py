"""Quarantine: when the gate fails, the incoming records behind the failing golden records go
to rejects (stage ``validate``) with the expectation, the value and what was expected, so the
records that pass can load (``on_fail: quarantine``; ``block``, the default, loads nothing).

Only error-severity failures quarantine; warnings never do. A failure that names no golden
record (an empty load, a missing column) cannot be quarantined: the gate still blocks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.rules import Rules
from crmclean.validate.plain import describe
from crmclean.validate.result import GateResult
from crmclean.validate.suite import ERROR, load_suite

OnFail = Literal["block", "quarantine"]
ON_FAIL: tuple[OnFail, ...] = ("block", "quarantine")
STAGE = "validate"


def _expected(rules: Rules, suite: str) -> pl.DataFrame:
    """``expectation, column, expected``: each expectation of the suite in plain words."""
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    rows = [
        {"expectation": e["type"], "column": e["kwargs"].get("column"), "expected": describe(e)[0]}
        for e in spec.expectations
    ]
    schema = dict.fromkeys(("expectation", "column", "expected"), pl.String)
    return pl.DataFrame(rows, schema=schema).unique(["expectation", "column"], keep="first")


def quarantine_rejects(
    gate: GateResult, lineage: pl.DataFrame, frame: pl.DataFrame, rules: Rules, suite: str
) -> pl.DataFrame:
    """Rejects for every record of ``frame`` (this run's) in a golden record that failed an
    error-severity expectation (``lineage``: ``golden_id, _source, _source_id``), one row per
    record and expectation."""
    failing = gate.failing_rows.filter(pl.col("severity") == ERROR)
    failing = failing.select(GOLDEN_ID, "expectation", "column", "value").unique()
    members = lineage.select(GOLDEN_ID, SOURCE, SOURCE_ID).join(
        frame.select(SOURCE, SOURCE_ID), on=[SOURCE, SOURCE_ID], how="semi"
    )
    rows = failing.join(members, on=GOLDEN_ID).join(
        _expected(rules, suite), on=["expectation", "column"], how="left", nulls_equal=True
    )
    return rows.sort(SOURCE, SOURCE_ID, "expectation").select(
        SOURCE,
        SOURCE_ID,
        pl.lit(STAGE).alias("stage"),
        "column",
        pl.col("expectation").alias("rule"),
        pl.coalesce("expected", "expectation").alias("expected"),
        pl.col("value").alias("actual"),
    )


def quarantine(batch: Batch, rejects: pl.DataFrame) -> Batch:
    """``batch`` without the records of ``rejects``, which join its rejects."""
    keys = [SOURCE, SOURCE_ID]
    frame = batch.frame.join(rejects.select(keys).unique(), on=keys, how="anti")
    kept = frame.select(GOLDEN_ID).unique()
    golden = None if batch.golden is None else batch.golden.join(kept, on=GOLDEN_ID, how="semi")
    merges = None if batch.merges is None else batch.merges.join(kept, on=GOLDEN_ID, how="semi")
    quarantined = replace(batch, frame=frame, golden=golden, merges=merges)
    records = rejects.select(keys).unique().height
    return quarantined.add_rejects(rejects).add_stats(STAGE, quarantined=records)
