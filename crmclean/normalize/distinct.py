"""Run a Python function once per distinct value and join the results back to every row.

CRM columns repeat a lot (the same company, first name, switchboard phone or junk value), so
normalizers that need a library call work on ``unique()`` values only. A vectorized fast path
answers the common shape (an already-clean e-mail) without entering Python at all. Results
cross from Python to polars as flat rows (nested lists built in Python are slow to convert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

INDEX = "_index"
_ID = "__distinct_id"
_OUT = "__out_"


@dataclass(frozen=True)
class FastPath:
    """Values where ``when`` holds get the outputs from ``then`` instead of the function.

    Both are expressions over the key columns and the ``prepare`` columns: rounds of helper
    columns computed first, each round able to use the previous ones, so work shared by many
    expressions runs once. ``then`` must give exactly what the function would (for
    :func:`explode_distinct`: its single result row). Outputs it omits are null.
    """

    when: pl.Expr
    then: Mapping[str, pl.Expr]
    prepare: Sequence[Mapping[str, pl.Expr]] = ()

    def prepared(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the ``prepare`` columns, round after round (lazily: shared
        subexpressions are computed once)."""
        lazy = frame.lazy()
        for columns in self.prepare:
            lazy = lazy.with_columns(**columns)
        return lazy.collect()


def map_distinct(
    frame: pl.DataFrame,
    keys: Sequence[str],
    func: Callable[..., tuple[Any, ...]],
    schema: Mapping[str, pl.DataType],
    fast: FastPath | None = None,
) -> pl.DataFrame:
    """The ``schema`` columns for every row of ``frame``, in row order.

    ``func(*key_values)`` returns one tuple in ``schema`` order; it is called once per distinct
    combination of non-null ``keys``. Rows with a null key get nulls.
    """
    long = explode_distinct(frame, keys, lambda *values: [func(*values)], schema, fast)
    rows = row_numbers(frame.height).join(long, on=INDEX, how="left", maintain_order="left")
    return rows.select(list(schema))


def explode_distinct(
    frame: pl.DataFrame,
    keys: Sequence[str],
    func: Callable[..., Iterable[tuple[Any, ...]]],
    schema: Mapping[str, pl.DataType],
    fast: FastPath | None = None,
) -> pl.DataFrame:
    """Like :func:`map_distinct`, for a ``func`` returning any number of tuples per value.

    Gives ``_index`` (the row number in ``frame``) and the ``schema`` columns, one row per
    returned tuple, in row order then the function's order. Rows with a null key, or whose
    value gave no tuples, do not appear.
    """
    out = {_OUT + name: dtype for name, dtype in schema.items()}
    distinct = frame.select(keys).unique().drop_nulls()
    quick = pl.DataFrame(schema={**distinct.schema, **out})
    if fast is not None:
        prepared = fast.prepared(distinct).with_columns(_fast=fast.when.fill_null(False))
        then = {_OUT + name: fast.then.get(name, pl.lit(None)) for name in schema}
        lazy = prepared.lazy().filter("_fast").with_columns(**then)
        quick = lazy.select(quick.columns).cast(out).collect()
        distinct = prepared.filter(~pl.col("_fast")).select(keys)
    rows = [(i, *row) for i, values in enumerate(distinct.iter_rows()) for row in func(*values)]
    computed = pl.DataFrame(rows, schema={_ID: pl.UInt32(), **out}, orient="row")
    ids = distinct.with_row_index(_ID)
    slow = computed.join(ids, on=_ID, how="left", maintain_order="left")
    table = pl.concat([quick, slow.select(quick.columns)])
    indexed = frame.select(keys).with_row_index(INDEX)
    joined = indexed.join(table, on=list(keys), how="inner", maintain_order="left_right")
    return joined.select(INDEX, *(pl.col(_OUT + name).alias(name) for name in schema))


def row_numbers(height: int) -> pl.DataFrame:
    """A one-column frame ``_index`` = 0 .. height - 1, to join results back in row order."""
    return pl.DataFrame({INDEX: pl.int_range(0, height, dtype=pl.UInt32, eager=True)})
