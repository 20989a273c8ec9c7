"""A call of a few value pairs of a key of many values (the cluster check's few dozen pairs at
the end of a run) scores the name methods that split every value (``swapped``,
``word_subset``, ``given_word_subset``) on the pairs' texts, without splitting the values,
and gets the same similarities as splitting them (#12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe import compare as compare_module
from crmclean.dedupe.coded_keys import KeyTable, encode
from crmclean.dedupe.compare import LEFT, MANY_VALUES, RIGHT, compare, forget_kept

SAMPLE = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"
SPLITTING = ["swapped", "word_subset", "given_word_subset"]
SIZE = MANY_VALUES + 2_000


def _table() -> KeyTable:
    """``SIZE`` names made of the sample's first and last names, as each method's key holds
    them: ``given|surnames`` (key ``parts``) and words (``words``), a few missing."""
    people = pl.read_csv(SAMPLE, columns=["first_name", "last_name"]).drop_nulls()
    firsts = people["first_name"].str.to_lowercase().to_numpy()
    lasts = people["last_name"].str.to_lowercase().to_numpy()
    rng = np.random.default_rng(18)
    given, surname, other = (rng.integers(0, len(firsts), SIZE) for _ in range(3))
    parts = [
        f"{firsts[i]}|{lasts[j]} {lasts[k]}" for i, j, k in zip(given, surname, other, strict=True)
    ]
    words = [f"{firsts[i]} {lasts[j]}" for i, j in zip(given, surname, strict=True)]
    gaps = rng.random(SIZE) < 0.02
    frame = pl.DataFrame({"parts": parts, "words": words}).with_columns(
        pl.when(~pl.lit(gaps)).then(pl.all())
    )
    return encode(frame)


TABLE = _table()


def _key(method: str) -> str:
    return "parts" if method == "swapped" else "words"


def _split() -> bool:
    """Whether any key's values are split into halves or words (kept for the run)."""
    return bool(compare_module._LAST_HALVES or compare_module._WORDS)


@pytest.fixture(autouse=True)
def _forgotten() -> Iterator[None]:
    forget_kept()
    yield
    forget_kept()


def _both(method: str, rows: list[tuple[int, int]]) -> tuple[pl.Series, pl.Series]:
    """``method`` of the record pairs ``rows`` as it runs (few pairs: on the texts, nothing
    split), and with every value split (the ``on_values`` path)."""
    pairs = pl.DataFrame(rows, schema={LEFT: pl.UInt32, RIGHT: pl.UInt32}, orient="row")
    few = compare(pairs, TABLE, _key(method), method)
    assert not _split()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare_module, "FEW_PAIRS_PER_VALUE", 0.0)
        every = compare(pairs, TABLE, _key(method), method)
    return few, every


@pytest.mark.parametrize("method", SPLITTING)
def test_a_few_pairs_of_many_values_are_scored_on_their_texts(method: str) -> None:
    rng = np.random.default_rng(7)
    rows = [(int(a), int(b)) for a, b in rng.integers(0, SIZE, (300, 2))]
    rows += [(0, 0), (1, 2)]  # the same record, and neighbours
    few, every = _both(method, rows)
    assert _split()  # with every value split
    assert few.to_list() == every.to_list()
    assert few.null_count() > 0 and (few > 0.5).sum() > 0


@pytest.mark.parametrize("method", SPLITTING)
def test_many_pairs_split_the_values(method: str) -> None:
    pairs = pl.DataFrame(
        {LEFT: range(SIZE // 8), RIGHT: range(SIZE // 8, SIZE // 4)},
        schema={LEFT: pl.UInt32, RIGHT: pl.UInt32},
    )
    compare(pairs, TABLE, _key(method), method)
    assert _split()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(SPLITTING),
    st.lists(st.tuples(st.integers(0, SIZE - 1), st.integers(0, SIZE - 1)), max_size=40),
)
def test_the_same_similarities_for_any_few_pairs(method: str, rows: list[tuple[int, int]]) -> None:
    forget_kept()
    few, every = _both(method, rows)
    assert few.to_list() == every.to_list()
