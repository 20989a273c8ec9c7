"""The gate's expectation suite: a Great Expectations suite JSON file in the rules folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from crmclean.errors import UserError
from crmclean.model import format_validation_error

ERROR: Final = "error"
WARNING: Final = "warning"


class _Meta(BaseModel):
    model_config = ConfigDict(extra="allow")

    severity: Literal["error", "warning"] = ERROR


class _Expectation(BaseModel):
    """One entry in GX's own format; GX itself checks the type and kwargs later."""

    model_config = ConfigDict(extra="allow")

    type: str
    kwargs: dict[str, Any]
    meta: _Meta = _Meta()


class _Suite(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    expectations: list[_Expectation]


@dataclass(frozen=True)
class Suite:
    """A checked suite file: its name, its expectations as written, and where it came from."""

    name: str
    expectations: list[dict[str, Any]]
    path: Path


def severity_of(meta: dict[str, Any] | None) -> str:
    """``meta.severity`` of an expectation: ``warning`` reports, ``error`` (default) fails."""
    return str((meta or {}).get("severity", ERROR))


def load_suite(path: Path) -> Suite:
    """Read a suite file; any problem is a user error naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("expectation suite not found", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"invalid JSON: {exc.msg}", file=str(path), row=exc.lineno) from None
    try:
        _Suite.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    return Suite(data["name"], data["expectations"], path)


# Expectations over one column whose every row passes or fails on its own value (or, for
# uniqueness, on the other rows' values): holding over some rows, they hold over any of them.
_ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_values_to_be_valid_email",
        "expect_column_values_to_be_valid_br_tax_id",
        "expect_column_values_to_not_be_in_the_future",
    }
)


def row_wise(expectation: dict[str, Any]) -> bool:
    """Whether ``expectation`` (a suite entry) checks each row of one column on its own value
    (or, for uniqueness, on repeated values), with no ``row_condition``: over a subset of the
    rows, the rows it finds unexpected are those of the subset it found before (a value is
    repeated in a subset only if it was in the whole)."""
    kwargs = expectation["kwargs"]
    plain = isinstance(kwargs.get("column"), str) and kwargs.get("row_condition") is None
    return expectation["type"] in _ROW_WISE and plain


def holds_on_fewer_rows(expectation: dict[str, Any]) -> bool:
    """Whether ``expectation`` (a suite entry), holding over a frame, holds over any subset of
    its rows: :func:`row_wise`, and every value must pass (no ``mostly`` below 1, which a
    smaller share of passing values may miss), or it reads only the frame's column names.
    (Dates not in the future stay so as time passes.)"""
    mostly = expectation["kwargs"].get("mostly")
    whole = mostly is None or (isinstance(mostly, int | float) and mostly >= 1)
    return (row_wise(expectation) and whole) or expectation["type"] == _COLUMN_SET


# Table-level expectations that count rows and never read a column.
_ROW_COUNT = frozenset({"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"})
_COLUMN_SET = "expect_table_columns_to_match_set"


def reads_column_names(suite: Suite) -> bool:
    """Whether an expectation of ``suite`` reports the frame's column names (a failed column
    set lists those it found)."""
    return any(item["type"] == _COLUMN_SET for item in suite.expectations)


def checked_columns(suite: Suite) -> set[str] | None:
    """The columns ``suite`` reads, or None when an expectation may look at every column
    (the table's column names as an exact set, their number or order, a row condition, or a
    check that names no column): a gate then hands GX only these columns."""
    found: set[str] = set()
    for item in suite.expectations:
        kind, kwargs = item["type"], item["kwargs"]
        named = _named_columns(kwargs)
        if kind in _ROW_COUNT:
            continue
        if named is None or not named or kwargs.get("row_condition") is not None:
            return None
        if kind == _COLUMN_SET and kwargs.get("exact_match", True) is not False:
            return None
        if kind.startswith("expect_table_") and kind != _COLUMN_SET:
            return None
        found |= named
    return found


def _named_columns(kwargs: dict[str, Any]) -> set[str] | None:
    """The columns an expectation's arguments name (``column``, ``column_list``, ``column_A``,
    ``column_set``...); None when one is not a plain name (a suite parameter, say)."""
    named: set[str] = set()
    for key, value in kwargs.items():
        if not key.startswith("column"):
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None
        named.update(values)
    return named
