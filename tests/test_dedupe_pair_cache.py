"""PairScores: similarities kept from one chunk to the next are those of scoring again."""

import numpy as np

from crmclean.dedupe.pair_cache import PairScores


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
    assert [run.tolist() for run, _ in kept.runs] == [[3, 7], [1, 5, 9], [0, 11]]


def test_a_cache_whose_pairs_are_rarely_met_again_stops_keeping():
    asked: list[list[int]] = []
    kept = PairScores()
    kept.of(_pairs(*range(10)), _scorer(asked))
    second = kept.of(_pairs(*range(9, 29)), _scorer(asked))  # 1 of 20 met before
    third = kept.of(_pairs(0, 1), _scorer(asked))
    assert second.tolist() == [value / 10 for value in range(9, 29)]
    assert third.tolist() == [0.0, 0.1]
    assert asked[1:] == [list(range(10, 29)), [0, 1]]
    assert not kept.keeping and kept.runs == []
