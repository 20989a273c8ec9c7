"""What the pair view shows of one pair: both records aligned by field with their character
differences, and each comparison's contribution in bits (the ``explain`` weights), with the
part the term-frequency adjustment added or took away.

A ``tf`` comparison agreeing at its first level weighs ``log2(m / u_value)`` instead of
``log2(m / u)``: the adjustment is ``log2(u / u_value)``, positive for a value rarer than the
field's typical agreement (a rare surname), negative for a common one (``silva``, a
switchboard); with ``tf_levels`` its lower levels move alike (capped, see
:func:`~crmclean.dedupe.score.near_weight`).
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import ComparisonSpec, MatchConfig
from crmclean.dedupe.params import Parameters, level_index
from crmclean.dedupe.score import compared_pairs, near_weights

Segment = tuple[str, bool]  # text, whether it differs from the other side


def char_diff(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    """Both values cut into runs of equal and differing characters."""
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            left.append((a[i1:i2], not same))
        if j2 > j1:
            right.append((b[j1:j2], not same))
    return left, right


def aligned_fields(records: pl.DataFrame, fields: list[str]) -> list[dict[str, Any]]:
    """One row per field either record fills (``records``: the pair's two rows): both values
    and their differences."""
    text = records.select(pl.col(field).cast(pl.String) for field in fields)
    rows = []
    for field in fields:
        a, b = text[field].to_list()
        if a is None and b is None:
            continue
        diff_a, diff_b = char_diff(a or "", b or "")
        rows.append({"field": field, "a": a, "b": b, "diff_a": diff_a, "diff_b": diff_b})
    return rows


def tf_bits(
    band: pl.DataFrame, table: KeyTable, config: MatchConfig, params: Parameters
) -> pl.DataFrame:
    """``left, right`` and ``tf_<name>`` per ``tf`` comparison for the ``band`` pairs: the
    bits the term-frequency adjustment added (null unless the pair agrees at the first
    level), computed for the whole band at once."""
    ids = band.select(pl.col(LEFT).cast(pl.UInt32), pl.col(RIGHT).cast(pl.UInt32))
    values = compared_pairs(ids, table, config, params)
    shifts = [
        _shift(spec, params).alias(f"tf_{spec.name}")
        for spec in config.comparisons
        if f"_tf_{spec.name}" in values.columns
    ]
    return values.select(LEFT, RIGHT, *shifts)


def _shift(spec: ComparisonSpec, params: Parameters) -> pl.Expr:
    """The bits the term frequency moved the level reached by (null when it moved none: below
    the first level, unless ``tf_levels``)."""
    m, u = params.m_of(spec), params.u[spec.name]
    sim, tf = pl.col(f"sim_{spec.name}"), pl.col(f"_tf_{spec.name}")
    chain: Then | ChainedThen = pl.when(sim >= spec.levels[0].at).then(
        (u[0] / tf.clip(1e-12)).log(2)
    )
    for index, weight in near_weights(spec, m, u, tf).items():
        own = math.log2(m[index] / u[index])
        chain = chain.when(level_index(sim, spec) == index).then(weight - own)
    return chain


def contributions(pair: dict[str, Any], config: MatchConfig) -> list[dict[str, Any]]:
    """Each comparison's similarity, weight in bits and term-frequency adjustment (bits);
    ``pair`` is a scored pair with its ``tf_<name>`` (:func:`tf_bits`)."""
    return [
        {
            "name": spec.name,
            "sim": pair.get(f"sim_{spec.name}"),
            "bits": pair.get(f"w_{spec.name}") or 0.0,
            "tf_bits": pair.get(f"tf_{spec.name}"),
        }
        for spec in config.comparisons
    ]
