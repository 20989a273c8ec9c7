"""``swapped`` (name_swap) scored from the key's values (``on_values``: each distinct pair of
given names and surnames once) gives exactly the similarities of scoring the texts of every
pair (#12). Names from the public contacts sample (``tests/data/public``), paired at random,
swapped, with typos, several words and gaps."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe import compare as compare_module
from crmclean.dedupe.coded_keys import encode
from crmclean.dedupe.compare import LEFT, METHODS, RIGHT, compare

SAMPLE = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"


def _both(left: list[str | None], right: list[str | None]) -> tuple[pl.Series, pl.Series]:
    """``swapped`` of record i (``left``) and n + i (``right``): from the values, and from the
    texts of every distinct pair (``on_values`` off)."""
    table = encode(pl.DataFrame({"k": left + right}, schema={"k": pl.String}))
    pairs = pl.DataFrame(
        {LEFT: range(len(left)), RIGHT: range(len(left), 2 * len(left))},
        schema={LEFT: pl.UInt32, RIGHT: pl.UInt32},
    )
    new = compare(pairs, table, "k", "swapped")
    texts_only = dataclasses.replace(METHODS["swapped"], on_values=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(compare_module.METHODS, "swapped", texts_only)
        old = compare(pairs, table, "k", "swapped")
    return new, old


def _typo(rng: np.random.Generator, word: str) -> str:
    at = int(rng.integers(0, max(len(word), 1)))
    return word[:at] + "xq"[int(rng.integers(0, 2))] + word[at + 1 :]


def _names(count: int, seed: int) -> tuple[list[str | None], list[str | None]]:
    """``count`` pairs of ``given|surnames`` values."""
    people = pl.read_csv(SAMPLE, columns=["first_name", "last_name"]).drop_nulls()
    firsts, lasts = people["first_name"].to_list(), people["last_name"].to_list()
    rng = np.random.default_rng(seed)

    def name() -> tuple[str, str]:
        i, j = rng.integers(0, len(firsts), 2)
        given, surname = firsts[i], lasts[i]
        if rng.random() < 0.2:
            given = f"{given} {firsts[j]}"
        if rng.random() < 0.2:
            surname = f"{surname} {lasts[j]}"
        return given, surname

    left: list[str | None] = []
    right: list[str | None] = []
    for _ in range(count):
        given, surname = name()
        roll = rng.random()
        if roll < 0.3:  # swapped, sometimes with a typo
            other = (_typo(rng, surname) if rng.random() < 0.5 else surname, given)
        elif roll < 0.5:  # the same person, a typo
            other = (given, _typo(rng, surname))
        elif roll < 0.55:  # the same name
            other = (given, surname)
        else:
            other = name()
        left.append(None if rng.random() < 0.03 else f"{given}|{surname}")
        right.append(None if rng.random() < 0.03 else "|".join(other))
    return left, right


def test_the_same_similarities_on_thousands_of_name_pairs() -> None:
    new, old = _both(*_names(5000, seed=12))
    assert new.null_count() == old.null_count() > 0
    assert (new.fill_null(-1.0) == old.fill_null(-1.0)).all()  # exactly, not approximately
    assert (new >= 0.9).sum() > 1000  # swaps are found


WORD = st.text(alphabet="abcé |", max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.none() | WORD, st.none() | WORD), min_size=1, max_size=20))
def test_the_same_similarities_for_any_values(rows: list[tuple[str | None, str | None]]) -> None:
    new, old = _both([a for a, _ in rows], [b for _, b in rows])
    assert new.to_list() == old.to_list()
