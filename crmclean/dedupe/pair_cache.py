"""Similarities of value pairs kept from one chunk of candidate pairs to the next.

The chunks of a run meet many of the same value pairs again (the same given name and surname
in another pair of names): :class:`PairScores` keeps each distinct pair's similarity, as a
sorted array of packed pair codes and their scores, so a later chunk scores only the pairs no
earlier chunk met. Each pair's similarity is its own, so the scores are those of scoring every
pair again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class PairScores:
    """Scores of packed value pairs (``left << 32 | right``), kept sorted by pair."""

    def __init__(self) -> None:
        self.pairs = np.empty(0, dtype=np.uint64)
        self.scores = np.empty(0, dtype=np.float64)

    def of(self, distinct: np.ndarray, score: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The scores of ``distinct`` (sorted, distinct packed pairs): those met before as they
        were, the others by ``score`` (then kept)."""
        at = np.searchsorted(self.pairs, distinct)
        known = at < self.pairs.size
        known[known] = self.pairs[at[known]] == distinct[known]
        result = np.empty(distinct.size, dtype=np.float64)
        result[known] = self.scores[at[known]]
        new = ~known
        if new.any():
            fresh = np.asarray(score(distinct[new]), dtype=np.float64)
            result[new] = fresh
            self.pairs = np.insert(self.pairs, at[new], distinct[new])
            self.scores = np.insert(self.scores, at[new], fresh)
        return result
