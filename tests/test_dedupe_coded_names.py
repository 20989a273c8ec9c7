"""Name keys coded per distinct first or last name give the codes of the per-record build."""

from __future__ import annotations

import jellyfish
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe.coded_keys import encode
from crmclean.dedupe.coded_names import coded_name_keys
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.name_keys import NAME_INPUTS, NAME_KEYS, _pairs, name_keys
from crmclean.rules import Rules

_NAMES = [
    ("Ana Lúcia da Silva Filho", "Ana Lúcia", None, "da Silva Filho", None),
    ("Ana Silva", "Ana", None, "Silva", None),
    (None, "Zé", "Carlos", "Souza", "Jr"),
    ("Maria Eduarda Ribeiro Almeida", None, None, None, None),
    ("João Pedro FFilho", "João Pedro", None, None, None),
    ("Pedro de la Cruz", None, None, "de la Cruz", None),
    ("Silva Ana", "Silva", None, "Ana", None),
    ("Ana Silva", "Ana", None, "Silva", None),
    ("Bill Smith Junior", "Bill", None, "Smith Jnior", None),
    (None, None, None, None, None),
    ("Van der Berg", "van", None, "der", None),
    ("Ana Silva", "Ana", None, "Silva Filho", "III"),
    ("O'Brien", None, None, "O'Brien", None),
    ("Ana Souza FFilho", "Ana", None, "Souza FFilho", None),
    ("Ana Fliho", "Ana", None, "Fliho", None),
    ("Júnior Silva", "Júnior", None, "Silva", None),
    ("Ana Neto Silva", "Ana Neto", None, "Silva", "Sr."),
    (None, "Ana", None, "Silva Jnior", None),
    (None, "Ana", "Maria", "Silva Jnior", None),
    ("Ana  Silva", "Ana", None, "Silva", None),
    ("Ana Silva Sobrinho", "Ana", None, "Silva", None),
]


@pytest.fixture(scope="module")
def config(rules: Rules) -> MatchConfig:
    return load_match_config(rules)


def test_coded_name_keys_equal_the_encoded_build(config: MatchConfig) -> None:
    rows = pl.DataFrame(_NAMES * 2, schema=list(NAME_INPUTS), orient="row")
    names = list(NAME_KEYS)
    built = encode(name_keys(rows, config).select(names).collect())
    coded = coded_name_keys(rows, names, config)
    assert coded.codes.columns == names
    for key in names:
        assert coded.codes[key].equals(built.codes[key]), key
        assert coded.values[key].equals(built.values[key]), key


def test_a_long_names_pairs_are_listed_in_one_order(config: MatchConfig) -> None:
    """A join and a group keep no order: the pairs of a name of three words or more are
    sorted, so two runs key (and sample EM from) the same lists."""
    rows = pl.DataFrame(_NAMES * 500, schema=list(NAME_INPUTS), orient="row")
    runs = [name_keys(rows, config).select("name_pairs").collect() for _ in range(3)]
    assert runs[0].equals(runs[1]) and runs[0].equals(runs[2])
    pairs = runs[0]["name_pairs"].drop_nulls()
    assert pairs.equals(pairs.list.sort())


def test_some_keys_are_built_alone(config: MatchConfig) -> None:
    rows = pl.DataFrame(_NAMES, schema=list(NAME_INPUTS), orient="row")
    built = encode(name_keys(rows, config).select("first_last", "generation").collect())
    coded = coded_name_keys(rows, ["first_last", "generation"], config)
    assert coded.codes.equals(built.codes)


_WORDS = ["ana", "anna", "silva", "sylva", "jose", "maria", "de", "x", "h", "smith", "smyth"]


def _reference_pairs(tokens: str | None) -> list[str] | None:
    """The pairs ``name_pairs`` lists, row by row: two words' distinct codes, or every two
    distinct codes of a longer name, sorted; None for none."""
    if tokens is None:
        return None
    codes = [jellyfish.metaphone(word) or None for word in tokens.split(" ")]
    if len(codes) == 2:
        low, high = sorted(codes, key=str)
        return [f"{low} {high}"] if low and high and low != high else None
    kept = sorted({code for code in codes if code})
    pairs = [f"{a} {b}" for a in kept for b in kept if a < b] if len(codes) > 2 else []
    return sorted(pairs) or None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.none() | st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map(" ".join),
        max_size=30,
    )
)
def test_name_pairs_laid_out_flat_are_the_listed_pairs(tokens: list[str | None]) -> None:
    """The flat pairs give the lists of the reference."""
    series = pl.Series("name_tokens", tokens, dtype=pl.String)
    listed = _pairs(series)
    assert listed.to_list() == [_reference_pairs(value) for value in tokens]


_PART = st.none() | st.lists(
    st.sampled_from([*_WORDS, "Zé", "bill", "jr", "da", "é", "-", ""]), max_size=3
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(_PART, _PART, _PART, _PART, st.sampled_from([None, "Jr"])),
        min_size=1,
        max_size=25,
    )
)
def test_name_pairs_from_integers_equal_the_encoded_build(
    config: MatchConfig, names: list[tuple[str | None, ...]]
) -> None:
    """``name_pairs`` found on the numbers of the words' codes (one-word given names and
    surnames by columns, the rest by a join) give the codes and values of the text build."""
    rows = pl.DataFrame(names, schema=dict.fromkeys(NAME_INPUTS, pl.String), orient="row")
    built = encode(name_keys(rows, config).select("name_pairs", "name_tokens").collect())
    coded = coded_name_keys(rows, ["name_pairs", "name_tokens"], config)
    assert coded.codes.equals(built.codes)
    assert coded.values["name_pairs"].equals(built.values["name_pairs"])
