"""Segment conditions as polars expressions; a null value fails every test but ``present``."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from crmclean.segments.spec import Condition, Segment


def years_before(day: date, years: int) -> date:
    """``day`` moved back ``years`` years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def as_date(field: str) -> pl.Expr:
    """An ISO date or timestamp text column as a date (null when it is not one)."""
    return pl.col(field).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def date_bounds(condition: Condition, as_of: date) -> tuple[date | None, date | None]:
    """The earliest and latest date (inclusive) a date condition accepts, on ``as_of``."""
    lows, highs = [], []
    if condition.older_than_days is not None:
        highs.append(as_of - timedelta(days=condition.older_than_days + 1))
    if condition.within_days is not None:
        lows.append(as_of - timedelta(days=condition.within_days))
    if condition.before is not None:
        highs.append(condition.before - timedelta(days=1))
    if condition.since is not None:
        lows.append(condition.since)
    if condition.age_min is not None:
        highs.append(years_before(as_of, condition.age_min))
    if condition.age_max is not None:
        lows.append(years_before(as_of, condition.age_max + 1) + timedelta(days=1))
    return max(lows, default=None), min(highs, default=None)


def _tests(condition: Condition, as_of: date) -> list[pl.Expr]:
    value, tests = pl.col(condition.field), []
    if condition.present is not None:
        tests.append(value.is_not_null() if condition.present else value.is_null())
    if condition.in_ is not None:
        tests.append(value.cast(pl.String).is_in(condition.in_))
    if condition.not_in is not None:
        tests.append(~value.cast(pl.String).is_in(condition.not_in) & value.is_not_null())
    number = value.cast(pl.Float64, strict=False)
    if condition.min is not None:
        tests.append(number >= condition.min)
    if condition.max is not None:
        tests.append(number <= condition.max)
    if condition.axis == "date":
        tests.extend(_date_tests(condition, as_of))
    return tests


def _date_tests(condition: Condition, as_of: date) -> list[pl.Expr]:
    low, high = date_bounds(condition, as_of)
    day = as_date(condition.field)
    tests = [day.is_not_null()]
    if low is not None:
        tests.append(day >= low)
    if high is not None:
        tests.append(day <= high)
    return tests


def condition_expr(condition: Condition, as_of: date) -> pl.Expr:
    """Whether a row passes ``condition`` (null counts as false)."""
    return pl.all_horizontal(_tests(condition, as_of)).fill_null(False)


def segment_expr(segment: Segment, as_of: date) -> pl.Expr:
    """Whether a row meets ``segment``'s conditions (ignoring the segments before it)."""
    if segment.catch_all:
        return pl.lit(True)
    parts = [condition_expr(c, as_of) for c in segment.when]
    if segment.any:
        groups = [pl.all_horizontal([condition_expr(c, as_of) for c in g]) for g in segment.any]
        parts.append(pl.any_horizontal(groups))
    return pl.all_horizontal(parts)
