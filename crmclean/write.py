"""Write result tables to files, picking the format from the extension."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.errors import UserError

LIST_SEPARATOR = "; "


def _flatten_lists(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV has no lists: join list cells with ``; ``."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(pl.col(lists).list.join(LIST_SEPARATOR)) if lists else frame


def write_table(frame: pl.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV, Parquet, JSON or NDJSON; the file appears whole or not at all."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet", ".json", ".ndjson", ".jsonl"}:
        raise UserError(
            "unsupported output format; use .csv, .parquet, .json or .ndjson", file=str(path)
        )
    if not path.parent.is_dir():
        raise UserError("folder does not exist", file=str(path.parent))
    partial = path.with_name(f".{path.name}.partial")
    if suffix == ".csv":
        _flatten_lists(frame).write_csv(partial)
    elif suffix == ".parquet":
        frame.write_parquet(partial)
    elif suffix == ".json":
        frame.write_json(partial)
    else:
        frame.write_ndjson(partial)
    partial.replace(path)
    return path
