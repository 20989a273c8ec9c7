"""Particles (``da``, ``de la``, ``van``) cased one way: recasing is idempotent, the fast path
agrees with :func:`recase`, and a last name's particles are cased as in the full name."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from normalize_support import frame

from crmclean.normalize.names.columns import normalize_names
from crmclean.normalize.names.vocabulary import NameRules, kept_as_typed, recase
from crmclean.rules import Rules

VOCAB = NameRules.load(Rules())
PARTICLES = sorted(VOCAB.particles)


def _any_case(words: list[str]) -> st.SearchStrategy[str]:
    """One of ``words``, each letter in either case (``da``, ``Da``, ``dA``, ``DA``)."""
    letters = st.sampled_from(words).map(
        lambda word: [sorted({c.lower(), c.upper()}) for c in word]
    )
    return letters.flatmap(lambda cases: st.tuples(*map(st.sampled_from, cases)).map("".join))


PARTICLE = _any_case(PARTICLES)
WORD = _any_case(["costa", "silva", "Ana", "mARIA", "McDonald", "o'brien", "ÁVILA", "Souza"])
NAME = st.lists(PARTICLE | WORD, min_size=1, max_size=5).map(" ".join)
# A surname of words and particles with at least one word (a particle joins the word after it).
SURNAME = st.tuples(st.lists(PARTICLE, max_size=2), WORD, st.lists(PARTICLE | WORD, max_size=3))
SURNAME_TEXT = SURNAME.map(lambda parts: " ".join([*parts[0], parts[1], *parts[2]]))
PARTS = ["first_name", "middle_name", "last_name"]


@settings(max_examples=500, deadline=None)
@given(NAME, st.booleans())
@example("da Da", True)  # was "da da", then "Da da"
@example("de LA", True)
@example("van Der", False)
def test_recase_is_idempotent_on_particles_and_words(name: str, first: bool) -> None:
    once = recase(name, VOCAB, first)
    assert recase(once, VOCAB, first) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(NAME, max_size=20), st.booleans())
@example(["Da Costa", "da Costa", "Ana De Souza"], False)
def test_the_mixed_case_test_agrees_with_recase_on_particles(
    values: list[str], first: bool
) -> None:
    column = pl.DataFrame({"v": values}, schema={"v": pl.String})
    kept = column.select(kept_as_typed(pl.col("v"), VOCAB.particles, first))["v"]
    for value, as_typed in zip(values, kept, strict=True):
        if as_typed:
            assert recase(value, VOCAB, first) == value


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(WORD, st.none() | SURNAME_TEXT, SURNAME_TEXT), min_size=1, max_size=8))
@example([("Carl", None, "Da Costa")])
@example([("jOSÉ", None, "Da Silva")])
@example([("Ana", "De la", "Van Der Berg")])
def test_a_last_name_is_cased_as_in_the_built_full_name(
    rules: Rules, rows: list[tuple[str, str | None, str]]
) -> None:
    first, middle, last = (list(column) for column in zip(*rows, strict=True))
    data = frame(full_name=[None] * len(rows), first_name=first, middle_name=middle, last_name=last)
    names = normalize_names(data, rules).frame
    joined = pl.concat_str(pl.col(PARTS), separator=" ", ignore_nulls=True).alias("joined")
    assert names["full_name"].to_list() == names.select(joined)["joined"].to_list()


@pytest.mark.parametrize(
    ("last", "cased"),
    [("Da Costa", "da Costa"), ("da Costa", "da Costa"), ("DA COSTA", "da Costa")],
)
def test_a_last_name_particle_is_lower_case_however_typed(
    rules: Rules, last: str, cased: str
) -> None:
    data = frame(full_name=[None], first_name=["Ana"], middle_name=[None], last_name=[last])
    names = normalize_names(data, rules).frame
    assert (names["last_name"][0], names["full_name"][0]) == (cased, f"Ana {cased}")
