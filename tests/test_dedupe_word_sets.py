"""``word_set``: ``token_set``'s similarities, pairs sharing no word from sorted words."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from crmclean.dedupe import compare as compare_module
from crmclean.dedupe import word_sets
from crmclean.dedupe.coded_keys import encode
from crmclean.dedupe.compare import LEFT, RIGHT, compare

_SCHEMA = {LEFT: pl.UInt32, RIGHT: pl.UInt32}
_WORDS = ["12", "rua", "das", "flores", "flor", "avenida", "ávila", "ß", "ẞ", "a", "b", "9b"]
_GAPS = [" ", " ", " ", "  ", "\t", "\x1c", "\u3000", "\xa0"]  # mostly single spaces
_text = st.builds(
    lambda words, gaps: "".join(w + g for w, g in zip(words, gaps, strict=False)).rstrip(" "),
    st.lists(st.sampled_from(_WORDS), min_size=0, max_size=5),
    st.lists(st.sampled_from(_GAPS), min_size=5, max_size=5),
)


def _every_pair(values: list[str | None]) -> pl.DataFrame:
    count = len(values)
    left, right = np.triu_indices(count, k=1)
    return pl.DataFrame({LEFT: left, RIGHT: right}, schema=_SCHEMA)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_text, st.none()), min_size=2, max_size=25))
def test_word_set_is_token_set(values: list[str | None]) -> None:
    """Every pair of some streets (words doubled, out of order, split by other white space or
    two spaces, empty) scores as ``token_set`` does, bit for bit, the sorted words made."""
    pairs = _every_pair(values)
    expected = compare(pairs, encode(pl.DataFrame({"k": values})), "k", "token_set")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare_module, "FEW_PAIRS", 0)
        found = compare(pairs, encode(pl.DataFrame({"k": values})), "k", "word_set")
        compare_module.forget_kept()
    assert found.equals(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(_text.filter(bool), min_size=2, max_size=20, unique=True))
def test_ratio_of_pairs_sharing_no_word_is_cpdists(values: list[str]) -> None:
    """The ratio of pairs read as sharing no word is ``token_set_ratio`` / 100 as ``cpdist``
    gives it, and a pair sharing a word is never read so."""
    words = word_sets.sorted_words(pl.Series(values))
    left, right = np.triu_indices(len(values), k=1)
    apart = word_sets.disjoint(words, left, right)
    sets = [set(value.split()) for value in values]
    shared = [bool(sets[a] & sets[b]) for a, b in zip(left, right, strict=True)]
    assert not (apart & np.array(shared, dtype=bool)).any()
    texts = [values[a] for a in left[apart]], [values[b] for b in right[apart]]
    scores = process.cpdist(*texts, scorer=fuzz.token_set_ratio, workers=1)
    expected = np.asarray(scores, np.float64) / 100.0
    assert np.array_equal(word_sets.ratio(words, left[apart], right[apart]), expected)


def test_sorted_words_sort_only_what_needs_it() -> None:
    values = pl.Series(["12 flores rua", "55 rue isaac garcia", "b a b", "x  y", "a\tb"])
    words = word_sets.sorted_words(values)
    sorted_texts = ["12 flores rua", "55 garcia isaac rue", "b a b", "x  y", "a\tb"]
    assert words.texts.to_list() == sorted_texts
    every = np.uint64(2**64 - 1)
    assert (words.filters[2:] == every).all()  # a doubled word, two spaces, a tab: never apart
    assert (words.filters[:2] != every).all()
    assert words.lengths.tolist() == [13, 19, 5, 4, 3]


def test_most_street_pairs_are_read_as_sharing_no_word() -> None:
    values = pl.Series(["78 fiona valley", "268 ditschlerinring", "12 rua flores", "12 rua flor"])
    words = word_sets.sorted_words(values)
    apart = word_sets.disjoint(words, np.array([0, 0, 2]), np.array([1, 2, 3]))
    assert apart[:2].all() and not apart[2]


def test_few_pairs_score_without_sorting_the_words() -> None:
    """A run's call of fewer than ``FEW_PAIRS`` value pairs (a cluster check's) scores with
    ``token_set_ratio`` and sorts no words; a larger one sorts them once for the run."""
    table = encode(pl.DataFrame({"k": ["12 rua flores", "flores rua 14", "3 high st", None]}))
    pairs = _every_pair([None] * 4)
    expected = compare(pairs, table, "k", "token_set")
    assert compare(pairs, table, "k", "word_set").equals(expected)
    assert not compare_module._SORTED
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare_module, "FEW_PAIRS", 2)
        assert compare(pairs, table, "k", "word_set").equals(expected)
    assert compare_module._SORTED
    compare_module.forget_kept()
    assert not compare_module._SORTED
