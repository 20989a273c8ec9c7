"""The ``date`` comparison of two full dates (``YYYYMMDD``) on their digits, without text.

A key's distinct dates are packed once into one integer each (their eight characters); each
pair of two different full dates is then a few integer operations on two of them: one digit off
or two neighbours swapped (the optimal string alignment distance of 1 between two strings of one
length), day and month swapped, two of year, month and day the same, the same year. Pairs
holding another shape of date (a year alone) are left to the text method.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl

WIDTH = 8  # YYYYMMDD
_BYTE = 8
_LOW_BYTES = 0x0101010101010101  # the lowest bit of every byte
_TWO_BYTES = 0xFFFF


class Digits(NamedTuple):
    """Each value's eight characters as one big-endian integer (the year its top four bytes;
    0 for a value not full) and whether the value is a full date."""

    packed: np.ndarray
    full: np.ndarray


_LAST: list[tuple[pl.Series, Digits]] = []  # every chunk of a run compares the same values


def digits_of(values: pl.Series) -> Digits:
    """:class:`Digits` of ``values``, made once for the chunks of a run (known by identity)."""
    if _LAST and _LAST[0][0] is values:
        return _LAST[0][1]
    full = ((values.str.len_bytes() == WIDTH) & (values.str.len_chars() == WIDTH)).to_numpy()
    packed = np.zeros(values.len(), dtype=np.uint64)
    text = "".join(values.filter(pl.Series(full)).to_list()).encode("ascii")
    packed[full] = np.frombuffer(text, dtype=">u8")
    made = Digits(packed, full)
    _LAST[:] = [(values, made)]
    return made


def _bytes_differing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, the lowest bit of every byte where ``a`` and ``b`` differ."""
    x = a ^ b
    x |= x >> np.uint64(4)
    x |= x >> np.uint64(2)
    x |= x >> np.uint64(1)
    return x & np.uint64(_LOW_BYTES)


def _one_edit(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One character off, or two neighbouring characters swapped (two different dates)."""
    differing = _bytes_differing(a, b)
    count = (differing * np.uint64(_LOW_BYTES)) >> np.uint64(56)
    edit = count == 1
    for shift in range(0, WIDTH * _BYTE - _BYTE, _BYTE):
        pair = np.uint64(_TWO_BYTES << shift)
        here = differing == np.uint64(0x0101 << shift)
        two_a, two_b = (a & pair) >> np.uint64(shift), (b & pair) >> np.uint64(shift)
        swapped = (two_a >> np.uint64(_BYTE)) == (two_b & np.uint64(0xFF))
        swapped &= (two_a & np.uint64(0xFF)) == (two_b >> np.uint64(_BYTE))
        edit |= here & swapped
    return edit


def full_dates(left: np.ndarray, right: np.ndarray, made: Digits) -> tuple[np.ndarray, np.ndarray]:
    """The ``date`` similarity of the values at codes ``left`` and ``right`` (two different
    values each), and where it was decided here (both full dates)."""
    done = made.full[left] & made.full[right]
    a, b = made.packed[left[done]], made.packed[right[done]]
    two, four = np.uint64(2 * _BYTE), np.uint64(4 * _BYTE)
    mask = np.uint64(_TWO_BYTES)
    year = (a >> four) == (b >> four)
    month = ((a >> two) & mask) == ((b >> two) & mask)
    day = (a & mask) == (b & mask)
    day_month = year & (((a >> two) & mask) == (b & mask)) & ((a & mask) == ((b >> two) & mask))
    levels = np.select(
        [_one_edit(a, b), day_month, year.astype(int) + month + day == 2, year],
        [0.9, 0.8, 0.7, 0.5],
        0.0,
    )
    similarity = np.zeros(left.size, dtype=np.float64)
    similarity[done] = levels
    return similarity, done
