"""The company comparison methods: weighted name words (acronyms, run-together names, a word
missing, typos, light and heavy words) and the address (number and street)."""

from __future__ import annotations

import polars as pl
import pytest

from crmclean.dedupe.company_compare import address, weighted_name


def _name(left: str | None, right: str | None) -> float | None:
    pairs = pl.DataFrame({"a": [left], "b": [right]}, schema={"a": pl.String, "b": pl.String})
    return weighted_name(pairs, "a", "b")[0]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ibm:9", "international:6 business:5 machines:8", 0.95),  # an acronym
        ("international:6 business:5 machines:8", "ibm:9", 0.95),
        ("norte:4 andes:7", "norteandes:9", 1.0),  # run together
        ("virgil:8 s:1", "virgil:8 s:1 real:5 bbq:6", 0.85),  # a word missing
    ],
)
def test_name_levels(left: str, right: str, expected: float) -> None:
    assert _name(left, right) == pytest.approx(expected)


def test_a_typo_scores_near_the_same_name() -> None:
    assert 0.9 <= _name("verenbel:9 construtora:3", "vrenbel:9 construtora:3") < 1.0


def test_sharing_a_light_word_is_not_sharing_a_heavy_one() -> None:
    light = _name("comercial:1 silva:9", "comercial:1 souza:9")
    heavy = _name("aurora:9 padaria:2 central:2", "aurora:9 padaria:2 norte:2")
    assert light < 0.1 < 0.6 < heavy < 0.8  # each has its own words: below the name levels


def test_no_name_is_no_evidence() -> None:
    assert _name(None, "acme:9") is None


def test_address_levels() -> None:
    pairs = pl.DataFrame(
        {
            "a": ["854|7th ave between 54th 55th sts", "12|rua x", "|rua x", "12|rua x", None],
            "b": ["854|7th ave", "13|rua x", "40|rua x", "12|av brasil", "1|rua y"],
        }
    )
    assert address(pairs, "a", "b").to_list() == [1.0, 0.0, 0.8, 0.0, None]
