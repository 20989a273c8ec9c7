"""Shape batch frames as the rows of the target tables."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from crmclean.load.schema import RUN_ID, db_name


def json_array(column: str) -> pl.Expr:
    """A ``List[String]`` column as JSON array text (null stays null)."""
    encoded = pl.struct(column).struct.json_encode()
    text = encoded.str.strip_prefix(f'{{"{column}":').str.strip_suffix("}")
    return pl.when(pl.col(column).is_not_null()).then(text).alias(column)


def _value(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A frame column as the database stores it: lists as JSON text, the rest unchanged."""
    return json_array(name) if isinstance(frame.schema[name], pl.List) else pl.col(name)


def table_frame(frame: pl.DataFrame, table: sa.Table, run_id: str) -> pl.DataFrame:
    """``frame`` shaped as ``table``: its columns in order, renamed, the run id added."""
    frame = frame.with_columns(pl.lit(run_id).alias(RUN_ID))
    by_db_name = {db_name(name): name for name in frame.columns}
    missing = [c.name for c in table.columns if c.name not in by_db_name]
    if missing:
        raise ValueError(f"cannot load table {table.name!r}: the batch has no columns {missing}")
    return frame.select(_value(frame, by_db_name[c.name]).alias(c.name) for c in table.columns)
