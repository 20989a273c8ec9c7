"""PairScores: similarities kept from one chunk to the next are those of scoring again."""

import numpy as np

from crmclean.dedupe.pair_cache import PairScores


def test_scores_only_pairs_not_met_before_and_keeps_every_score():
    asked: list[list[int]] = []

    def score(new: np.ndarray) -> np.ndarray:
        asked.append(new.tolist())
        return new.astype(np.float64) / 10

    kept = PairScores()
    first = kept.of(np.array([3, 7], dtype=np.uint64), score)
    second = kept.of(np.array([1, 3, 5, 7, 9], dtype=np.uint64), score)
    assert first.tolist() == [0.3, 0.7]
    assert second.tolist() == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert asked == [[3, 7], [1, 5, 9]]
    assert kept.pairs.tolist() == [1, 3, 5, 7, 9]
