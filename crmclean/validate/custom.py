"""crmclean's own expectations, for what GX's built-ins cannot say, on both backends the gate
runs on: pandas (an in-memory frame) and SQLAlchemy (a staging table inside PostgreSQL).

Importing this module imports Great Expectations and registers the expectations; only
:mod:`crmclean.validate.gx_runner` imports it, when a gate runs. Each check runs once per
distinct value, behind a vectorized fast path where there is one: polars expressions in
memory, SQL conditions in the database. Values the fast path cannot accept go through the
normalizer's own Python check; in the database the distinct ones are fetched, checked in
Python, and the condition becomes "not one of the invalid values".

- ``expect_column_values_to_be_valid_br_tax_id``: a CPF or CNPJ with valid check digits, as
  the normalizer writes it.
- ``expect_column_values_to_be_valid_email``: an address the normalizer keeps unchanged.
- ``expect_column_values_to_not_be_in_the_future``: ISO 8601 dates/times not after now (UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import polars as pl
import sqlalchemy as sa
from great_expectations.execution_engine import PandasExecutionEngine, SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from crmclean.normalize.emails.columns import MAX_LENGTH, PLAIN, SPECIAL, address, is_plain
from crmclean.normalize.ids.tax_ids import check

SCHEMA = {"v": pl.String(), "ok": pl.Boolean()}
Column = sa.ColumnElement[Any]
# Per column, the values the normalizer itself wrote in this run: its verdict, which the gate
# does not repeat value by value (set by crmclean.validate around one suite run).
ACCEPTED: ContextVar[dict[str, pl.Series] | None] = ContextVar("crmclean_accepted", default=None)


def _per_distinct(
    column: pd.Series, valid: Callable[[str], bool], fast: pl.Expr | None = None
) -> pd.Series:
    """``valid`` once per distinct value; values the vectorized ``fast`` check (over column
    ``v``) accepts, or that the normalizer wrote in this run (:data:`ACCEPTED`), skip it."""
    values = pl.Series(column).cast(pl.String).to_frame("v")
    distinct = values.drop_nulls().unique()
    accepted = pl.lit(False) if fast is None else fast
    written = (ACCEPTED.get() or {}).get(str(column.name))
    if written is not None:
        accepted = accepted | pl.col("v").is_in(written.implode())
    distinct = distinct.with_columns(accepted.alias("ok"))
    slow = distinct.filter(~pl.col("ok"))["v"]
    checked = pl.DataFrame({"v": slow, "ok": [valid(value) for value in slow]}, schema=SCHEMA)
    verdicts = pl.concat([distinct.filter("ok"), checked])
    joined = values.join(verdicts, on="v", how="left", maintain_order="left")
    return pd.Series(joined["ok"].fill_null(True).to_numpy(), index=column.index)


def _sql_per_distinct(
    column: Column,
    table: sa.FromClause,
    engine: SqlAlchemyExecutionEngine,
    valid: Callable[[str], bool],
    fast: sa.ColumnElement[bool] | None = None,
) -> sa.ColumnElement[bool]:
    """The database's counterpart of :func:`_per_distinct`: the distinct values the SQL ``fast``
    condition does not accept are fetched and checked once each; the condition accepts every
    value but the invalid ones (nulls are left to GX, which lets them pass)."""
    query = sa.select(column).distinct().select_from(table).where(column.is_not(None))
    if fast is not None:
        query = query.where(sa.not_(fast))
    invalid = [value for value in engine.execute_query(query).scalars() if not valid(value)]
    if not invalid:
        return sa.true()
    # Inlined at execution: no limit on the number of bound parameters.
    return column.not_in(sa.bindparam(None, invalid, expanding=True, literal_execute=True))


def _bytewise(column: Column, engine: SqlAlchemyExecutionEngine) -> Column:
    """``column`` compared byte by byte (PostgreSQL's default collation may ignore punctuation,
    and its regex ranges may follow the locale)."""
    return column.collate("C") if engine.engine.dialect.name == "postgresql" else column


def _plain_sql(column: Column) -> sa.ColumnElement[bool]:
    """:func:`crmclean.normalize.emails.columns.is_plain` in PostgreSQL (the same regular
    expressions)."""
    return sa.and_(
        column.regexp_match(PLAIN),
        sa.not_(column.regexp_match(SPECIAL)),
        sa.not_(column.contains("--", autoescape=True)),
        sa.func.octet_length(column) <= MAX_LENGTH,
    )


def _valid_tax_id(value: str) -> bool:
    stored, rule = check(value)
    return stored == value and rule is None


def _valid_email(value: str) -> bool:
    return address(value).value == value


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class ColumnValuesValidBrTaxId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.crmclean_valid_br_tax_id"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **_kwargs: Any) -> pd.Series:
        return _per_distinct(column, _valid_tax_id)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        column: Column,
        _table: sa.FromClause,
        _execution_engine: SqlAlchemyExecutionEngine,
        **_kwargs: Any,
    ) -> sa.ColumnElement[bool]:
        return _sql_per_distinct(column, _table, _execution_engine, _valid_tax_id)


class ExpectColumnValuesToBeValidBrTaxId(ColumnMapExpectation):
    """Values are CPFs or CNPJs with valid check digits, formatted as the normalizer does."""

    map_metric = "column_values.crmclean_valid_br_tax_id"


class ColumnValuesValidEmail(ColumnMapMetricProvider):
    condition_metric_name = "column_values.crmclean_valid_email"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **_kwargs: Any) -> pd.Series:
        return _per_distinct(column, _valid_email, is_plain(pl.col("v")))

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        column: Column,
        _table: sa.FromClause,
        _execution_engine: SqlAlchemyExecutionEngine,
        **_kwargs: Any,
    ) -> sa.ColumnElement[bool]:
        fast = None
        if _execution_engine.engine.dialect.name == "postgresql":
            fast = _plain_sql(_bytewise(column, _execution_engine))
        return _sql_per_distinct(column, _table, _execution_engine, _valid_email, fast)


class ExpectColumnValuesToBeValidEmail(ColumnMapExpectation):
    """Values are e-mail addresses the normalizer accepts as they are."""

    map_metric = "column_values.crmclean_valid_email"


class ColumnValuesNotInTheFuture(ColumnMapMetricProvider):
    condition_metric_name = "column_values.crmclean_not_in_the_future"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **_kwargs: Any) -> pd.Series:
        now = _now()
        return _per_distinct(column, lambda _value: False, pl.col("v") <= now)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls, column: Column, _execution_engine: SqlAlchemyExecutionEngine, **_kwargs: Any
    ) -> sa.ColumnElement[bool]:
        return _bytewise(column, _execution_engine) <= _now()


class ExpectColumnValuesToNotBeInTheFuture(ColumnMapExpectation):
    """ISO 8601 dates and times are not later than now (UTC)."""

    map_metric = "column_values.crmclean_not_in_the_future"
