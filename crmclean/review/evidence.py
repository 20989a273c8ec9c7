"""What the pair view shows of one pair: both records aligned by field with their character
differences, and each comparison's contribution in bits (the ``explain`` weights), with the
part the term-frequency adjustment added or took away.

A ``tf`` comparison agreeing at its first level weighs ``log2(m / u_value)`` instead of
``log2(m / u)``: the adjustment is ``log2(u / u_value)``, positive for a value rarer than the
field's typical agreement (a rare surname), negative for a common one (``silva``, a
switchboard).
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import polars as pl

from crmclean.dedupe.codes import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.params import Parameters
from crmclean.dedupe.score import compared_pairs

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


def contributions(
    pair: dict[str, Any], table: KeyTable, config: MatchConfig, params: Parameters
) -> list[dict[str, Any]]:
    """Each comparison's similarity, weight in bits and term-frequency adjustment (bits)."""
    ids = pl.DataFrame({LEFT: [pair[LEFT]], RIGHT: [pair[RIGHT]]}, schema=_IDS)
    tf = compared_pairs(ids, table, config, params).row(0, named=True)
    rows = []
    for spec in config.comparisons:
        sim, weight = pair.get(f"sim_{spec.name}"), pair.get(f"w_{spec.name}") or 0.0
        value_u = tf.get(f"_tf_{spec.name}")
        adjust = None
        if value_u is not None and sim is not None and sim >= spec.levels[0].at:
            adjust = math.log2(params.u[spec.name][0] / max(value_u, 1e-12))
        rows.append({"name": spec.name, "sim": sim, "bits": weight, "tf_bits": adjust})
    return rows


_IDS = {LEFT: pl.UInt32, RIGHT: pl.UInt32}
