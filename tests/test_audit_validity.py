"""Validity's counts from one join of the invalid findings to the records."""

from __future__ import annotations

from datetime import date

import polars as pl

from crmclean.audit import load_audit_config
from crmclean.audit.findings import Examples
from crmclean.audit.measure import Context
from crmclean.audit.validity import field_counts, invalid_values, records_with_invalid
from crmclean.batch import FINDING_SCHEMA, REJECT_SCHEMA
from crmclean.rules import Rules

RULES = Rules()


def _context(findings: list[tuple[str, str, str]]) -> Context:
    frame = pl.DataFrame({
        "_source": ["a", "a", "a"],
        "_source_id": ["1", "2", "3"],
        "email": [None, "kept@x.com", None],
        "phone": ["+5511999990000", None, None],
    })  # fmt: skip
    rows = [
        {"_source": "a", "_source_id": sid, "field": field, "code": "X", "rule": "x",
         "severity": severity, "before": "?", "after": None}
        for sid, field, severity in findings
    ]  # fmt: skip
    found = pl.DataFrame(rows).cast(FINDING_SCHEMA)  # type: ignore[arg-type]
    settings = load_audit_config(RULES)
    rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    examples = Examples(RULES.model)
    return Context(frame, found, rejects, RULES.model, settings, date(2026, 1, 1), examples)


def test_dropped_values_count_as_present_and_every_record_once() -> None:
    ctx = _context([
        ("1", "email", "warning"),  # dropped: record 1 has no e-mail
        ("1", "email", "error"),  # the same value twice: one invalid value
        ("2", "email", "warning"),  # kept although flagged
        ("1", "phone", "info"),  # not a problem
        ("9", "phone", "warning"),  # a record not among the records (rejected)
    ])  # fmt: skip
    invalid = invalid_values(ctx, ["email", "phone"])
    counts = field_counts(ctx, ["email", "phone"], invalid)
    assert counts == {"email": (2, 2), "phone": (2, 1)}
    assert records_with_invalid(invalid) == 3  # records 1, 2 and 9
