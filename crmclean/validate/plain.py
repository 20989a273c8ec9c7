"""Expectations in plain words: what each one asks of the golden records, and the fix."""

from __future__ import annotations

from typing import Any

_OVERRIDE = "or give the right value in the overrides file (source,source_id,field,value)"
_RULES: dict[str, tuple[str, str]] = {
    "expect_table_row_count_to_be_between": (
        "The load holds at least {min_value} golden records",
        "Check that the sources were read and their columns mapped",
    ),
    "expect_table_columns_to_match_set": (
        "Golden records have the columns {column_set}",
        "Map a source column to each missing field (crmclean map suggest)",
    ),
    "expect_column_values_to_not_be_null": (
        "{share}golden records have a value in {column}",
        "Fill {column} in the source, " + _OVERRIDE,
    ),
    "expect_column_values_to_be_unique": (
        "No two golden records share the same {column}",
        "Merge the duplicates (must-link in the decisions file) or correct one of the values",
    ),
    "expect_column_values_to_be_between": (
        "Every {column} is at least {min_value}",
        "Correct {column} in the source, " + _OVERRIDE,
    ),
    "expect_column_values_to_match_regex": (
        "Every {column} matches the pattern {regex}",
        "Correct {column} in the source, " + _OVERRIDE,
    ),
    "expect_column_values_to_be_valid_email": (
        "Every {column} is an e-mail address that can receive mail",
        "Correct the address in the source, " + _OVERRIDE,
    ),
    "expect_column_values_to_be_in_set": (
        "Every {column} is one of {value_count} allowed values ({value_sample})",
        "Use one of the allowed values in the source, " + _OVERRIDE,
    ),
    "expect_column_values_to_be_valid_br_tax_id": (
        "{share}{column} values are CPF or CNPJ numbers with valid check digits",
        "Correct the number in the source, " + _OVERRIDE,
    ),
    "expect_column_values_to_not_be_in_the_future": (
        "No {column} is a date in the future",
        "Correct the date in the source, " + _OVERRIDE,
    ),
}


def _words(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Template values: kwargs plus a share (``mostly``) and a sample of a value set."""
    values = [str(v) for v in kwargs.get("value_set") or []]
    mostly = kwargs.get("mostly")
    return {
        "min_value": kwargs.get("min_value"),
        **kwargs,
        "column_set": ", ".join(kwargs.get("column_set") or []),
        "share": f"At least {mostly:.0%} of " if mostly else "All ",
        "value_count": len(values),
        "value_sample": ", ".join(values[:5]) + (", ..." if len(values) > 5 else ""),
    }


def describe(expectation: dict[str, Any]) -> tuple[str, str]:
    """What ``expectation`` (a suite entry: ``type``, ``kwargs``) asks, and the fix when it
    fails; unknown types keep their name."""
    kind, kwargs = expectation["type"], expectation.get("kwargs") or {}
    rule, fix = _RULES.get(kind, (kind.replace("_", " "), "Correct the values it names"))
    words = _words(kwargs)
    notes = (expectation.get("meta") or {}).get("notes")
    text = rule.format_map(words) + (f" ({notes})" if notes else "")
    return text, fix.format_map(words)
