"""Gating again with the expectations likely to fail (an earlier gate's warnings) checked in
detail at once gives the very verdict of the cheap pass followed by the detailed one."""

from __future__ import annotations

import polars as pl
from test_validate import golden

from crmclean.rules import Rules
from crmclean.validate import validate_frame, warned


def test_foreseen_warnings_give_the_same_verdict() -> None:
    rules = Rules()
    frame = golden(
        rules,
        golden_id=["g1", "g2", "g3"],
        email=["ana@exemplo.com.br", "not-an-email", "ana@exemplo.com.br"],
        country=["BR", "br", None],
    )
    lineage = pl.DataFrame(
        {"golden_id": ["g1", "g2", "g3"], "_source": ["crm"] * 3, "_source_id": ["1", "2", "3"]}
    )
    first = validate_frame(frame, rules, lineage=lineage)
    likely = warned(first)
    assert likely == {("expect_column_values_to_be_unique", "email")}
    again = validate_frame(frame, rules, lineage=lineage, likely=likely)
    assert again.to_dict() == first.to_dict()
    assert again.failing_rows.sort(pl.all()).equals(first.failing_rows.sort(pl.all()))
    # a warning that no longer fails is reported as passing, in detail or not
    fixed = frame.with_columns(email=pl.Series(["a@x.com", "b@x.com", "c@x.com"]))
    assert validate_frame(fixed, rules, lineage=lineage, likely=likely).to_dict() == (
        validate_frame(fixed, rules, lineage=lineage).to_dict()
    )
