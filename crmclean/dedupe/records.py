"""The normalized records' columns read from Parquet on demand, every record in order.

Out of core the records never enter memory (:mod:`crmclean.dedupe.outofcore`); in memory the
pipeline sets them aside while the dedupe stage runs (:mod:`crmclean.aside`): the stage holds
their lineage and coded keys while it matches, reads back the columns survivorship reads for
the merge, then the whole frame as :func:`~crmclean.dedupe.dedupe` gives it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crmclean.dedupe.derived_keys import DERIVED, DERIVED_FROM, add_keys
from crmclean.dedupe.keys import OPTIONAL
from crmclean.rules import Rules


@dataclass(frozen=True)
class ColumnReader:
    """Columns of the normalized records read from Parquet on demand (every record, in
    order): an optional column the files lack reads as null, a derived one (``email_key``...)
    is derived from the columns it comes from."""

    scan: pl.LazyFrame
    rules: Rules

    def __call__(self, columns: tuple[str, ...]) -> pl.DataFrame:
        schema = self.scan.collect_schema()
        derived = any(column in DERIVED for column in columns)
        wanted = [*columns, *(DERIVED_FROM if derived else ())]
        present = [c for c in dict.fromkeys(wanted) if c in schema and c not in DERIVED]
        frame = self.scan.select(present).collect().rechunk()  # one chunk per column
        frame = add_keys(frame, self.rules) if derived else frame
        absent = [c for c in columns if c not in frame and c in OPTIONAL]
        return frame.with_columns(pl.lit(None, OPTIONAL[c]).alias(c) for c in absent).select(
            columns
        )

    def columns(self) -> list[str]:
        """The records' columns and the derived keys, in the order :func:`add_keys` gives
        them (the order of the frame the dedupe stage builds from the records)."""
        return add_keys(pl.DataFrame(schema=self.scan.collect_schema()), self.rules).columns

    def held(self, columns: list[str]) -> tuple[str, ...]:
        """Those of ``columns`` the records hold (derived keys aside), in the records' order."""
        wanted = set(columns) - set(DERIVED)
        return tuple(c for c in self.scan.collect_schema() if c in wanted)
