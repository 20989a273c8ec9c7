"""Blocking: candidate pairs from records that share a key, never all pairs.

Each blocking rule lists keys; records agreeing on every key of a rule form a block, and every
two records of a block become a candidate pair (``left < right`` by record index). A key value
shared by more than ``max_block_size`` records (a switchboard number, a placeholder e-mail) is
skipped for that rule and reported instead (``rule, value, size`` and the block's ``first``
record).
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import FINDING_SCHEMA, SOURCE, SOURCE_ID
from crmclean.dedupe.codes import KeyTable, index_of
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.keys import RECORD
from crmclean.normalize.codes import Code

OVERSIZED_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "value": pl.String(),
    "size": pl.UInt32(),
    "first": pl.UInt32(),
}
_SHIFT = 2**32
PAIR_SCHEMA: dict[str, pl.DataType] = {LEFT: pl.UInt32(), RIGHT: pl.UInt32()}


def _members(table: KeyTable, rule: list[str]) -> pl.DataFrame:
    """One row per record and key value of the rule (list keys exploded), nulls dropped."""
    rows = table.codes.select(rule).with_row_index(RECORD)
    for key in rule:
        if table.is_list(key):
            rows = rows.explode(key)
    return rows.drop_nulls().unique()


def _text(table: KeyTable, key: str, codes: pl.Series) -> pl.Series:
    """The values behind a block's codes of ``key``."""
    if table.is_list(key):
        codes = codes.to_frame().select(index_of(pl.col(key))).to_series()
    return table.values[key].gather(codes)


def _oversized(
    table: KeyTable, rule: list[str], sizes: pl.DataFrame, max_size: int
) -> pl.DataFrame:
    """The blocks of one rule larger than ``max_size``: ``rule, value, size, first``."""
    blocks = sizes.filter(pl.col("size") > max_size)
    values = blocks.select(_text(table, key, blocks[key]) for key in rule)
    return (
        blocks.with_columns(values)
        .select(
            rule=pl.lit(" + ".join(rule)),
            value=pl.concat_str(rule, separator=" + "),
            size="size",
            first="first",
        )
        .cast(OVERSIZED_SCHEMA)
    )  # type: ignore[arg-type]


def block_pairs(
    table: KeyTable, rule: list[str], config: MatchConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidate pairs of one rule, and the blocks it skipped as oversized."""
    max_size = config.max_block_size
    members = _members(table, rule)
    sizes = members.group_by(rule).agg(size=pl.len(), first=pl.col(RECORD).min())
    usable = sizes.filter((pl.col("size") >= 2) & (pl.col("size") <= max_size))
    kept = members.join(usable, on=rule, how="semi")
    pairs = (
        kept.join(kept, on=rule, suffix="_r")
        .filter(pl.col(RECORD) < pl.col(f"{RECORD}_r"))
        .select(pl.col(RECORD).alias(LEFT), pl.col(f"{RECORD}_r").alias(RIGHT))
    )
    return pairs.cast(PAIR_SCHEMA), _oversized(table, rule, sizes, max_size)  # type: ignore[arg-type]


def _distinct(pairs: list[pl.DataFrame]) -> pl.DataFrame:
    """The distinct pairs, sorted; deduplicated as one 64-bit code per pair (much faster)."""
    code = pl.col(LEFT).cast(pl.UInt64) * _SHIFT + pl.col(RIGHT)
    codes = pl.concat(pairs).select(code.unique().sort().alias("pair"))
    return codes.select(
        (pl.col("pair") // _SHIFT).cast(pl.UInt32).alias(LEFT),
        (pl.col("pair") % _SHIFT).cast(pl.UInt32).alias(RIGHT),
    )


def candidate_pairs(table: KeyTable, config: MatchConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct pairs of every blocking rule, and every oversized block skipped (``rule, value,
    size``, largest first)."""
    blocks = [block_pairs(table, rule, config) for rule in config.blocking]
    oversized = pl.concat([skipped for _, skipped in blocks]).sort(
        "size", "rule", "value", descending=[True, False, False]
    )
    return _distinct([pairs for pairs, _ in blocks]), oversized


OVERSIZED = Code(
    "DD01",
    "dedupe.oversized_block",
    "warning",
    "A blocking key shared by too many records; they were not compared on it.",
)


def oversized_findings(oversized: pl.DataFrame, frame: pl.DataFrame, top: int) -> pl.DataFrame:
    """Findings for the ``top`` largest oversized blocks, each on the block's first record
    (``frame`` holds record ``i`` at row ``i``)."""
    largest = oversized.head(top)
    return largest.select(
        frame[SOURCE].gather(largest["first"]),
        frame[SOURCE_ID].gather(largest["first"]),
        pl.col("rule").alias("field"),
        pl.lit(OVERSIZED.code).alias("code"),
        pl.lit(OVERSIZED.rule).alias("rule"),
        pl.lit(OVERSIZED.severity).alias("severity"),
        pl.col("value").alias("before"),
        pl.format("skipped for blocking: shared by {} records", "size").alias("after"),
    ).cast(FINDING_SCHEMA)  # type: ignore[arg-type]
