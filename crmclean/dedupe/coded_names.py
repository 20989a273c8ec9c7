"""The name keys coded once per distinct first name, last name or pair of keys.

Whole names are nearly all distinct (700k of 1M records on the neutral file), their first and
last names are not (20k each): ``first_name``, ``last_name``, ``given_names`` and ``surnames``
are built once per distinct first or last name (the records whose keys read the whole name,
without a first or last name, are built as :func:`~crmclean.dedupe.name_keys.name_keys`
builds them), and every key made of those (:data:`~crmclean.dedupe.name_keys.DERIVED`) once
per distinct value or pair of values of its inputs, from their codes; ``generation`` from the
first and last names' parts where the whole name is the two joined (:func:`_generation`),
``name`` once per distinct whole name. The codes and values are those
:func:`~crmclean.dedupe.coded_keys.encode` gives of :func:`name_keys`.
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
    encode_text,
    encode_units,
    factorize,
    ranks,
)
from crmclean.dedupe.name_keys import (
    _FAMILY,
    _FIRST,
    _FIRST_KEY,
    _GIVEN,
    _LAST,
    _NAMED_LAST,
    _WHOLE,
    DERIVED,
    _first_parts,
    _last_parts,
    fold,
    keys_of,
    suffix_generation,
    whole_name_keys,
    whole_text,
    with_typo_nicknames,
)
from crmclean.dedupe.name_pairs import LEFT, RIGHT, name_pairs
from crmclean.dedupe.suffix_typos import word_markers
from crmclean.dedupe.typo_keys import readings

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

Coded = tuple[pl.Series, pl.Series]  # a key's code per record and its values
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
_TOKEN_INPUTS = ("given_names", "surnames")  # name_tokens' inputs, which name_pairs reads


def _needed(names: list[str]) -> set[str]:
    """``names`` and every key they are made of."""
    needed = set(names) | ({"last_name"} if "last_name_read" in names else set())
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


Parts = dict[str, tuple[pl.Series, pl.DataFrame]]  # per name: each row's number, the parts


def _parts(rows: pl.DataFrame, config: MatchConfig) -> Parts:
    """The parts of each distinct first name and last name, and each row's number of its."""
    firsts, first_index = factorize(rows.select("first_name"))
    lasts, last_index = factorize(rows.select("last_name"))
    return {
        "first_name": (first_index, _first_parts(firsts.lazy(), config).collect()),
        "last_name": (last_index, _last_parts(lasts.lazy(), config).collect()),
    }


def _part_keys(
    rows: pl.DataFrame, wanted: list[str], config: MatchConfig, parts: Parts
) -> dict[str, Coded]:
    """The keys of :data:`_PARTS` wanted, per distinct first or last name; where the given
    name or the last name is read from the whole name, per record."""
    (first_index, first), (last_index, last) = parts["first_name"], parts["last_name"]
    unnamed = first[_GIVEN].is_null().gather(first_index)
    unnamed |= last[_NAMED_LAST].is_null().gather(last_index)
    whole_rows = unnamed.arg_true()
    whole = keys_of(rows[whole_rows], config).select(wanted).collect()
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


def _marker_numbers(markers: pl.Series, names: pl.Series) -> pl.Series:
    """The number of each generation marker among ``names`` (null for none)."""
    numbers = pl.int_range(names.len(), eager=True, dtype=pl.UInt32)
    return markers.replace_strict(names, numbers, default=None, return_dtype=pl.UInt32)


def _generation(rows: pl.DataFrame, config: MatchConfig, parts: Parts) -> Coded:
    """``generation`` of the names whose whole name is the first name and the last name (its
    folded form is then theirs joined): the last suffix of the name suffix, of the last name
    or of the first name, else a mistyped one ending the last name of a name of three words
    or more; of the other names, per distinct whole name (:func:`_whole_keys`). The markers
    are numbered per distinct first name, last name and suffix, and only the numbers laid out
    per record (:func:`encode_text` of the markers' text: the same codes and values)."""
    (first_index, first), (last_index, last) = parts["first_name"], parts["last_name"]
    suffixes, suffix_index = factorize(rows.select("name_suffix"))
    first_marker = suffix_generation(pl.col(_FIRST), config)
    last_marker = suffix_generation(pl.col(_LAST), config)
    last_typo = word_markers(last[_LAST].str.extract(r"(\S+)$"), config.name_suffixes)
    suffix_marker = suffixes.select(suffix_generation(fold(pl.col("name_suffix")), config))
    first = first.select(
        first_marker.alias("_first_marker"),
        (pl.col(_FIRST).str.count_matches(" ") + 1).alias("_first_words"),
    )
    last = last.select(
        last_marker.alias("_last_marker"),
        (pl.col(_LAST).str.count_matches(" ") + 1).alias("_last_words"),
        last_typo.alias("_last_typo"),
    )
    apart_rows = ~_joined(rows, first, first_index, last, last_index)
    apart = apart_rows.arg_true()
    whole = _whole_keys(rows[apart], ["generation"], config)["generation"] if apart.len() else None
    found = [first["_first_marker"], last["_last_marker"], last["_last_typo"]]
    found += [suffix_marker.to_series(), *([whole[1]] if whole else [])]
    names = pl.concat([pl.Series([""]), *found]).drop_nulls().unique(maintain_order=True)
    frame = pl.DataFrame(
        [
            _marker_numbers(suffix_marker.to_series(), names).gather(suffix_index).alias("s"),
            _marker_numbers(last["_last_marker"], names).gather(last_index).alias("l"),
            _marker_numbers(first["_first_marker"], names).gather(first_index).alias("f"),
            _marker_numbers(last["_last_typo"], names).gather(last_index).alias("t"),
            first["_first_words"].gather(first_index),
            last["_last_words"].gather(last_index),
        ]
    )
    typo = pl.when(pl.col("_first_words") + pl.col("_last_words") >= 3).then("t")
    marker = pl.coalesce("s", "l", "f", typo).fill_null(0)  # 0: names[0], ""
    number = frame.select(marker.alias("generation")).to_series()
    if whole:
        number = number.scatter(apart, _marker_numbers(whole[1], names).gather(whole[0]))
    codes, seen = encode_text(number)
    return codes, names.gather(seen).alias("generation")


def _joined(
    rows: pl.DataFrame,
    first: pl.DataFrame,
    first_index: pl.Series,
    last: pl.DataFrame,
    last_index: pl.Series,
) -> pl.Series:
    """Whether each row's whole name is its first name and last name joined (both with words)."""
    given = pl.col("full_name") == pl.concat_str("first_name", "last_name", separator=" ")
    parted = pl.col("full_name").is_null() & pl.col("middle_name").is_null()
    worded = first["_first_words"].is_not_null().gather(first_index)
    worded &= last["_last_words"].is_not_null().gather(last_index)
    joined = rows.select((given.fill_null(False) | parted).alias("joined")).to_series()
    return joined & worded


def _injective_units(unit: pl.Series, values: pl.Series) -> Coded:
    """:func:`encode_units` of values told apart by their units: the codes number the units
    with a value."""
    kept = values.is_not_null()
    number = pl.select(pl.when(kept).then(kept.cum_sum() - 1)).to_series().cast(pl.UInt32)
    return number.gather(unit), values.filter(kept)


Pairs = dict[tuple[str, ...], tuple[pl.Series, pl.DataFrame]]  # inputs: rank, their values


def _paired(inputs: tuple[str, ...], coded: dict[str, Coded], paired: Pairs) -> Pairs:
    """``paired`` with each row's number of its pair of values of the two ``inputs`` (in
    order of first appearance) and those pairs' values, found once per pair of inputs
    (``name_tokens`` and ``name_parts`` both read the given names and the surnames)."""
    if inputs in paired:
        return paired
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
            sides["left"].alias(LEFT),
            sides["right"].alias(RIGHT),
        ]
    )
    return paired | {inputs: (rank, frame)}


def _derived(
    key: str,
    inputs: tuple[str, ...],
    build: Callable[[], pl.Expr],
    coded: dict[str, Coded],
    paired: Pairs,
) -> Coded:
    """Key ``key`` made of ``inputs``: once per value of one input (their codes number them
    in order of first appearance), once per pair of values of two (:func:`_paired`, which
    ``paired`` holds)."""
    if key == "name_pairs":  # made of name_tokens' inputs, as integers (see name_pairs.py)
        rank, units = paired[_TOKEN_INPUTS]
        return name_pairs(rank, units, coded["given_names"][1], coded["surnames"][1])
    if len(inputs) == 1:
        codes, values = coded[inputs[0]]
        made = values.to_frame(inputs[0]).select(build().alias(key)).to_series()
        return encode_units(codes, made)
    rank, frame = paired[inputs]
    made = frame.select(build().alias(key)).to_series()
    return (_injective_units if key in _INJECTIVE else encode_units)(rank, made)


def _read_last_names(last_name: Coded) -> Coded:
    """``last_name_read``: the last names' values, a rare one one typo from a common one read
    as that one (counted over the records, by their codes)."""
    codes, values = last_name
    held = codes.drop_nulls().value_counts(name="n")
    counted = held.select(values.gather(held[codes.name]).alias("word"), "n")
    read = readings(counted)
    return encode_units(codes, values.replace(list(read), list(read.values())) if read else values)


def coded_name_keys(rows: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """The name keys ``names`` of every row of ``rows`` (the name's columns), coded."""
    config = with_typo_nicknames(rows, config)
    needed = _needed(names)
    coded = _whole_keys(rows, ["name"] if "name" in needed else [], config)
    wanted = [key for key in _PARTS if key in needed]
    if wanted or "generation" in needed:
        parts = _parts(rows, config)
        coded |= _part_keys(rows, wanted, config, parts) if wanted else {}
        if "generation" in needed:
            coded["generation"] = _generation(rows, config, parts)
    paired: Pairs = {}
    for stage in DERIVED:
        for key, (inputs, build) in stage.items():
            if key in needed:
                paired = _paired(inputs, coded, paired) if len(inputs) == 2 else paired
                coded[key] = _derived(key, inputs, build, coded, paired)
    if "last_name_read" in needed:
        coded["last_name_read"] = _read_last_names(coded["last_name"])
    codes = pl.DataFrame([coded[key][0].alias(key) for key in names])
    return KeyTable(codes, {key: coded[key][1].alias(key) for key in names})
