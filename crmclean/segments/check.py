"""Prove a segment file exclusive and exhaustive, and name the segments no record can reach.

Every test is a threshold or a set of values, so each tested field splits into a few regions
inside which every test gives the same answer. One representative value per region (each
threshold, the days either side of a date bound, the midpoints between number thresholds, each
listed value, one unlisted value, and null), crossed over the tested fields, stands for every
possible record: a segment that no representative reaches is reached by no record at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import polars as pl

from crmclean.errors import UserError
from crmclean.segments.assign import assign_expr, sizes
from crmclean.segments.conditions import date_bounds, segment_expr
from crmclean.segments.spec import Axis, Condition, SegmentFile, field_axes

MAX_CASES = 2_000_000
OTHER = "\x00other"  # a value no condition lists


@dataclass(frozen=True)
class CheckResult:
    """What the check proved: cases tried, segments reached, unreachable ones, overlaps
    (pairs of segments whose conditions both hold somewhere; the earlier one wins there)."""

    cases: int
    reached: dict[str, int]
    unreachable: list[str]
    overlaps: list[tuple[str, str]] = field(default_factory=list)
    exhaustive: bool = True
    exclusive: bool = True

    @property
    def ok(self) -> bool:
        return self.exhaustive and self.exclusive and not self.unreachable

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "exclusive": self.exclusive,
            "exhaustive": self.exhaustive,
            "unreachable": self.unreachable,
            "overlaps": [list(pair) for pair in self.overlaps],
            "reached": self.reached,
        }


def _numbers(conditions: list[Condition]) -> list[float | None]:
    points = sorted({p for c in conditions for p in (c.min, c.max) if p is not None})
    if not points:
        return [0.0, None]
    middles = [(a + b) / 2 for a, b in pairwise(points)]
    return [points[0] - 1, *points, *middles, points[-1] + 1, None]


def _dates(conditions: list[Condition], as_of: date) -> list[str | None]:
    one = timedelta(days=1)
    days = {as_of}
    for condition in conditions:
        low, high = date_bounds(condition, as_of)
        days.update(d for d in (low, low - one if low else None) if d is not None)
        days.update(d for d in (high, high + one if high else None) if d is not None)
    return [*(d.isoformat() for d in sorted(days)), None]


def _texts(conditions: list[Condition]) -> list[str | None]:
    listed = {v for c in conditions for v in (*(c.in_ or []), *(c.not_in or []))}
    return [*sorted(listed), OTHER, None]


def representatives(axis: Axis, conditions: list[Condition], as_of: date) -> pl.Series:
    """One value per region of a field's tests, null included."""
    if axis == "number":
        return pl.Series(_numbers(conditions), dtype=pl.Float64)
    if axis == "date":
        return pl.Series(_dates(conditions, as_of), dtype=pl.String)
    if axis == "text":
        return pl.Series(_texts(conditions), dtype=pl.String)
    return pl.Series(["x", None], dtype=pl.String)


def cases(spec: SegmentFile, as_of: date) -> pl.DataFrame:
    """Every combination of the tested fields' representatives."""
    by_field: dict[str, list[Condition]] = {}
    for segment in spec.segments:
        for condition in segment.conditions():
            by_field.setdefault(condition.field, []).append(condition)
    frame = pl.DataFrame({"_case": [0]})
    total = 1
    for name, axis in field_axes(spec).items():
        values = representatives(axis, by_field[name], as_of).unique(maintain_order=True)
        total *= values.len()
        if total > MAX_CASES:
            raise UserError(f"too many combinations to check (over {MAX_CASES:,}): split the file")
        frame = frame.join(values.alias(name).to_frame(), how="cross")
    return frame.drop("_case")


def _effective(hits: pl.DataFrame, names: list[str]) -> pl.Series:
    """Per case, how many segments take it: met, and no earlier segment met."""
    earlier = [pl.any_horizontal([pl.col(n) for n in names[:i]]) for i in range(1, len(names))]
    taken = [pl.col(names[0]), *(pl.col(n) & ~e for n, e in zip(names[1:], earlier, strict=True))]
    return hits.select(pl.sum_horizontal(taken).alias("taken")).to_series()


def check_segments(spec: SegmentFile, as_of: date | None = None) -> CheckResult:
    """Try every case; report reached and unreachable segments and overlapping pairs."""
    as_of = as_of or date.today()
    frame = cases(spec, as_of)
    hits = frame.select(
        assign_expr(spec, as_of).alias("_segment"),
        *(segment_expr(s, as_of).alias(s.name) for s in spec.segments),
    )
    reached = sizes(hits["_segment"], spec)
    unreachable = [name for name, count in reached.items() if count == 0]
    names = spec.names
    overlap = [
        (a, b)
        for i, a in enumerate(names[:-1])
        for b in names[i + 1 : -1]
        if hits.select((pl.col(a) & pl.col(b)).any()).item()
    ]
    taken = _effective(hits, names)
    exhaustive = bool((taken >= 1).all()) and hits["_segment"].null_count() == 0
    exclusive = bool((taken <= 1).all())
    return CheckResult(frame.height, reached, unreachable, overlap, exhaustive, exclusive)
