"""``word_subset`` and ``given_word_subset`` scored on word ids (``on_values``: each value's
words interned once, each distinct word pair scored once in a run, best and worst per word by
reductions over runs) give exactly the similarities of the text version, which explodes the
words of every pair and groups them back (#12). Names from the public contacts sample
(``tests/data/public``), paired at random, with parts kept, typos, initials, several words,
gaps and odd spacing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from compare_twice import by_codes_and_texts
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe.word_ids import (
    best_of_all,
    scored_by_words,
    word_pairs,
    words_of,
    worst_best,
)

SAMPLE = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"
SUBSETS = ["word_subset", "given_word_subset"]


def _typo(rng: np.random.Generator, word: str) -> str:
    at = int(rng.integers(0, max(len(word), 1)))
    return word[:at] + "xq"[int(rng.integers(0, 2))] + word[at + 1 :]


def _names(count: int, seed: int, column: str) -> tuple[list[str | None], list[str | None]]:
    """``count`` pairs of names of ``column``: the same, a part kept, a typo, an initial, two
    parts, another name."""
    names = pl.read_csv(SAMPLE, columns=[column]).drop_nulls()[column].str.to_lowercase().to_list()
    rng = np.random.default_rng(seed)

    def name() -> str:
        i, j = rng.integers(0, len(names), 2)
        return f"{names[i]} {names[j]}" if rng.random() < 0.3 else names[i]

    left: list[str | None] = []
    right: list[str | None] = []
    for _ in range(count):
        one, roll = name(), rng.random()
        if roll < 0.2:
            other = one.split(" ")[-1]  # a part kept
        elif roll < 0.35:
            other = _typo(rng, one)
        elif roll < 0.45:
            other = f"{one[0]} {one}" if rng.random() < 0.5 else one[0]  # an initial
        elif roll < 0.5:
            other = one
        else:
            other = name()
        left.append(None if rng.random() < 0.03 else one)
        right.append(None if rng.random() < 0.03 else other)
    return left, right


@pytest.mark.parametrize(
    ("method", "column"), zip(SUBSETS, ["last_name", "first_name"], strict=True)
)
def test_the_same_similarities_on_thousands_of_name_pairs(method: str, column: str) -> None:
    new, old = by_codes_and_texts(method, *_names(5000, seed=12, column=column), chunks=3)
    assert new.null_count() == old.null_count() > 0
    assert (new.fill_null(-1.0) == old.fill_null(-1.0)).all()  # exactly, not approximately
    assert ((new > 0.8) & (new < 1.0)).sum() > 500  # typos and parts kept


WORD = st.text(alphabet="abcoé |", max_size=9)


@pytest.mark.parametrize("method", SUBSETS)
@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(st.none() | WORD, st.none() | WORD), min_size=1, max_size=20))
def test_the_same_similarities_for_any_values(
    method: str, rows: list[tuple[str | None, str | None]]
) -> None:
    new, old = by_codes_and_texts(method, [a for a, _ in rows], [b for _, b in rows], chunks=2)
    assert new.to_list() == old.to_list()


def test_word_pairs_run_pair_by_pair_and_left_word_by_left_word() -> None:
    words = words_of(pl.Series(["b a", "c", None, "a c b"]))
    assert words.words.to_list() == ["a", "b", "c"]
    assert words.sizes.tolist() == [2, 1, 0, 3]
    pairs = word_pairs(words, np.array([0, 1]), np.array([3, 0]))
    assert list(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == [
        (1, 0), (1, 2), (1, 1), (0, 0), (0, 2), (0, 1), (2, 1), (2, 0)
    ]  # fmt: skip
    same = (pairs.left == pairs.right).astype(np.float64)
    assert worst_best(pairs, same).tolist() == [1.0, 0.0]  # "b a" within "a c b"; "c" not


def _closeness(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A made-up word score: how near two word ids are (distinct for most word pairs)."""
    return 1.0 / (1.0 + np.abs(left.astype(np.float64) - right.astype(np.float64)))


VALUE = st.text(alphabet="abc ", min_size=0, max_size=7)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(VALUE, min_size=1, max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30),
)
def test_one_word_values_skip_the_runs_with_the_same_scores(
    values: list[str], rows: list[tuple[int, int]]
) -> None:
    """:func:`scored_by_words` (one-word pairs scored alone) is either reduction over every
    word pair."""
    words = words_of(pl.Series(values))
    left = np.array([a % len(values) for a, _ in rows], dtype=np.int64)
    right = np.array([b % len(values) for _, b in rows], dtype=np.int64)
    pairs = word_pairs(words, left, right)
    every = _closeness(pairs.left, pairs.right)
    for reduce in (worst_best, best_of_all):
        fast = scored_by_words(words, left, right, _closeness, reduce)
        assert fast.tolist() == reduce(pairs, every).tolist()
