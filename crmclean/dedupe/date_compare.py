"""The ``date`` comparison of two full dates (``YYYYMMDD``) on their digits, without text.

A key's distinct dates are taken apart once into a matrix of eight digits; each pair of two
different full dates is then a few integer comparisons of two rows of it: one digit off or two
neighbours swapped (the optimal string alignment distance of 1 between two strings of one
length), day and month swapped, two of year, month and day the same, the same year. Pairs
holding another shape of date (a year alone) are left to the text method.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl

WIDTH = 8  # YYYYMMDD
_YEAR, _MONTH, _DAY = slice(0, 4), slice(4, 6), slice(6, 8)


class Digits(NamedTuple):
    """The digits of each value (a row of ``WIDTH`` bytes; zeros for a value not full) and
    whether the value is a full date."""

    digits: np.ndarray
    full: np.ndarray


_LAST: list[tuple[pl.Series, Digits]] = []  # every chunk of a run compares the same values


def digits_of(values: pl.Series) -> Digits:
    """:class:`Digits` of ``values``, made once for the chunks of a run (known by identity)."""
    if _LAST and _LAST[0][0] is values:
        return _LAST[0][1]
    full = ((values.str.len_bytes() == WIDTH) & (values.str.len_chars() == WIDTH)).to_numpy()
    digits = np.zeros((values.len(), WIDTH), dtype=np.uint8)
    text = "".join(values.filter(pl.Series(full)).to_list()).encode("ascii")
    digits[full] = np.frombuffer(text, dtype=np.uint8).reshape(-1, WIDTH)
    made = Digits(digits, full)
    _LAST[:] = [(values, made)]
    return made


def _same(a: np.ndarray, b: np.ndarray, part: slice) -> np.ndarray:
    return (a[:, part] == b[:, part]).all(axis=1)


def _one_edit(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One digit off, or two neighbouring digits swapped (two different dates)."""
    differ = a != b
    count = differ.sum(axis=1)
    swapped = (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1]) & differ[:, :-1] & differ[:, 1:]
    return (count == 1) | ((count == 2) & swapped.any(axis=1))


def full_dates(left: np.ndarray, right: np.ndarray, made: Digits) -> tuple[np.ndarray, np.ndarray]:
    """The ``date`` similarity of the values at codes ``left`` and ``right`` (two different
    values each), and where it was decided here (both full dates)."""
    done = made.full[left] & made.full[right]
    a, b = made.digits[left[done]], made.digits[right[done]]
    year, month, day = (_same(a, b, part) for part in (_YEAR, _MONTH, _DAY))
    day_month = _same(a[:, _MONTH], b[:, _DAY], slice(None)) & _same(
        a[:, _DAY], b[:, _MONTH], slice(None)
    )
    levels = np.select(
        [_one_edit(a, b), day_month & year, year.astype(int) + month + day == 2, year],
        [0.9, 0.8, 0.7, 0.5],
        0.0,
    )
    similarity = np.zeros(left.size, dtype=np.float64)
    similarity[done] = levels
    return similarity, done
