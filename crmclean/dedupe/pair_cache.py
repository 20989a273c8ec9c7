"""Similarities of value pairs kept from one chunk of candidate pairs to the next.

The chunks of a run meet many of the same value pairs again (the same given name and surname
in another pair of names): :class:`PairScores` keeps each distinct pair's similarity, so a later
chunk scores only the pairs no earlier chunk met. Each pair's similarity is its own, so the
scores are those of scoring every pair again.

Kept pairs cost memory (16 bytes each), so a cache keeps them only while they are met again:
when its second chunk finds fewer than :data:`MIN_REPEATS` of its pairs kept (street names,
whole names: most pairs are new), it drops them and scores every later pair as it comes. The
kept pairs are one sorted array: each chunk's new pairs are merged into it (a stable sort of two
sorted runs, linear), so a chunk looks its pairs up once, not once per earlier chunk.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MIN_REPEATS = 0.25  # the share of a second chunk's pairs found kept for a cache to keep going


def distinct_pairs(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(packed, return_inverse=True)``: the sorted distinct packed pairs and where
    each pair is among them, by a stable sort (a chunk's pairs come in runs of one record's
    pairs: the stable sort merges those runs, faster than the sort ``np.unique`` makes)."""
    order = np.argsort(packed, kind="stable")
    ordered = packed[order]
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(ordered.size, dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


class PairScores:
    """Scores of packed value pairs (``left << 32 | right``): the pairs kept, sorted, and
    their scores."""

    def __init__(self) -> None:
        self.pairs = np.empty(0, dtype=np.uint64)
        self.scores = np.empty(0, dtype=np.float64)
        self.chunks = 0
        self.keeping = True

    def of(self, distinct: np.ndarray, score: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The scores of ``distinct`` (sorted, distinct packed pairs): those met before as they
        were, the others by ``score`` (then kept, while the cache pays)."""
        if not self.keeping:
            return np.asarray(score(distinct), dtype=np.float64)
        result = np.empty(distinct.size, dtype=np.float64)
        known = np.zeros(distinct.size, dtype=bool)
        if self.pairs.size:
            at = np.minimum(np.searchsorted(self.pairs, distinct), self.pairs.size - 1)
            known = self.pairs[at] == distinct
            result[known] = self.scores[at[known]]
        new = ~known
        fresh = np.asarray(score(distinct[new]), dtype=np.float64)
        result[new] = fresh
        self.chunks += 1
        if self.chunks == 2 and known.sum() < MIN_REPEATS * distinct.size:
            self.pairs, self.scores, self.keeping = self.pairs[:0], self.scores[:0], False
        elif fresh.size:
            merged = np.concatenate([self.pairs, distinct[new]])
            order = np.argsort(merged, kind="stable")
            self.pairs, self.scores = merged[order], np.concatenate([self.scores, fresh])[order]
        return result
