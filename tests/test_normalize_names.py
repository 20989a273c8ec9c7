from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.names import NameRules, recase, split_full
from crmclean.normalize.person import normalize_names
from crmclean.rules import Rules


@pytest.fixture(scope="module")
def vocab() -> NameRules:
    return NameRules.load(Rules())


@pytest.mark.parametrize(
    ("typed", "cased"),
    [
        ("JOÃO DA SILVA", "João da Silva"),
        ("maria das graças", "Maria das Graças"),
        ("JOSÉ DOS SANTOS E SOUZA", "José dos Santos e Souza"),
        ("O'BRIEN", "O'Brien"),
        ("o’neill", "O’Neill"),
        ("MCDONALD", "McDonald"),
        ("D'ÁVILA", "D'Ávila"),
        ("ANA-MARIA", "Ana-Maria"),
        ("DA SILVA", "Da Silva"),
        ("LUDWIG VAN BEETHOVEN", "Ludwig van Beethoven"),
        ("VAN DER BERG", "Van der Berg"),
        ("GABRIEL GARCÍA Y MÁRQUEZ", "Gabriel García y Márquez"),
        ("macdonald", "MacDonald"),
        ("MACHADO", "Machado"),
        ("JOHN SMITH III", "John Smith III"),
        ("ÇAĞLAR ÖZTÜRK", "Çağlar Öztürk"),
        ("joão Silva", "joão Silva"),
        ("McDONALD", "McDONALD"),  # mixed case: kept as typed
        ("DeLorean", "DeLorean"),
        ("J. R. R.", "J. R. R."),
    ],
)
def test_recase(vocab: NameRules, typed: str, cased: str) -> None:
    assert recase(typed, vocab) == cased


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("Maria da Silva Santos", ("Maria", "da Silva Santos", "Maria da Silva Santos")),
        ("Silva, João", ("João", "Silva", "João Silva")),
        ("da Silva, Maria José", ("Maria José", "da Silva", "Maria José da Silva")),
        ("SILVA, JOÃO", ("João", "Silva", "João Silva")),
        ("Dr. Carlos de Souza", ("Carlos", "de Souza", "Dr. Carlos de Souza")),
        ("Sra Ana Lima", ("Ana", "Lima", "Sra Ana Lima")),
        ("Madonna", ("Madonna", None, "Madonna")),
        ("joão Silva", ("João", "Silva", "joão Silva")),
        ("Dr.", ("Dr.", None, "Dr.")),
        ("O'Brien Jr., Patrick", ("Patrick", "O'Brien Jr.", "Patrick O'Brien Jr.")),
        ("Goldman, Sachs & Co.", ("Goldman,", "Sachs & Co.", "Goldman, Sachs & Co.")),
    ],
)
def test_split_full(vocab: NameRules, full: str, parts: tuple[str | None, ...]) -> None:
    assert split_full(full, vocab) == parts


def test_normalize_names_recases_splits_and_fills(rules: Rules) -> None:
    data = frame(
        full_name=["JOÃO DA SILVA", "Silva, João", None, "Ana Lima", None],
        first_name=[None, None, "O'BRIEN", "Ana", None],
        middle_name=[None, None, "PAUL", None, None],
        last_name=[None, None, "MCDONALD", None, None],
    )
    step = normalize_names(data, rules)
    assert step.frame.select("full_name", "first_name", "middle_name", "last_name").rows() == [
        ("João da Silva", "João", None, "da Silva"),
        ("João Silva", "João", None, "Silva"),
        ("O'Brien Paul McDonald", "O'Brien", "Paul", "McDonald"),
        ("Ana Lima", "Ana", None, None),
        (None, None, None, None),
    ]
    assert found(step.findings) == [
        ("1", "first_name", "NM02", "name.split_full_name", "info", "João da Silva", "João"),
        ("1", "full_name", "NM01", "name.recased", "info", "JOÃO DA SILVA", "João da Silva"),
        ("1", "last_name", "NM02", "name.split_full_name", "info", "João da Silva", "da Silva"),
        ("2", "first_name", "NM02", "name.split_full_name", "info", "Silva, João", "João"),
        ("2", "full_name", "NM04", "name.reordered", "info", "Silva, João", "João Silva"),
        ("2", "last_name", "NM02", "name.split_full_name", "info", "Silva, João", "Silva"),
        ("3", "first_name", "NM01", "name.recased", "info", "O'BRIEN", "O'Brien"),
        ("3", "full_name", "NM03", "name.filled_full_name", "info", None, "O'Brien Paul McDonald"),
        ("3", "last_name", "NM01", "name.recased", "info", "MCDONALD", "McDonald"),
        ("3", "middle_name", "NM01", "name.recased", "info", "PAUL", "Paul"),
    ]


NAME_COLUMNS = ("full_name", "first_name", "last_name")
NAMES = st.text(alphabet=st.sampled_from("aeiouãéçAEIOUÃÉÇ'’-. ,dDsSmMcC"), max_size=25)


@settings(max_examples=200, deadline=None)
@given(NAMES | st.text(max_size=25))
def test_recase_is_idempotent_and_never_raises(vocab: NameRules, name: str) -> None:
    once = recase(name, vocab)
    assert recase(once, vocab) == once
    split_full(name, vocab)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES, NAMES), min_size=1, max_size=8))
def test_normalize_names_twice_changes_nothing(
    rules: Rules, rows: list[tuple[str, str, str]]
) -> None:
    columns = {
        name: [value.strip() or None for value in values]
        for name, values in zip(NAME_COLUMNS, zip(*rows, strict=True), strict=True)
    }
    data = frame(**columns, middle_name=[None] * len(rows)).with_columns(
        pl.col(name).str.replace_all(r"\s+", " ") for name in columns
    )
    once = normalize_names(data, rules)
    twice = normalize_names(once.frame, rules)
    assert twice.frame.equals(once.frame)
    assert twice.findings.is_empty()
