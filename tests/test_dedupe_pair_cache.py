"""PairScores: similarities kept from one chunk to the next are those of scoring again."""

import numpy as np

from crmclean.dedupe.pair_cache import PairScores, distinct_pairs


def _scorer(asked: list[list[int]]):
    def score(new: np.ndarray) -> np.ndarray:
        asked.append(new.tolist())
        return new.astype(np.float64) / 10

    return score


def _pairs(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


def test_scores_only_pairs_not_met_before_and_keeps_every_score():
    asked: list[list[int]] = []
    kept = PairScores()
    first = kept.of(_pairs(3, 7), _scorer(asked))
    second = kept.of(_pairs(1, 3, 5, 7, 9), _scorer(asked))
    third = kept.of(_pairs(0, 1, 7, 9, 11), _scorer(asked))
    assert first.tolist() == [0.3, 0.7]
    assert second.tolist() == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert third.tolist() == [0.0, 0.1, 0.7, 0.9, 1.1]
    assert asked == [[3, 7], [1, 5, 9], [0, 11]]
    assert kept.pairs.tolist() == [0, 1, 3, 5, 7, 9, 11]
    assert kept.scores.tolist() == [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.1]


def test_a_cache_whose_pairs_are_rarely_met_again_stops_keeping():
    asked: list[list[int]] = []
    kept = PairScores()
    kept.of(_pairs(*range(10)), _scorer(asked))
    second = kept.of(_pairs(*range(9, 29)), _scorer(asked))  # 1 of 20 met before
    third = kept.of(_pairs(0, 1), _scorer(asked))
    assert second.tolist() == [value / 10 for value in range(9, 29)]
    assert third.tolist() == [0.0, 0.1]
    assert asked[1:] == [list(range(10, 29)), [0, 1]]
    assert not kept.keeping and kept.pairs.size == 0


def test_distinct_pairs_are_those_of_np_unique() -> None:
    rng = np.random.default_rng(3)
    for packed in (
        rng.integers(0, 50, 1000, dtype=np.uint64) << np.uint64(32),
        np.sort(rng.integers(0, 2**40, 500, dtype=np.uint64)),
        np.array([], dtype=np.uint64),
    ):
        distinct, inverse = distinct_pairs(packed)
        expected, where = np.unique(packed, return_inverse=True)
        np.testing.assert_array_equal(distinct, expected)
        np.testing.assert_array_equal(inverse, where.ravel())
