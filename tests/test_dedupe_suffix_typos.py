"""Mistyped generation markers: read as the marker, never a real surname a letter longer."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from test_dedupe_support import contacts

from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.suffix_typos import _marker, typo_markers, word_markers
from crmclean.rules import Rules

SUFFIXES = load_match_config(Rules()).name_suffixes


def test_a_mistyped_marker_at_the_end_of_a_name_is_that_marker() -> None:
    names = ["melina brito fliho", "joao souza ffilho", "mary anderson jjr", "luis perez jnior"]
    assert typo_markers(pl.Series(names), SUFFIXES).to_list() == ["junior"] * 4


def test_real_surnames_and_short_names_are_no_markers() -> None:
    names = ["pedro costa fialho", "ana garcia nieto", "juan perez sobrino", "brito fliho", None]
    assert typo_markers(pl.Series(names), SUFFIXES).to_list() == [None] * 5


def test_the_generation_key_reads_a_mistyped_marker() -> None:
    frame = contacts(
        {"first_name": "Melina", "last_name": "Brito Fliho"},
        {"first_name": "Melina", "last_name": "Brito Filho"},
        {"first_name": "Pedro", "last_name": "Costa Fialho"},
    )
    config = load_match_config(Rules())
    keys = key_table(frame.with_row_index("_record"), ["generation"], config).decoded()
    assert keys["generation"].to_list() == ["junior", "junior", ""]


# Words near the markers: their letters (doubled, swapped, dropped) and a few others.
_WORDS = st.text(alphabet="jrfilhounsetbvxa", min_size=1, max_size=9)
_NEAR = ["ffilho", "jjr", "fliho", "jnior", "ftlho", "fialho", "iiii", "ivv", "sobrino", "snior"]


@given(
    st.lists(st.one_of(_WORDS, st.sampled_from(sorted(SUFFIXES) + _NEAR), st.none()), max_size=30)
)
def test_word_markers_are_each_words_marker(words: list[str | None]) -> None:
    """All words checked at once give what :func:`_marker` gives each word."""
    found = word_markers(pl.Series(words, dtype=pl.String), SUFFIXES).to_list()
    assert found == [None if word is None else _marker(word, SUFFIXES) for word in words]


def test_markers_with_pattern_characters_are_read_as_typed() -> None:
    """A user's marker holding a dot matches only itself doubled, never any letter."""
    suffixes = {"s.j": "jesuit", "jr": "junior"}
    words = ["s.j", "ss..jj", "sxj", "jjr", None]
    found = word_markers(pl.Series(words, dtype=pl.String), suffixes).to_list()
    assert found == [None if word is None else _marker(word, suffixes) for word in words]
    assert found == ["jesuit", "jesuit", None, "junior", None]
