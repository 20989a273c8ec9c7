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
from crmclean.company_fields import COMPANY_ID, ORIGIN
from crmclean.dropping import positions, without_keys, without_positions
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


def quarantine(batch: Batch, rejects: pl.DataFrame) -> Batch:
    """``batch`` without the records of ``rejects``, which join its rejects; without the golden
    records (and their merge log) left with no record. What is kept is not copied
    (:mod:`crmclean.dropping`)."""
    keys = batch.frame.select(SOURCE, SOURCE_ID).join(
        rejects.select(SOURCE, SOURCE_ID).unique(), on=[SOURCE, SOURCE_ID], how="semi"
    )
    frame = without_keys(batch.frame, keys)
    held = frame.get_column(GOLDEN_ID).unique().implode()
    golden = None if batch.golden is None else _held(batch.golden, held)
    merges = None if batch.merges is None else _held(batch.merges, held)
    quarantined = replace(batch, frame=frame, golden=golden, merges=merges)
    records = rejects.select(SOURCE, SOURCE_ID).unique().height
    return quarantined.add_rejects(rejects).add_stats(STAGE, quarantined=records)


def _held(rows: pl.DataFrame, held: pl.Series) -> pl.DataFrame:
    """``rows`` of the golden ids ``held`` (imploded), in order."""
    gone = pl.arg_where(pl.col(GOLDEN_ID).is_in(held).fill_null(False).not_())
    return without_positions(rows, rows.select(gone).to_series())


def needs_remerge(batch: Batch, records: pl.DataFrame) -> bool:
    """Whether a golden record that loses ``records`` (``_source, _source_id`` of ``batch``'s
    records, quarantined) keeps others (this run's, or ones the target keeps), so it must be
    built again; else :func:`quarantine` drops the golden records they empty, and every other
    golden record and its merge log stay as they were."""
    keys = [SOURCE, SOURCE_ID]
    frame = batch.frame.select(*keys, GOLDEN_ID)
    removed = frame[positions(frame, records.select(keys).unique())]
    ids = removed.get_column(GOLDEN_ID).unique().implode()
    members = frame.filter(pl.col(GOLDEN_ID).is_in(ids)).group_by(GOLDEN_ID).len()
    lost = removed.group_by(GOLDEN_ID).len()
    touched = members.join(lost, on=GOLDEN_ID).filter(pl.col("len") > pl.col("len_right"))
    kept = None if batch.target is None else batch.target.kept
    held = 0 if kept is None else kept.filter(pl.col(GOLDEN_ID).is_in(ids)).height
    return touched.height > 0 or held > 0
