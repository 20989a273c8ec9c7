"""``token_set_ratio`` from word ids: the very numbers rapidfuzz's ``process.cpdist`` gives."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from crmclean.dedupe.token_sets import token_set_ratio, token_sets


def _both(values: list[str], left: list[int], right: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The ratios of the values at ``left`` and ``right`` from word ids, and rapidfuzz's."""
    series = pl.Series("k", values)
    codes = np.asarray(left, np.int64), np.asarray(right, np.int64)
    ours = token_set_ratio(token_sets(series), series, *codes)
    texts = [values[i] for i in left], [values[j] for j in right]
    theirs = process.cpdist(*texts, scorer=fuzz.token_set_ratio, workers=-1)
    return ours, np.asarray(theirs, np.float64)


def test_each_shape_of_pair_scores_as_rapidfuzz() -> None:
    """No word shared, one value's words within the other's, one word alone on each side,
    several alone, words out of order or repeated, other spaces, an empty value."""
    values = [
        "ana silva",
        "bruno costa",
        "silva ana maria",
        "ana souza",
        "ana lima souza",
        "costa  bruno",
        "rua x rua",
        "rua y",
        "ana\tsilva",
        "",
        "maria ana",
    ]
    left = [0, 0, 0, 3, 4, 1, 6, 8, 9, 10, 2]
    right = [1, 2, 3, 4, 0, 5, 7, 0, 0, 3, 10]
    ours, theirs = _both(values, left, right)
    assert ours.tolist() == theirs.tolist()
    assert ours[1] == 100.0 and ours[0] < 50.0


_WORD = st.text(alphabet="aábc \t", min_size=0, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORD, max_size=4).map(" ".join), min_size=2, max_size=12), st.data())
def test_any_texts_score_as_rapidfuzz(values: list[str], data: st.DataObject) -> None:
    count = len(values)
    index = st.integers(0, count - 1)
    left = data.draw(st.lists(index, min_size=1, max_size=20))
    right = [data.draw(index) for _ in left]
    ours, theirs = _both(values, left, right)
    assert ours.tolist() == theirs.tolist()
