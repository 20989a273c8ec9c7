"""How well blocking finds the pairs worth comparing: per rule, the pairs it generates and,
with labelled true pairs, the share of them it reaches (its recall), then all rules together."""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.blocking import block_pairs, candidate_pairs
from crmclean.dedupe.codes import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig

REPORT_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "pairs": pl.Int64(),
    "true_pairs_reached": pl.Int64(),
    "recall": pl.Float64(),
}


def _row(rule: str, pairs: pl.DataFrame, truth: pl.DataFrame | None) -> dict[str, object]:
    reached = None if truth is None else pairs.join(truth, on=[LEFT, RIGHT], how="semi").height
    recall = None if truth is None or truth.is_empty() else reached / truth.height
    return {"rule": rule, "pairs": pairs.height, "true_pairs_reached": reached, "recall": recall}


def blocking_report(
    table: KeyTable, config: MatchConfig, truth: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``rule, pairs, true_pairs_reached, recall`` per blocking rule and for ``all rules``;
    ``truth`` holds the true pairs (``left < right`` record indices), the last two columns are
    null without it."""
    if truth is not None:
        truth = truth.select(pl.col(LEFT).cast(pl.UInt32), pl.col(RIGHT).cast(pl.UInt32))
    rows = [
        _row(" + ".join(rule), block_pairs(table, rule, config)[0], truth)
        for rule in config.blocking
    ]
    rows.append(_row("all rules", candidate_pairs(table, config)[0], truth))
    return pl.DataFrame(rows, schema=REPORT_SCHEMA, orient="row")
