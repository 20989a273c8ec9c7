"""Landlines by their numbering plan, whatever column held them."""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.phone_kinds import is_landline


def test_only_numbers_the_plan_calls_a_fixed_line_are_landlines() -> None:
    numbers = ["+551151457431", "+5511961910472", "+4982671252", "+12015083418", "junk", None]
    got = is_landline(pl.Series(numbers, dtype=pl.String)).to_list()
    assert got == [True, False, True, False, False, False]


def test_no_numbers_no_landlines() -> None:
    assert is_landline(pl.Series([], dtype=pl.String)).to_list() == []
