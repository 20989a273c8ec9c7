"""Postal codes: a code not of the record's country is emptied and kept for matching only."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_support import frame

from crmclean.normalize.places.postal import normalize_postal
from crmclean.rules import Rules


def test_an_unread_postcode_is_kept_for_matching_and_a_second_run_keeps_it() -> None:
    rules = Rules()
    typed = frame(
        postal_code=["10001", "01310100", "SW1A 1AA"], country=["BR"] * 3, state=[None] * 3
    )
    once = normalize_postal(typed, rules, "BR")
    assert once.frame["postal_code"].to_list() == [None, "01310-100", None]
    assert once.frame["postal_unread"].to_list() == ["10001", None, "sw1a1aa"]
    assert sorted(once.findings["rule"]) == ["postal_code.formatted"] + ["postal_code.invalid"] * 2
    twice = normalize_postal(once.frame, rules, "BR")
    assert twice.frame.equals(once.frame)
    assert twice.findings.is_empty()


def test_no_checked_country_leaves_every_code_as_typed() -> None:
    typed = frame(postal_code=["75001", None], country=["FR", "FR"], state=[None, None])
    step = normalize_postal(typed, Rules(), "BR")
    assert step.frame["postal_code"].to_list() == ["75001", None]
    assert step.frame["postal_unread"].to_list() == [None, None]
    assert step.findings.is_empty()


CODES = st.sampled_from(["10001", "1310-100", "01310100", "SW1A 1AA", "M5V 2T6", "ab", "x-1"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | CODES,
            st.none() | st.sampled_from(["BR", "US", "GB", "CA", "FR"]),
            st.none() | st.sampled_from(["SP", "MA", "NY"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_each_row_reads_as_it_would_alone(rows: list[tuple[str | None, ...]]) -> None:
    """Worked on each country's distinct codes and scattered back at once, every row gets
    what it gets in a frame of its own."""
    rules = Rules()
    codes, countries, states = (list(column) for column in zip(*rows, strict=True))
    whole = normalize_postal(frame(postal_code=codes, country=countries, state=states), rules, "BR")
    alone = [
        normalize_postal(frame(postal_code=[c], country=[n], state=[s]), rules, "BR")
        for c, n, s in rows
    ]
    assert whole.frame.drop("_source_id").equals(
        pl.concat([step.frame.drop("_source_id") for step in alone])
    )
    assert sorted(whole.findings["rule"]) == sorted(r for s in alone for r in s.findings["rule"])
