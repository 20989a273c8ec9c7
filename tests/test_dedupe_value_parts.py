"""``company`` and ``work_address`` from the codes of value pairs (``on_values``: each value
taken apart once a run, rapidfuzz only where the answer reads it) give exactly the
similarities of the text versions, which take every pair's two texts apart (#12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from compare_twice import by_codes_and_texts
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from crmclean.dedupe.value_parts import WHITE_SPACE

SAMPLE = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"


def _sample(column: str, count: int, seed: int) -> tuple[list[str | None], list[str | None]]:
    """``count`` pairs of ``column`` values of the public sample: the same, a letter off,
    a word more, another value."""
    values = pl.read_csv(SAMPLE, columns=[column]).drop_nulls()[column].str.to_lowercase()
    rng = np.random.default_rng(seed)
    texts = values.to_list()
    left: list[str | None] = []
    right: list[str | None] = []
    for _ in range(count):
        one = texts[int(rng.integers(0, len(texts)))]
        roll = rng.random()
        at = int(rng.integers(0, len(one)))
        if roll < 0.3:
            other = one[:at] + "q" + one[at + 1 :]
        elif roll < 0.4:
            other = f"{one} norte" if rng.random() < 0.5 else f"sul {one}"
        else:
            other = texts[int(rng.integers(0, len(texts)))]
        left.append(None if rng.random() < 0.03 else one)
        right.append(other)
    return left, right


def test_the_same_company_similarities_on_thousands_of_pairs() -> None:
    left, right = _sample("last_name", 3000, seed=17)
    left += ["norte andes", "adc", "vas", "pampa", "pampa sistemas", "ss"]
    right += ["norteandes", "atlantica delta comercio", "vertex alfa", "pampa logistica"]
    right += ["sistemas pampa norte", "sul"]
    new, old = by_codes_and_texts("company", left, right, chunks=3)
    assert (new.fill_null(-1.0) == old.fill_null(-1.0)).all()  # exactly, not approximately
    assert new.null_count() == old.null_count() > 0
    assert set(new.tail(6).to_list()) >= {1.0, 0.95, 0.8}


def test_the_same_work_address_similarities_on_thousands_of_pairs() -> None:
    left, right = _sample("email", 3000, seed=17)
    new, old = by_codes_and_texts("work_address", left, right, chunks=3)
    assert (new.fill_null(-1.0) == old.fill_null(-1.0)).all()
    assert 0 < new.null_count() < new.len()


WORDS = st.lists(st.sampled_from(["a", "ab", "abc", "b", "ba", "bca", "é"]), max_size=3)
NAME = WORDS.map(" ".join) | st.text(alphabet="abcé \t\u2003", max_size=9)
ADDRESS = st.text(alphabet="ab.@", max_size=8)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.none() | NAME, st.none() | NAME), min_size=1, max_size=20))
def test_the_same_company_similarities_for_any_names(
    rows: list[tuple[str | None, str | None]],
) -> None:
    new, old = by_codes_and_texts("company", [a for a, _ in rows], [b for _, b in rows], chunks=2)
    assert new.to_list() == old.to_list()


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.none() | ADDRESS, ADDRESS), min_size=1, max_size=20))
def test_the_same_work_address_similarities_for_any_addresses(
    rows: list[tuple[str | None, str]],
) -> None:
    new, old = by_codes_and_texts(
        "work_address", [a for a, _ in rows], [b for b, _ in rows], chunks=2
    )
    assert new.to_list() == old.to_list()


def test_rapidfuzz_splits_words_only_on_what_white_space_finds() -> None:
    """A name with no ``WHITE_SPACE`` is one word to ``token_set_ratio`` (what lets two
    different one-word names skip it): every character it splits on is found."""
    points = [point for point in range(0x110000) if not 0xD800 <= point < 0xE000]
    scores = process.cpdist(
        [f"a{chr(point)}b" for point in points],
        [f"b{chr(point)}a" for point in points],
        scorer=fuzz.token_set_ratio,
        workers=-1,
    )
    splits = pl.Series([chr(point) for point in np.asarray(points)[scores == 100]])
    assert splits.len() > 20  # " ", "\t", "\u3000" ...
    assert splits.str.contains(WHITE_SPACE).all()
