"""The validation gate: golden records must pass the expectation suite before they are loaded.

Importing this package does not import Great Expectations; running the gate does.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.rules import Rules
from crmclean.validate.gx_runner import run_suite, run_suite_on_table
from crmclean.validate.result import (
    ExpectationFailure,
    GateResult,
    gate_result,
    render_text,
    write_failures,
)
from crmclean.validate.suite import holds_on_fewer_rows, load_suite, row_wise

# crmclean's expectations that check values one at a time in Python (behind a fast path): the
# ones a verdict already given (``accepted``) spares.
PER_VALUE = frozenset(
    {"expect_column_values_to_be_valid_email", "expect_column_values_to_be_valid_br_tax_id"}
)

__all__ = [
    "ExpectationFailure",
    "GateResult",
    "normalized_values",
    "render_text",
    "still_holding",
    "stored_values",
    "validate",
    "validate_frame",
    "validate_table",
    "write_failures",
]


def normalized_values(frame: pl.DataFrame) -> dict[str, pl.Series]:
    """The e-mail addresses the normalizer wrote into ``frame`` (primary and alternates): it
    writes only addresses it accepts as they are, so the gate need not check them again. A
    cell it kept as typed with an error (EM08, words glued to an address: it has a space) is
    not among them, so the gate fails on it."""
    if "email" not in frame.columns:
        return {}
    found = [frame.get_column("email")]
    if "email_alt" in frame.columns:
        found.append(frame.get_column("email_alt").explode())
    written = pl.concat(found).drop_nulls().unique()
    return {"email": written.filter(~written.str.contains(r"\s"))}


def stored_values(
    kept: pl.DataFrame,
    rules: Rules,
    accepted: dict[str, pl.Series] | None = None,
    *,
    suite: str = "contacts",
) -> dict[str, pl.Series]:
    """``accepted`` plus, for each column a per-value expectation of ``suite`` checks, the
    values of ``kept``: golden records the target holds and the run leaves as they are. They
    passed the gate when they were loaded, so a rerun does not check them again value by value;
    every other expectation (regexes, sets, uniqueness) still runs over every row."""
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    columns = {e["kwargs"].get("column") for e in spec.expectations if e["type"] in PER_VALUE}
    merged = dict(accepted or {})
    for column in sorted(c for c in columns if isinstance(c, str) and c in kept.columns):
        values = kept.get_column(column).drop_nulls()
        if column in merged and values.is_empty():  # a first load: ``accepted``'s are distinct
            continue
        if column in merged:
            values = pl.concat([merged[column], values.cast(merged[column].dtype)])
        merged[column] = values.unique()
    return merged


def validate(batch: Batch, rules: Rules, *, suite: str = "contacts") -> GateResult:
    """Run ``rules/expectations/<suite>.json`` over ``batch.golden`` (the e-mail addresses the
    normalizer wrote into ``batch.frame`` count as checked)."""
    if batch.golden is None:
        raise ValueError("validate needs batch.golden: run dedupe first")
    lineage = (
        batch.frame.select(GOLDEN_ID, SOURCE, SOURCE_ID)
        if GOLDEN_ID in batch.frame.columns
        else None
    )
    accepted = normalized_values(batch.frame)
    return validate_frame(batch.golden, rules, suite=suite, lineage=lineage, accepted=accepted)


def validate_frame(
    golden: pl.DataFrame | None,
    rules: Rules,
    *,
    suite: str = "contacts",
    lineage: pl.DataFrame | None = None,
    accepted: dict[str, pl.Series] | None = None,
    held: frozenset[int] = frozenset(),
) -> GateResult:
    """Run ``rules/expectations/<suite>.json`` over ``golden`` (one row per golden record).

    Expectations with ``"meta": {"severity": "warning"}`` are reported without failing the
    gate; an expectation that raised fails it, whatever its severity. ``lineage``
    (``golden_id, _source, _source_id``) names a source record of each failing example.
    ``accepted`` (from :func:`normalized_values`) carries the normalizer's verdict: crmclean's
    own per-value checks skip the values it lists. ``held``: positions in the suite of
    expectations known to hold over ``golden`` (:func:`still_holding`), not run again.
    """
    if golden is None:
        raise ValueError("validate needs golden records: run dedupe first")
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    validation, positions = run_suite(golden, spec, accepted, held)
    return gate_result(validation, golden, len(spec.expectations), positions, lineage, held)


def still_holding(
    gate: GateResult, suite: str, rules: Rules, removed: pl.Series | None = None
) -> frozenset[int]:
    """Positions in ``suite`` of the expectations that hold over ``gate``'s golden records
    less ``removed`` (golden ids), the others' rows unchanged, as ``gate`` tells without
    running them: those that held and hold over any subset (:func:`.suite.holds_on_fewer_rows`),
    and the row-wise ones (:func:`.suite.row_wise`, whatever their ``mostly``) whose every
    unexpected row is known and among ``removed`` (or that found none): a gate over fewer of
    those very rows need not run them again."""
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    held = {i for i in gate.passed if holds_on_fewer_rows(spec.expectations[i])}
    gone = pl.Series(GOLDEN_ID, [], pl.String) if removed is None else removed
    cleared = {
        i
        for i, ids in gate.culprits.items()
        if row_wise(spec.expectations[i]) and ids.is_in(gone.implode()).all()
    }
    return frozenset(held | cleared)


def validate_table(
    url: str,
    table: tuple[str, str],
    golden: pl.DataFrame,
    rules: Rules,
    *,
    suite: str = "contacts",
    lineage: pl.DataFrame | None = None,
) -> GateResult:
    """Run the suite in the PostgreSQL database at ``url`` over ``table`` (schema, name), which
    holds the rows of ``golden``: GX's SQL datasource computes every metric there, so nothing
    is copied into pandas. ``golden`` only names the records behind failing values, as in
    :func:`validate_frame`.
    """
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    validation, positions = run_suite_on_table(url, *table, spec)
    return gate_result(validation, golden, len(spec.expectations), positions, lineage)
