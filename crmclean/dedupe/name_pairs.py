"""``name_pairs`` coded from the codes of ``given_names`` and ``surnames``, not from text.

A record's ``name_pairs`` are every two distinct metaphone codes of the words of its given
names and surnames, sorted (:func:`~crmclean.dedupe.name_keys.pair_rows`). Each word's code is
numbered in the codes' sorted order, so a pair is one integer (``low << 32 | high``) that sorts
as its text does. The pairs of each distinct pair of given names and surnames are found on
those integers (a one-word given name and a one-word surname, 91% of them on the neutral 1M, by
columns; the rest by a join of their words), ranked, and only the distinct pairs written as
text: the codes and values :func:`~crmclean.dedupe.coded_keys.encode_list` gives of the lists
(neutral 1M, least of 5: 0.48-0.56 -> 0.37-0.44 s CPU; from the text of 694k ``name_tokens``,
each split and its words' codes looked up by text, before).
"""

from __future__ import annotations

import jellyfish
import polars as pl

from crmclean.dedupe.coded_keys import GROUP_SHIFT, INDEX_MASK, flat_lists, ranks

Coded = tuple[pl.Series, pl.Series]  # a key's code per record and its values
LEFT, RIGHT = "_left", "_right"  # a pair's codes of given_names and surnames (null for none)
_UNIT, _PAIR, _WORD, _NUMBER = "_unit", "_pair", "_word", "_number"


def name_pairs(
    rank: pl.Series, units: pl.DataFrame, given: pl.Series, surnames: pl.Series
) -> Coded:
    """``name_pairs`` of each record, whose pair of given names and surnames is ``rank``'s unit
    of ``units`` (its codes ``_left`` into ``given`` and ``_right`` into ``surnames``)."""
    words, codes = _numbered_words(given, surnames)
    several = _several(units, given, surnames, words).sort(_UNIT, _PAIR)
    flat = _single_words(units, given, surnames, words).merge_sorted(several, _UNIT)
    seen, number = ranks(flat[_PAIR])
    low, high = codes.gather(seen // 2**GROUP_SHIFT), codes.gather(seen & INDEX_MASK)
    text = pl.select(pl.concat_str(pl.lit(low), pl.lit(high), separator=" ")).to_series()
    lists, values = flat_lists(flat[_UNIT], number, text.alias("name_pairs"), units.height)
    return lists.gather(rank).alias("name_pairs"), values


def _numbered_words(given: pl.Series, surnames: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """Each distinct word of the values with the number of its metaphone code (null for none),
    and the codes sorted: number ``i`` is ``codes[i]``."""
    split = pl.concat([given.str.split(" "), surnames.str.split(" ")])
    distinct = split.explode().drop_nulls().unique()
    metaphones = pl.Series(
        [jellyfish.metaphone(word) or None for word in distinct], dtype=pl.String
    )
    codes = metaphones.drop_nulls().unique().sort()
    numbers = pl.int_range(codes.len(), eager=True, dtype=pl.UInt32)
    number = metaphones.replace_strict(codes, numbers, default=None, return_dtype=pl.UInt32)
    return pl.DataFrame({_WORD: distinct, _NUMBER: number}), codes


def _number_of(values: pl.Series, words: pl.DataFrame) -> pl.Series:
    """The number of each value's code (:func:`_numbered_words`); null for several words."""
    return values.replace_strict(words[_WORD], words[_NUMBER], default=None, return_dtype=pl.UInt32)


def _one_word(values: pl.Series) -> pl.Series:
    """Which values are one word."""
    return values.is_not_null() & ~values.str.contains(" ", literal=True)


def _simple(units: pl.DataFrame, given: pl.Series, surnames: pl.Series) -> pl.Series:
    """Which units are a one-word given name and a one-word surname."""
    return (
        _one_word(given).gather(units[LEFT]) & _one_word(surnames).gather(units[RIGHT])
    ).fill_null(False)


def _single_words(
    units: pl.DataFrame, given: pl.Series, surnames: pl.Series, words: pl.DataFrame
) -> pl.DataFrame:
    """``_unit`` and ``_pair`` of the units of one given name and one surname, each one word:
    their two codes' numbers when both have one and they differ."""
    a = _number_of(given, words).gather(units[LEFT])
    b = _number_of(surnames, words).gather(units[RIGHT])
    frame = pl.DataFrame(
        {"a": a, "b": b, "simple": _simple(units, given, surnames)}
    ).with_row_index(_UNIT)
    low, high = (
        pl.min_horizontal("a", "b").cast(pl.UInt64),
        pl.max_horizontal("a", "b").cast(pl.UInt64),
    )
    kept = pl.col("simple") & (pl.col("a") != pl.col("b")).fill_null(False)
    return frame.filter(kept).select(_UNIT, (low * 2**GROUP_SHIFT + high).alias(_PAIR))


def _several(
    units: pl.DataFrame, given: pl.Series, surnames: pl.Series, words: pl.DataFrame
) -> pl.DataFrame:
    """``_unit`` and ``_pair`` of the other units: every two distinct numbers of their words'
    codes (a join of each unit's numbers to themselves)."""
    rest = units.with_row_index(_UNIT).filter(~_simple(units, given, surnames))
    parts = [
        rest.select(_UNIT, values.gather(rest[side]).str.split(" ").alias(_WORD)).explode(_WORD)
        for side, values in ((LEFT, given), (RIGHT, surnames))
    ]
    numbered = pl.concat(parts).join(words, on=_WORD, how="inner").select(_UNIT, _NUMBER)
    flat = numbered.drop_nulls().unique()
    other = f"{_NUMBER}_r"
    pairs = flat.join(flat, on=_UNIT, suffix="_r").filter(pl.col(_NUMBER) < pl.col(other))
    low, high = pl.col(_NUMBER).cast(pl.UInt64), pl.col(other).cast(pl.UInt64)
    return pairs.select(_UNIT, (low * 2**GROUP_SHIFT + high).alias(_PAIR))
