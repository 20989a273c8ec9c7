"""Short forms of company names beyond their initials: a left-out sector word, a name run
together."""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.acronyms import abbreviates


def _short(left: list[str | None], right: list[str | None]) -> list[bool]:
    return abbreviates(
        pl.Series(left, dtype=pl.String), pl.Series(right, dtype=pl.String)
    ).to_list()


def test_a_short_form_with_a_left_out_word_or_a_name_run_together() -> None:
    left = ["vas", "atlanticadelta tecnologia", "ss", "granito prima", "vas"]
    right = ["vertex alfa", "adt", "sul", "gps", "vertex alfa"]
    assert _short(left, right) == [True, True, True, True, True]


def test_other_names_and_missing_values_are_no_short_form() -> None:
    left = ["vas", "beta", "orion", "nova", None, "ab"]
    right = ["alfa vertex", "beta", "oasis", "norte", "vas", "a"]
    assert _short(left, right) == [False, False, False, False, False, False]
