"""Blocking: candidate pairs from records that share a key, never all pairs.

Each blocking rule lists keys; records agreeing on every key of a rule form a block, and every
two records of a block become a candidate pair (``left < right`` by record index). A key value
shared by more than ``max_block_size`` records (a switchboard number, a placeholder e-mail) is
compared only within the smaller blocks a second key (``split_keys``: the postal code, the
city, the company) makes of it, and reported (``rule, value, size`` and the block's ``first``
record). A rule of ``rule_caps`` splits its blocks from a smaller size on, by keys of its own
(the records of one birth date sharing a name initial), so its pairs grow with the file, not
with its square. Past ``cap_rows`` records every cap shrinks with the file
(:meth:`~crmclean.dedupe.config.MatchConfig.caps_for`), so the pairs per record stay about the
same.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import repeat

import numpy as np
import polars as pl

from crmclean.batch import FINDING_SCHEMA, SOURCE, SOURCE_ID
from crmclean.codes import BY_RULE
from crmclean.dedupe.coded_keys import KeyTable, index_of
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, rule_name
from crmclean.dedupe.keys import RECORD

OVERSIZED_SCHEMA = pl.Schema(
    {"rule": pl.String(), "value": pl.String(), "size": pl.UInt32(), "first": pl.UInt32()}
)
_SHIFT = 2**32
KEY = "_key"  # a block's keys packed in one integer (:func:`_packed`)
PAIR_SCHEMA = pl.Schema({LEFT: pl.UInt32(), RIGHT: pl.UInt32()})
# Left records per range of candidate_pairs: bounds the pairs held at once (issue #12).
RANGE_RECORDS = 250_000
# Rules whose blocks are found, and blocks whose pairs are formed, side by side (polars runs
# outside the GIL; one rule's group-bys and joins keep about one core and a half busy).
THREADS = 2


def _repeats(table: KeyTable, key: str) -> bool:
    """Some record's list of list key ``key`` holds a value twice (the builders list each value
    once: counting is much cheaper than making the exploded rows unique)."""
    lists = table.codes[key]
    return bool(lists.list.n_unique().sum() < lists.list.len().sum())


def _members(table: KeyTable, rule: list[str]) -> pl.DataFrame:
    """One row per record and key value of the rule (list keys exploded), nulls dropped."""
    rows = table.codes.select(rule).with_row_index(RECORD)
    lists = [key for key in rule if table.is_list(key)]
    for key in lists:
        rows = rows.explode(key)
    rows = rows.drop_nulls()
    # a record's values repeat only in its lists
    return rows.unique() if any(_repeats(table, key) for key in lists) else rows


def _packed(rows: pl.DataFrame, rule: list[str]) -> pl.DataFrame:
    """``RECORD`` and the rule's keys as one integer ``KEY`` (two keys as ``first << 32 |
    second``, a list key by its value's index): grouping and joining on one 64-bit column,
    not several, roughly halves their cost."""
    indices = [index_of(pl.col(key)).alias(key) for key in rule]
    if len(rule) > 2:
        return rows.select(RECORD, pl.struct(indices).alias(KEY))
    key = indices[0].cast(pl.UInt64)
    key = key * _SHIFT + indices[1] if len(rule) == 2 else key
    return rows.select(RECORD, key.alias(KEY))


def _unpacked(blocks: pl.DataFrame, rule: list[str]) -> pl.DataFrame:
    """``blocks`` with each key's value index back from ``KEY`` (see :func:`_packed`)."""
    if len(rule) > 2:
        return blocks.unnest(KEY)
    if len(rule) == 1:
        return blocks.with_columns(pl.col(KEY).cast(pl.UInt32).alias(rule[0]))
    return blocks.with_columns(
        (pl.col(KEY) // _SHIFT).cast(pl.UInt32).alias(rule[0]),
        (pl.col(KEY) % _SHIFT).cast(pl.UInt32).alias(rule[1]),
    )


def _text(table: KeyTable, key: str, indices: pl.Series) -> pl.Series:
    """The values behind a block's value indices of ``key``."""
    return table.values[key].gather(indices)


def _oversized(
    table: KeyTable, rule: list[str], sizes: pl.DataFrame, max_size: int
) -> pl.DataFrame:
    """The blocks of one rule larger than ``max_size``: ``rule, value, size, first``
    (``sizes``: the rule's packed ``KEY``, ``size`` and ``first`` of every block)."""
    blocks = _unpacked(sizes.filter(pl.col("size") > max_size), rule)
    values = blocks.select(_text(table, key, blocks[key]) for key in rule)
    return (
        blocks.with_columns(values)
        .select(
            rule=pl.lit(rule_name(rule)),
            value=pl.concat_str(rule, separator=" + "),
            size="size",
            first="first",
        )
        .cast(OVERSIZED_SCHEMA)
    )


BLOCK = "block"


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where a run of equal values of sorted ``ordered`` starts (a boolean mask)."""
    starts = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts


@dataclass(frozen=True, eq=False)
class Blocks:
    """The records of usable blocks laid out block by block, each block's records ascending
    (``records``), and where each record's block ends (``ends``, a position in ``records``):
    every two records of one block form a candidate pair."""

    records: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, members: pl.DataFrame) -> Blocks:
        """The blocks of ``members`` (``RECORD`` and its ``BLOCK`` number, one row per record
        and block; a record listed twice is one member): one sort of the two packed in one
        64-bit integer (NumPy's, several times faster than polars' here)."""
        packed = pl.col(BLOCK).cast(pl.UInt64) * _SHIFT + pl.col(RECORD)
        return cls._laid_out(np.sort(members.select(packed).to_series().to_numpy()), 32)

    @classmethod
    def sized(cls, members: pl.DataFrame, max_size: int) -> Blocks:
        """The blocks of ``members`` (``RECORD`` and its block's ``KEY``, UInt64) holding 2 to
        ``max_size`` rows: one NumPy sort of key and record packed in one integer (the key
        ranked densely first where the two do not fit), not a group-by and a join."""
        records = members[RECORD].to_numpy().astype(np.uint64)
        shift = max(int(records.max(initial=0)).bit_length(), 1)
        keys = members[KEY]
        if int(keys.to_numpy().max(initial=0)) >> (64 - shift):
            keys = keys.rank("dense").cast(pl.UInt64)
        ordered = np.sort((keys.to_numpy() << np.uint64(shift)) | records)
        starts = np.flatnonzero(_run_starts(ordered >> np.uint64(shift)))
        sizes = np.diff(np.r_[starts, ordered.size])
        fits = (sizes >= 2) & (sizes <= max_size)
        return cls._laid_out(ordered[np.repeat(fits, sizes)], shift)

    @classmethod
    def _laid_out(cls, ordered: np.ndarray, shift: int) -> Blocks:
        """The blocks of sorted ``ordered`` (block above ``shift`` bits, record below): each
        record once per block."""
        ordered = ordered[_run_starts(ordered)]
        starts = np.flatnonzero(_run_starts(ordered >> np.uint64(shift)))
        sizes = np.diff(np.r_[starts, ordered.size])
        ends = np.repeat((starts + sizes).astype(np.uint32), sizes)
        return cls((ordered & np.uint64(2**shift - 1)).astype(np.uint32), ends)

    def pairs(self, low: int = 0, high: int = _SHIFT) -> pl.DataFrame:
        """The pairs (``left < right``) whose left record lies in ``[low, high)``: each such
        record with every record after it in its block, gathered by position (no join)."""
        at = np.flatnonzero((self.records >= low) & (self.records < high))
        counts = self.ends[at].astype(np.int64) - at - 1
        first = at + 1 - (np.cumsum(counts) - counts)  # the first right's position, less offset
        right = np.arange(counts.sum()) + np.repeat(first, counts)
        pairs = {LEFT: np.repeat(self.records[at], counts), RIGHT: self.records[right]}
        return pl.DataFrame(pairs, schema=PAIR_SCHEMA)


def _numbered(members: pl.DataFrame, usable: pl.DataFrame, on: str) -> Blocks:
    """The ``members`` of the ``usable`` blocks (distinct values of ``on``), each block's
    key replaced by its number."""
    numbers = usable.select(on).with_row_index(BLOCK)
    return Blocks.of(members.join(numbers, on=on).select(RECORD, BLOCK))


def _split(
    table: KeyTable, too_big: pl.DataFrame, split_keys: list[str], max_size: int
) -> list[Blocks]:
    """Oversized blocks (``too_big``: ``RECORD`` and its block's number ``BLOCK``) split by
    each of ``split_keys`` in turn: records sharing the block and that key too, where such a
    smaller block fits ``max_size``. A key's codes are gathered by record, not joined, and
    its blocks found by one sort (:meth:`Blocks.sized`)."""
    found = []
    for key in split_keys:
        codes = too_big.with_columns(table.codes[key].gather(too_big[RECORD]))
        codes = codes.explode(key) if table.is_list(key) else codes
        values = table.values[key].len()  # block and value index packed densely
        with_key = codes.drop_nulls(key).select(
            RECORD, (pl.col(BLOCK).cast(pl.UInt64) * values + index_of(pl.col(key))).alias(KEY)
        )
        found.append(Blocks.sized(with_key, max_size))
    return found


def rule_blocks(
    table: KeyTable, rule: list[str], config: MatchConfig
) -> tuple[list[Blocks], pl.DataFrame]:
    """The usable blocks of one rule, and its blocks over ``max_block_size`` (compared only
    within the smaller blocks a second key makes, see :func:`_split`). A rule of ``rule_caps``
    splits its blocks from its own, smaller cap on, by its own split keys. The caps are those
    for the table's records (:meth:`~crmclean.dedupe.config.MatchConfig.caps_for`)."""
    config = config.caps_for(table.height)
    cap = config.rule_caps.get(rule_name(rule))
    max_size = cap.max_block_size if cap else config.max_block_size
    split_keys = cap.split_keys if cap else config.split_keys
    members = _packed(_members(table, rule), rule)
    sizes = members.group_by(KEY).agg(size=pl.len(), first=pl.col(RECORD).min())
    usable = sizes.filter((pl.col("size") >= 2) & (pl.col("size") <= max_size))
    found = [_numbered(members, usable, KEY)]
    big = sizes.filter(pl.col("size") > max_size).select(KEY).with_row_index(BLOCK)
    if not big.is_empty():
        too_big = members.join(big, on=KEY).select(RECORD, BLOCK)
        keys = [key for key in split_keys if key not in rule and key in table.codes]
        found += _split(table, too_big, keys, config.max_block_size)
    return found, _oversized(table, rule, sizes, config.max_block_size)


def block_pairs(
    table: KeyTable, rule: list[str], config: MatchConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidate pairs of one rule (a pair may repeat), and its oversized blocks."""
    found, oversized = rule_blocks(table, rule, config)
    return pl.concat([blocks.pairs() for blocks in found]), oversized


def _distinct(pairs: list[pl.DataFrame]) -> pl.DataFrame:
    """The distinct pairs, sorted; deduplicated as one 64-bit code per pair (much faster)."""
    code = pl.col(LEFT).cast(pl.UInt64) * _SHIFT + pl.col(RIGHT)
    codes = pl.concat([PAIR_SCHEMA.to_frame(), *pairs]).select(code.unique().sort().alias("pair"))
    return codes.select(
        (pl.col("pair") // _SHIFT).cast(pl.UInt32).alias(LEFT),
        (pl.col("pair") % _SHIFT).cast(pl.UInt32).alias(RIGHT),
    )


def candidate_pairs(
    table: KeyTable, config: MatchConfig, records: int = RANGE_RECORDS
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct pairs of every blocking rule, sorted, and every oversized block skipped
    (``rule, value, size``, largest first). Pairs are formed and made distinct by ranges of
    ``records`` left records, so only one range's pairs of every rule are held at once."""
    with ThreadPoolExecutor(THREADS, thread_name_prefix="crmclean-blocking") as pool:
        blocks = list(pool.map(partial(rule_blocks, table, config=config), config.blocking))
        found = [one for rule, _ in blocks for one in rule]
        ranges = [
            _distinct(list(pool.map(Blocks.pairs, found, repeat(low), repeat(low + records))))
            for low in range(0, table.height, records)
        ]
    oversized = pl.concat([skipped for _, skipped in blocks]).sort(
        "size", "rule", "value", descending=[True, False, False]
    )
    return pl.concat([PAIR_SCHEMA.to_frame(), *ranges]), oversized


OVERSIZED = BY_RULE["dedupe.oversized_block"]


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


def oversized_blocks(table: KeyTable, config: MatchConfig) -> pl.DataFrame:
    """The oversized blocks of :func:`candidate_pairs` alone, from the blocks' sizes (no pair
    is formed): what incremental linking reports for the run's records. ``table`` needs only
    the blocking rules' keys (:func:`blocking_keys`)."""
    found = [OVERSIZED_SCHEMA.to_frame()]
    config = config.caps_for(table.height)
    for rule in config.blocking:
        members = _packed(_members(table, rule), rule)
        sizes = members.group_by(KEY).agg(size=pl.len(), first=pl.col(RECORD).min())
        found.append(_oversized(table, rule, sizes, config.max_block_size))
    return pl.concat(found).sort("size", "rule", "value", descending=[True, False, False])


def blocking_keys(config: MatchConfig) -> list[str]:
    """The keys the blocking rules name, each once."""
    return list(dict.fromkeys(key for rule in config.blocking for key in rule))
