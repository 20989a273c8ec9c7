"""The name keys coded once per distinct first name, last name or pair of keys.

Whole names are nearly all distinct (700k of 1M records on the neutral file), their first and
last names are not (20k each): ``first_name``, ``last_name``, ``given_names`` and ``surnames``
are built once per distinct first or last name (the records whose keys read the whole name,
without a first or last name, are built as :func:`~crmclean.dedupe.name_keys.name_keys`
builds them), and every key made of those (:data:`~crmclean.dedupe.name_keys.DERIVED`) once
per distinct value or pair of values of its inputs, from their codes. The codes and values
are those :func:`~crmclean.dedupe.coded_keys.encode` gives of :func:`name_keys`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from crmclean.dedupe.coded_keys import (
    GROUP_SHIFT,
    INDEX_MASK,
    KeyTable,
    encode,
    encode_units,
    factorize,
    ranks,
)
from crmclean.dedupe.name_keys import (
    _FAMILY,
    _FIRST_KEY,
    _GIVEN,
    _NAMED_LAST,
    _WHOLE,
    DERIVED,
    _first_parts,
    _last_parts,
    fold,
    name_keys,
    whole_name_keys,
    whole_text,
)

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

Coded = tuple[pl.Series, pl.Series]  # a key's code per record and its values
_WHOLE_KEYS = ("name", "generation")  # read the whole name: built per distinct name
# The base keys built per distinct first or last name: (the name, its column of the parts).
_PARTS = {
    "first_name": ("first_name", _FIRST_KEY),
    "given_names": ("first_name", _GIVEN),
    "last_name": ("last_name", _NAMED_LAST),
    "surnames": ("last_name", _FAMILY),
}
# Keys whose value tells their inputs' values apart (none of them holds the separator: the
# last name is one word, the names are folded to letters): coded by their inputs' codes.
_INJECTIVE = frozenset({"first_last", "name_parts"})


def _needed(names: list[str]) -> set[str]:
    """``names`` and every key they are made of."""
    needed = set(names)
    for stage in reversed(DERIVED):
        for key, (inputs, _) in stage.items():
            if key in needed:
                needed.update(inputs)
    return needed


def _whole_keys(rows: pl.DataFrame, wanted: list[str], config: MatchConfig) -> dict[str, Coded]:
    """The keys of the whole name, per distinct whole name and suffix."""
    if not wanted:
        return {}
    distinct, index = factorize(rows.select(whole_text().alias(_WHOLE), "name_suffix"))
    made = whole_name_keys(config)
    folded = distinct.lazy().with_columns(fold(pl.col(_WHOLE)))
    table = encode(folded.select(made[key].alias(key) for key in wanted).collect())
    return {key: (table.codes[key].gather(index), table.values[key]) for key in wanted}


def _part_keys(rows: pl.DataFrame, wanted: list[str], config: MatchConfig) -> dict[str, Coded]:
    """The keys of :data:`_PARTS` wanted, per distinct first or last name; where the given
    name or the last name is read from the whole name, per record."""
    firsts, first_index = factorize(rows.select("first_name"))
    lasts, last_index = factorize(rows.select("last_name"))
    parts = {
        "first_name": (first_index, _first_parts(firsts.lazy(), config).collect()),
        "last_name": (last_index, _last_parts(lasts.lazy(), config).collect()),
    }
    unnamed = parts["first_name"][1][_GIVEN].is_null().gather(first_index)
    unnamed |= parts["last_name"][1][_NAMED_LAST].is_null().gather(last_index)
    whole_rows = unnamed.arg_true()
    whole = name_keys(rows[whole_rows], config).select(wanted).collect()
    coded: dict[str, Coded] = {}
    for key in wanted:
        column, part = _PARTS[key]
        index, values = parts[column][0], parts[column][1][part].alias(key)
        if key == "first_name" or whole_rows.is_empty():  # the first name reads no whole name
            coded[key] = encode_units(index, values)
            continue
        start = values.len()
        unit = index.clone().scatter(
            whole_rows, pl.int_range(start, start + whole_rows.len(), eager=True)
        )
        seen, rank = ranks(unit)
        coded[key] = encode_units(rank, pl.concat([values, whole[key]]).gather(seen))
    return coded


def _injective_units(unit: pl.Series, values: pl.Series) -> Coded:
    """:func:`encode_units` of values told apart by their units: the codes number the units
    with a value."""
    kept = values.is_not_null()
    number = pl.select(pl.when(kept).then(kept.cum_sum() - 1)).to_series().cast(pl.UInt32)
    return number.gather(unit), values.filter(kept)


def _derived(
    key: str, inputs: tuple[str, ...], build: Callable[[], pl.Expr], coded: dict[str, Coded]
) -> Coded:
    """Key ``key`` made of ``inputs``: once per value of one input (their codes number them
    in order of first appearance), once per pair of values of two."""
    if len(inputs) == 1:
        codes, values = coded[inputs[0]]
        made = values.to_frame(inputs[0]).select(build().alias(key)).to_series()
        return encode_units(codes, made)
    (left, left_values), (right, right_values) = (coded[name] for name in inputs)
    none = INDEX_MASK  # no code: the input has no value
    pair = left.cast(pl.UInt64).fill_null(none) * 2**GROUP_SHIFT + right.fill_null(none)
    seen, rank = ranks(pair)
    sides = seen.to_frame("pair").select(
        (pl.col("pair") // 2**GROUP_SHIFT).alias("left"),
        (pl.col("pair") & INDEX_MASK).alias("right"),
    )
    sides = sides.select(pl.when(pl.col(side) != none).then(side) for side in sides.columns)
    frame = pl.DataFrame(
        [
            left_values.gather(sides["left"]).alias(inputs[0]),
            right_values.gather(sides["right"]).alias(inputs[1]),
        ]
    )
    made = frame.select(build().alias(key)).to_series()
    return (_injective_units if key in _INJECTIVE else encode_units)(rank, made)


def coded_name_keys(rows: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """The name keys ``names`` of every row of ``rows`` (the name's columns), coded."""
    needed = _needed(names)
    coded = _whole_keys(rows, [key for key in _WHOLE_KEYS if key in needed], config)
    if parts := [key for key in _PARTS if key in needed]:
        coded |= _part_keys(rows, parts, config)
    for stage in DERIVED:
        for key, (inputs, build) in stage.items():
            if key in needed:
                coded[key] = _derived(key, inputs, build, coded)
    codes = pl.DataFrame([coded[key][0].alias(key) for key in names])
    return KeyTable(codes, {key: coded[key][1].alias(key) for key in names})
