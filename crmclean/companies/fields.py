"""The company record: its canonical source fields and the lineage it keeps.

A company frame holds text columns ``source`` and ``source_id`` (the connector or file stem
and the source's id; a batch's ``_source`` and ``_source_id`` are read too), the fields of
:data:`crmclean.company_fields.FIELDS` (missing ones are read as empty) and any ``extra.*``
passthrough column.
``cnpj`` is the Brazilian company id; other national company ids go in ``tax_id`` with
their ``country``.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.company_fields import FIELDS

LINEAGE = {"source": SOURCE, "source_id": SOURCE_ID}
EXTRA = "extra."
COMPANY_ID = "company_id"


def to_batch_lineage(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``source``/``source_id`` named as a batch names them, every field present
    (empty where missing; a missing source is ``companies``, a missing id the 1-based row) and
    every field text."""
    renamed = {name: inner for name, inner in LINEAGE.items() if inner not in frame.columns}
    frame = frame.rename({k: v for k, v in renamed.items() if k in frame.columns})
    missing = [pl.lit(None, pl.String).alias(f) for f in FIELDS if f not in frame.columns]
    frame = frame.with_columns(missing)
    if SOURCE not in frame.columns:
        frame = frame.with_columns(pl.lit("companies").alias(SOURCE))
    if SOURCE_ID not in frame.columns:
        frame = frame.with_columns((pl.int_range(pl.len()) + 1).cast(pl.String).alias(SOURCE_ID))
    return frame.with_columns(pl.col(*FIELDS, SOURCE, SOURCE_ID).cast(pl.String))


def from_batch_lineage(frame: pl.DataFrame, like: pl.DataFrame) -> pl.DataFrame:
    """``frame``'s lineage named as in the caller's frame ``like``."""
    back = {inner: name for name, inner in LINEAGE.items() if name in like.columns}
    return frame.rename({k: v for k, v in back.items() if k in frame.columns})
