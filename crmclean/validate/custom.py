"""crmclean's own expectations, for what GX's built-ins cannot say (pandas backend: the gate
validates an in-memory frame).

Importing this module imports Great Expectations and registers the expectations; only
:mod:`crmclean.validate.gx_runner` imports it, when a gate runs. Each check runs once per
distinct value, behind a vectorized fast path where there is one.

- ``expect_column_values_to_be_valid_br_tax_id``: a CPF or CNPJ with valid check digits, as
  the normalizer writes it.
- ``expect_column_values_to_be_valid_email``: an address the normalizer keeps unchanged.
- ``expect_column_values_to_not_be_in_the_future``: ISO 8601 dates/times not after now (UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import polars as pl
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from crmclean.normalize.emails import address, is_plain
from crmclean.normalize.ids import check

SCHEMA = {"v": pl.String(), "ok": pl.Boolean()}


def _per_distinct(
    column: pd.Series, valid: Callable[[str], bool], fast: pl.Expr | None = None
) -> pd.Series:
    """``valid`` once per distinct value; values the vectorized ``fast`` check (over column
    ``v``) accepts skip it."""
    values = pl.from_pandas(column).cast(pl.String).to_frame("v")
    distinct = values.drop_nulls().unique()
    accepted = pl.lit(False) if fast is None else fast
    distinct = distinct.with_columns(accepted.alias("ok"))
    slow = distinct.filter(~pl.col("ok"))["v"]
    checked = pl.DataFrame({"v": slow, "ok": [valid(value) for value in slow]}, schema=SCHEMA)
    verdicts = pl.concat([distinct.filter("ok"), checked])
    joined = values.join(verdicts, on="v", how="left", maintain_order="left")
    return pd.Series(joined["ok"].fill_null(True).to_numpy(), index=column.index)


def _valid_tax_id(value: str) -> bool:
    stored, rule = check(value)
    return stored == value and rule is None


def _valid_email(value: str) -> bool:
    return address(value).value == value


class ColumnValuesValidBrTaxId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.crmclean_valid_br_tax_id"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **_kwargs: Any) -> pd.Series:
        return _per_distinct(column, _valid_tax_id)


class ExpectColumnValuesToBeValidBrTaxId(ColumnMapExpectation):
    """Values are CPFs or CNPJs with valid check digits, formatted as the normalizer does."""

    map_metric = "column_values.crmclean_valid_br_tax_id"


class ColumnValuesValidEmail(ColumnMapMetricProvider):
    condition_metric_name = "column_values.crmclean_valid_email"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **_kwargs: Any) -> pd.Series:
        return _per_distinct(column, _valid_email, is_plain(pl.col("v")))


class ExpectColumnValuesToBeValidEmail(ColumnMapExpectation):
    """Values are e-mail addresses the normalizer accepts as they are."""

    map_metric = "column_values.crmclean_valid_email"


class ColumnValuesNotInTheFuture(ColumnMapMetricProvider):
    condition_metric_name = "column_values.crmclean_not_in_the_future"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **_kwargs: Any) -> pd.Series:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return _per_distinct(column, lambda _value: False, pl.col("v") <= now)


class ExpectColumnValuesToNotBeInTheFuture(ColumnMapExpectation):
    """ISO 8601 dates and times are not later than now (UTC)."""

    map_metric = "column_values.crmclean_not_in_the_future"
