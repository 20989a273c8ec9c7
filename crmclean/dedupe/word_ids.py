"""Names as lists of integer word ids, for comparisons made word by word.

The word comparisons (:func:`crmclean.dedupe.compare._word_subset`, the swapped name) score
every word of one value against every word of the other and keep the best of each. Done on
text, each pair of values is split and exploded into word pairs and grouped back. Here the
words of each distinct value are interned once per run (:class:`Words`: ``u32`` ids of the
distinct words, each value's ids in a row of one flat array), a pair of values becomes its
word pairs by integer arithmetic (no strings split or exploded), and the best and worst per
word are ``np.maximum.reduceat`` / ``np.minimum.reduceat`` over contiguous runs: the same
floats as the group-bys of the text version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import polars as pl


class Words(NamedTuple):
    """The distinct words of some values (sorted), every value's word ids (``flat``, value
    by value, in the value's order) and where each value's ids start and how many there are
    (0 for a null value)."""

    words: pl.Series
    flat: np.ndarray
    start: np.ndarray
    sizes: np.ndarray


def words_of(values: pl.Series) -> Words:
    """:class:`Words` of ``values``: each split on single spaces (as ``str.split(" ")``)."""
    lists = values.str.split(" ")
    count = lists.list.len().fill_null(0).cast(pl.Int64).to_numpy()
    flat = lists.drop_nulls().explode()
    words = flat.unique().sort()
    ids = flat.cast(pl.Enum(words)).to_physical().cast(pl.UInt32).to_numpy()
    start = np.zeros(count.size, dtype=np.int64)
    np.cumsum(count[:-1], out=start[1:])
    return Words(words, ids, start, count)


class WordPairs(NamedTuple):
    """The word pairs of some pairs of values, pair by pair, left word by left word: pair
    ``p`` holds ``rows[p] * cols[p]`` word pairs from ``first[p]``."""

    left: np.ndarray
    right: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    first: np.ndarray


def _runs(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For runs of ``sizes`` (each at least 1): where each run starts, each element's run and
    its place within the run; ``int32`` when every index fits (half the bytes of the word
    pairs' index arrays, the same integers)."""
    kind = np.int32 if int(sizes.sum()) < 2**31 else np.int64
    first = np.zeros(sizes.size, dtype=kind)
    np.cumsum(sizes[:-1], out=first[1:])
    run = np.repeat(np.arange(sizes.size, dtype=kind), sizes)
    return first, run, np.arange(run.size, dtype=kind) - first[run]


def word_pairs(words: Words, left: np.ndarray, right: np.ndarray) -> WordPairs:
    """Every word of value ``left[p]`` against every word of value ``right[p]`` (values with
    a word each: never null)."""
    rows, cols = words.sizes[left], words.sizes[right]
    first, run, within = _runs(rows * cols)
    rows, cols = rows.astype(run.dtype), cols.astype(run.dtype)  # no int64 copies below
    i, j = within // cols[run], within % cols[run]
    ids_l = words.flat[words.start[left][run] + i]
    ids_r = words.flat[words.start[right][run] + j]
    return WordPairs(ids_l, ids_r, rows, cols, first)


def best_of_all(pairs: WordPairs, scores: np.ndarray) -> np.ndarray:
    """Per pair of values, the best score of its word pairs."""
    return np.maximum.reduceat(scores, pairs.first) if scores.size else scores


def worst_best(pairs: WordPairs, scores: np.ndarray) -> np.ndarray:
    """Per pair of values, from whichever side fits best, the worst of its words' best
    scores on the other side (each word of one value found in the other)."""
    if not scores.size:
        return scores
    rows, cols, first = pairs.rows, pairs.cols, pairs.first
    row_first, row_pair, row_at = _runs(rows)  # one run per left word
    best_l = np.maximum.reduceat(scores, first[row_pair] + row_at * cols[row_pair])
    left_side = np.minimum.reduceat(best_l, row_first)
    _, run, within = _runs(rows * cols)  # the same word pairs, right word by right word
    j, i = within // rows[run], within % rows[run]
    by_right = scores[first[run] + i * cols[run] + j]
    col_first, col_pair, col_at = _runs(cols)
    best_r = np.maximum.reduceat(by_right, first[col_pair] + col_at * rows[col_pair])
    right_side = np.minimum.reduceat(best_r, col_first)
    return np.maximum(left_side, right_side)


Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]
Reduction = Callable[[WordPairs, np.ndarray], np.ndarray]


def scored_by_words(
    words: Words, left: np.ndarray, right: np.ndarray, scorer: Scorer, reduce: Reduction
) -> np.ndarray:
    """Per pair of values ``left[p]``, ``right[p]``, ``reduce`` (:func:`best_of_all`,
    :func:`worst_best`) of its word pairs' ``scorer`` scores. Two one-word values (most pairs
    of names) are their one word pair's score, as either reduction of one score gives: no runs
    made or reduced for them (neutral 1M, word_subset: 662k of 915k value pairs), and one
    ``scorer`` call for all."""
    one = (words.sizes[left] == 1) & (words.sizes[right] == 1)
    single, several = np.flatnonzero(one), np.flatnonzero(~one)
    pairs = word_pairs(words, left[several], right[several])
    first = words.flat[words.start[left[single]]], words.flat[words.start[right[single]]]
    scores = scorer(np.concatenate([first[0], pairs.left]), np.concatenate([first[1], pairs.right]))
    result = np.empty(left.size, dtype=np.float64)
    result[single] = scores[: single.size]
    result[several] = reduce(pairs, scores[single.size :])
    return result
