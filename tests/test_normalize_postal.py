"""Postal codes: a code not of the record's country is emptied and kept for matching only."""

from __future__ import annotations

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
