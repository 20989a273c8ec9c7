"""How well blocking finds the pairs worth comparing: per rule, the pairs it generates, those
no other rule generates (what the rule costs and brings of its own) and, with labelled true
pairs, the share of them it reaches (its recall) and those only it reaches; then all rules
together."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.batch import GOLDEN_ID
from crmclean.dedupe.blocking import block_pairs, candidate_pairs
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config, rule_name
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.training import MATCH, labelled_pairs, read_training_pairs
from crmclean.rules import Rules

REPORT_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "pairs": pl.Int64(),
    "only_here": pl.Int64(),
    "true_pairs_reached": pl.Int64(),
    "true_only_here": pl.Int64(),
    "recall": pl.Float64(),
}


def _reached(pairs: pl.DataFrame, truth: pl.DataFrame | None) -> int | None:
    """How many of the true pairs ``pairs`` holds (None without them)."""
    return None if truth is None else pairs.join(truth, on=[LEFT, RIGHT], how="semi").height


def _row(
    rule: str, pairs: pl.DataFrame, only: pl.DataFrame | None, truth: pl.DataFrame | None
) -> dict[str, object]:
    """One line of the report: ``only`` holds the pairs no other rule makes (None: all rules)."""
    reached = _reached(pairs, truth)
    recall = None
    if truth is not None and reached is not None and not truth.is_empty():
        recall = reached / truth.height
    return {
        "rule": rule,
        "pairs": pairs.height,
        "only_here": None if only is None else only.height,
        "true_pairs_reached": reached,
        "true_only_here": None if only is None else _reached(only, truth),
        "recall": recall,
    }


def _only_here(each: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """Per rule, its pairs (distinct within each rule) that no other rule makes."""
    rules = pl.concat(
        pairs.with_columns(pl.lit(i, pl.UInt32).alias("_rule")) for i, pairs in enumerate(each)
    )
    single = rules.filter(pl.len().over(LEFT, RIGHT) == 1)
    return [single.filter(pl.col("_rule") == i).drop("_rule") for i in range(len(each))]


def blocking_report(
    table: KeyTable, config: MatchConfig, truth: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``rule, pairs, only_here, true_pairs_reached, true_only_here, recall`` per blocking
    rule and for ``all rules``: ``only_here`` counts the rule's pairs no other rule makes
    (null for all rules); ``truth`` holds the true pairs (``left < right`` record indices), the
    columns of true pairs and recall are null without it."""
    if truth is not None:
        truth = truth.select(pl.col(LEFT).cast(pl.UInt32), pl.col(RIGHT).cast(pl.UInt32))
    each = [block_pairs(table, rule, config)[0].unique() for rule in config.blocking]
    rows = [
        _row(rule_name(rule), pairs, only, truth)
        for rule, pairs, only in zip(config.blocking, each, _only_here(each), strict=True)
    ]
    rows.append(_row("all rules", candidate_pairs(table, config)[0], None, truth))
    return pl.DataFrame(rows, schema=REPORT_SCHEMA, orient="row")


def blocking_report_of(
    frame: pl.DataFrame, rules: Rules, training_pairs: Path | None = None
) -> pl.DataFrame:
    """:func:`blocking_report` of a normalized frame; the pairs marked the same person in
    ``training_pairs`` (a labelled-pairs CSV) are the true pairs when given."""
    config = load_match_config(rules)
    records = add_keys(frame.drop(GOLDEN_ID, strict=False), rules).with_row_index(RECORD)
    truth = None
    if training_pairs is not None:
        labelled = labelled_pairs(read_training_pairs(training_pairs), records)
        truth = labelled.filter(MATCH).select(LEFT, RIGHT)
    return blocking_report(key_table(records, config.key_names, config), config, truth)
