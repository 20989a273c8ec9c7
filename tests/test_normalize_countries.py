from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.places.countries import normalize_country, vocabulary
from crmclean.normalize.values.text import fold_words
from crmclean.rules import Rules


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Brasil", "BR"),
        ("brazil", "BR"),
        ("BR", "BR"),
        ("BRA", "BR"),
        ("USA", "US"),
        ("E.U.A.", "US"),
        ("Estados Unidos", "US"),
        ("us", "US"),
        ("Portugal", "PT"),
        ("España", "ES"),
        ("Espanha", "ES"),
        ("México", "MX"),
        ("Mexico", "MX"),
        ("Argentina", "AR"),
        ("UK", "GB"),
        ("Reino Unido", "GB"),
        ("DE", "DE"),
        ("Finland", "FI"),
        ("Cayman Islands", "KY"),
        ("Bolivia", "BO"),
    ],
)
def test_recognized_countries(rules: Rules, typed: str, code: str) -> None:
    step = normalize_country(frame(country=[typed]), rules)
    assert step.frame["country"].to_list() == [code]


def test_findings_for_coded_and_unknown_countries(rules: Rules) -> None:
    step = normalize_country(frame(country=["Brasil", "BR", "Narnia", None]), rules)
    assert step.frame["country"].to_list() == ["BR", "BR", "Narnia", None]
    assert found(step.findings) == [
        ("1", "country", "CO02", "country.coded", "info", "Brasil", "BR"),
        ("3", "country", "CO01", "country.unknown", "warning", "Narnia", "Narnia"),
    ]


def test_yaml_names_never_point_to_two_countries(rules: Rules) -> None:
    owners: dict[str, set[str]] = {}
    for code, names in rules.load("normalize/countries.yaml")["countries"].items():
        for key in fold_words(names):
            owners.setdefault(key, set()).add(code)
    assert {key: codes for key, codes in owners.items() if len(codes) > 1} == {}
    assert set(vocabulary(rules).values()) >= {"BR", "US", "PT", "ES", "MX", "AR", "GB"}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=12) | st.sampled_from(["Brasil", "E.U.A.", "uk"]), min_size=1))
def test_countries_settle_after_one_pass(values: list[str]) -> None:
    rules = Rules()
    once = normalize_country(frame(country=values), rules)
    twice = normalize_country(once.frame, rules)
    assert twice.frame.equals(once.frame)
    assert set(twice.findings["rule"]) <= {"country.unknown"}
