from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.values.flags import normalize_flags
from crmclean.rules import Rules

BOTH = ["email_opt_out", "consent"]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("Sim", "true"),
        ("SIM", "true"),
        ("s", "true"),
        ("Não", "false"),
        ("nao", "false"),
        ("NÃO", "false"),
        ("yes", "true"),
        ("No", "false"),
        ("TRUE", "true"),
        ("False", "false"),
        ("1", "true"),
        ("0", "false"),
        ("1.0", "true"),
        ("x", "true"),
        ("X", "true"),
        ("sí", "true"),
        ("Si", "true"),
        ("verdadeiro", "true"),
        ("falso", "false"),
        ("true", "true"),
        ("false", "false"),
    ],
)
def test_shared_words(rules: Rules, typed: str, value: str) -> None:
    step = normalize_flags(frame(email_opt_out=[typed], consent=[typed]), rules, BOTH)
    assert step.frame.row(0, named=True)["email_opt_out"] == value
    assert step.frame.row(0, named=True)["consent"] == value


@pytest.mark.parametrize(
    ("typed", "opt_out", "consent"),
    [
        ("Opt-Out", "true", "false"),
        ("unsubscribed", "true", "false"),
        ("Descadastrado", "true", "false"),
        ("Opted in", "false", "true"),
        ("inscrito", "false", "true"),
    ],
)
def test_field_words_mean_opposite_things(
    rules: Rules, typed: str, opt_out: str, consent: str
) -> None:
    step = normalize_flags(frame(email_opt_out=[typed], consent=[typed]), rules, BOTH)
    assert step.frame.select(BOTH).row(0) == (opt_out, consent)


def test_findings_for_mapped_and_unknown_values(rules: Rules) -> None:
    data = frame(email_opt_out=["Sim", "talvez", "true", None], consent=[None] * 4)
    step = normalize_flags(data, rules, BOTH)
    assert step.frame["email_opt_out"].to_list() == ["true", None, "true", None]
    assert found(step.findings) == [
        ("1", "email_opt_out", "BO02", "bool.mapped", "info", "Sim", "true"),
        ("2", "email_opt_out", "BO01", "bool.unknown_value", "warning", "talvez", None),
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=12) | st.sampled_from(["Sim", "NÃO", "x", "0"]), min_size=1))
def test_flags_settle_after_one_pass(values: list[str]) -> None:
    rules = Rules()
    once = normalize_flags(frame(email_opt_out=values, consent=values), rules, BOTH)
    twice = normalize_flags(once.frame, rules, BOTH)
    assert twice.frame.equals(once.frame)
    assert twice.findings.is_empty()
    assert set(once.frame["consent"].drop_nulls()) <= {"true", "false"}
