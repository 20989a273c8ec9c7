"""Labelled pairs: record pairs a person marked as the same person (1) or not (0).

A CSV with ``source_a, source_id_a, source_b, source_id_b, match`` (the review file's lineage
columns; ``match`` is 1 or 0, also true/false or yes/no). The pairs marked 1 teach the model
each comparison level's ``m`` (:func:`crmclean.dedupe.learn.from_labelled_pairs`); ``u``
stays measured on random pairs, which labelled non-matches (hard cases, picked by a person) are
not.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.dedupe.decisions import read_pairs_file, record_pairs
from crmclean.errors import UserError

MATCH = "match"
COLUMNS = ["source_a", "source_id_a", "source_b", "source_id_b", MATCH]
_TRUE, _FALSE = ("1", "true", "yes", "y"), ("0", "false", "no", "n")


def read_training_pairs(path: Path) -> pl.DataFrame:
    """The labelled rows of ``path``, ``match`` as a boolean; every problem is a user error."""
    table = read_pairs_file(path, COLUMNS, "training pairs")
    label = pl.col(MATCH).str.strip_chars().str.to_lowercase()
    rows = table.with_columns(label.alias(MATCH))
    wrong = rows.filter(pl.col(MATCH).is_not_null() & ~pl.col(MATCH).is_in([*_TRUE, *_FALSE]))
    if wrong.height:
        line, value = wrong["_line"][0], wrong[MATCH][0]
        raise UserError(f"expected 1 or 0, got '{value}'", file=str(path), row=line, column=MATCH)
    labelled = rows.filter(pl.col(MATCH).is_not_null())
    return labelled.select(*COLUMNS[:-1], pl.col(MATCH).is_in(_TRUE).alias(MATCH))


def labelled_pairs(training: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """``left, right, match`` in record indices of ``frame`` (which carries ``_record``)."""
    return record_pairs(training, frame, MATCH)
