"""Quarantine: when the gate fails, the incoming records behind the failing golden records go
to rejects (stage ``validate``) with the expectation, the value and what was expected, so the
records that pass can load (``on_fail: quarantine``; ``block``, the default, loads nothing).

Only error-severity failures quarantine; warnings never do. A golden company created from
contacts (``origin`` ``contacts``) that fails the company suite quarantines the records of the
golden contacts linked to it (its only lineage: without them it is not created). A failure
that names no golden record (an empty load, a missing column, a company from a company source)
cannot be quarantined: the gate still blocks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.company_fields import ORIGIN
from crmclean.load.schema import COMPANY_ID
from crmclean.rules import Rules
from crmclean.validate.plain import describe
from crmclean.validate.result import GateResult
from crmclean.validate.suite import ERROR, load_suite

OnFail = Literal["block", "quarantine"]
ON_FAIL: tuple[OnFail, ...] = ("block", "quarantine")
STAGE = "validate"


def _expected(rules: Rules, *suites: str) -> pl.DataFrame:
    """``expectation, column, expected``: each expectation of the suites in plain words."""
    specs = [load_suite(rules.path(f"expectations/{suite}.json")) for suite in suites]
    rows = [
        {"expectation": e["type"], "column": e["kwargs"].get("column"), "expected": describe(e)[0]}
        for spec in specs
        for e in spec.expectations
    ]
    schema = dict.fromkeys(("expectation", "column", "expected"), pl.String)
    return pl.DataFrame(rows, schema=schema).unique(["expectation", "column"], keep="first")


def created_company_rows(
    failing: pl.DataFrame, after: pl.DataFrame | None, companies: pl.DataFrame | None
) -> pl.DataFrame:
    """``failing`` rows (``golden_id, expectation, column, value``) of golden companies created
    from contacts, as rows of the golden contacts (``after``: ``golden_id, company_id``) linked
    to them."""
    if after is None or companies is None or COMPANY_ID not in after.columns:
        return failing.clear()
    created = companies.filter(pl.col(ORIGIN) == "contacts").select(COMPANY_ID)
    links = after.select(GOLDEN_ID, COMPANY_ID).join(created, on=COMPANY_ID, how="semi")
    rows = failing.join(links, left_on=GOLDEN_ID, right_on=COMPANY_ID)
    return rows.select(pl.col(f"{GOLDEN_ID}_right").alias(GOLDEN_ID), *failing.columns[1:])


def quarantine_rejects(
    gate: GateResult,
    lineage: pl.DataFrame,
    frame: pl.DataFrame,
    rules: Rules,
    suite: str,
    *,
    after: pl.DataFrame | None = None,
    companies: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Rejects for every record of ``frame`` (this run's) in a golden record that failed an
    error-severity expectation (``lineage``: ``golden_id, _source, _source_id``), one row per
    record and expectation; with ``after`` (the golden contacts, with ``company_id``) and
    ``companies`` (the golden companies, with ``origin``), also in a golden contact linked to a
    failing company created from contacts (:func:`created_company_rows`)."""
    failing = gate.failing_rows.filter(pl.col("severity") == ERROR)
    failing = failing.select(GOLDEN_ID, "expectation", "column", "value").unique()
    failing = pl.concat([failing, created_company_rows(failing, after, companies)]).unique()
    members = lineage.select(GOLDEN_ID, SOURCE, SOURCE_ID).join(
        frame.select(SOURCE, SOURCE_ID), on=[SOURCE, SOURCE_ID], how="semi"
    )
    rows = failing.join(members, on=GOLDEN_ID).join(
        _expected(rules, suite, *(() if companies is None else ("companies",))),
        on=["expectation", "column"],
        how="left",
        nulls_equal=True,
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


_OUT = "_quarantined"


def quarantine(batch: Batch, rejects: pl.DataFrame) -> Batch:
    """``batch`` without the records of ``rejects``, which join its rejects."""
    keys = [SOURCE, SOURCE_ID]
    named = rejects.select(keys).unique().with_columns(pl.lit(True).alias(_OUT))
    marks = batch.frame.select(keys).join(named, on=keys, how="left", maintain_order="left")
    frame = batch.frame.filter(marks[_OUT].is_null())  # a filter, not a join of the wide frame
    held = pl.col(GOLDEN_ID).is_in(frame[GOLDEN_ID].unique())
    golden = None if batch.golden is None else batch.golden.filter(held)
    merges = None if batch.merges is None else batch.merges.filter(held)
    quarantined = replace(batch, frame=frame, golden=golden, merges=merges)
    records = rejects.select(keys).unique().height
    return quarantined.add_rejects(rejects).add_stats(STAGE, quarantined=records)


def needs_remerge(batch: Batch, quarantined: Batch) -> bool:
    """Whether a golden record that lost records to quarantine (``batch`` before it,
    ``quarantined`` after) still has records (this run's, or ones the target keeps), so it
    must be built again; else :func:`quarantine` already dropped the golden records it
    emptied, and every other golden record and its merge log stay as they were."""
    emptied = (
        batch.frame.select(GOLDEN_ID)
        .unique()
        .join(quarantined.frame.select(GOLDEN_ID).unique(), on=GOLDEN_ID, how="anti")
    )
    keys = [SOURCE, SOURCE_ID]
    removed = batch.frame.select(*keys, GOLDEN_ID).join(
        quarantined.frame.select(keys), on=keys, how="anti"
    )
    touched = removed.select(GOLDEN_ID).unique().join(emptied, on=GOLDEN_ID, how="anti")
    kept = None if batch.target is None else batch.target.kept
    held = (
        0 if kept is None else kept.join(removed.select(GOLDEN_ID), on=GOLDEN_ID, how="semi").height
    )
    return touched.height > 0 or held > 0
