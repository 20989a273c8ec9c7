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

import math
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
_NONE = np.empty(0, dtype=np.uint64)  # no pairs packed (:meth:`Blocks.codes`)
# Left records per range of candidate_pairs: bounds the pairs held at once (issue #12).
RANGE_RECORDS = 250_000
# Rules whose blocks are found, and blocks whose pairs are formed, side by side (polars and
# NumPy's sorts run outside the GIL; each rule sorts on one thread).
THREADS = 2


def _members(table: KeyTable, rule: list[str]) -> pl.DataFrame:
    """One row per record and key value of the rule (list keys exploded), nulls dropped; a
    value a record lists twice is two rows (:meth:`Sorted.of` keeps one)."""
    rows = table.codes.select(rule).with_row_index(RECORD)
    for key in rule:
        rows = rows.explode(key) if table.is_list(key) else rows
    return rows.drop_nulls()


def _bits(largest: int) -> int:
    """The bits a record index up to ``largest`` takes (at least one)."""
    return max(largest.bit_length(), 1)


def _dense(table: KeyTable, rule: list[str]) -> bool:
    """Whether the rule's keys packed densely (:func:`_packed`) fit beside any record of the
    table in one 64-bit integer (always for today's rules: at most 50 bits at 1M)."""
    counts = math.prod(table.values[key].len() for key in rule)
    return not counts >> (64 - _bits(table.height - 1))


def _packed(table: KeyTable, rows: pl.DataFrame, rule: list[str]) -> pl.DataFrame:
    """``rows`` (:func:`_members`) with the rule's keys as one integer ``KEY`` beside them:
    each key's value index packed densely (times the next key's count of values), so a block's
    key and its record fit one 64-bit integer (:class:`Sorted`; a two-key ``first << 32 |
    second`` did not, and ranking it cost more than one sort saves). Keys whose counts multiply
    past that are ranked densely instead."""
    indices = [index_of(pl.col(key)) for key in rule]
    if not _dense(table, rule):
        return rows.with_columns(pl.struct(indices).rank("dense").cast(pl.UInt64).alias(KEY))
    key = pl.lit(0, pl.UInt64)
    for name, index in zip(rule, indices, strict=True):
        key = key * table.values[name].len() + index
    return rows.with_columns(key.alias(KEY))


def _unpacked(
    table: KeyTable, rule: list[str], members: pl.DataFrame, keys: pl.Series
) -> pl.DataFrame:
    """Each key's value index (a column per key of the rule) of the blocks ``keys``
    (:func:`_packed`): taken apart where packed densely, else read from a member (``members``)
    of the block."""
    if not _dense(table, rule):
        indices = members.select(KEY, *(index_of(pl.col(key)).alias(key) for key in rule))
        found = indices.filter(pl.col(KEY).is_in(keys.implode())).unique(KEY)
        return keys.to_frame(KEY).join(found, on=KEY, maintain_order="left").select(rule)
    columns = {}
    for key in reversed(rule):
        count = table.values[key].len()
        columns[key] = (keys % count).cast(pl.UInt32)
        keys = keys // count
    return pl.DataFrame(columns).select(rule)


def _text(table: KeyTable, key: str, indices: pl.Series) -> pl.Series:
    """The values behind a block's value indices of ``key``."""
    return table.values[key].gather(indices)


def _oversized(
    table: KeyTable, rule: list[str], members: pl.DataFrame, blocks: pl.DataFrame
) -> pl.DataFrame:
    """The oversized ``blocks`` of one rule (``KEY``, ``size``, ``first``) as ``rule, value,
    size, first``."""
    indices = _unpacked(table, rule, members, blocks[KEY])
    values = indices.select(_text(table, key, indices[key]) for key in rule)
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


@dataclass(frozen=True)
class Sorted:
    """Members (a record and its block's key) as one sorted array of the two packed in one
    integer (``ordered``: key above ``shift`` bits, record below), and each block's size, block
    by block: one sort, not a group-by and joins (NumPy's sort of the one integer column,
    vectorized on this machine's AVX-512: neutral 1M's 52 sorts of 22M rows 0.36 s CPU by
    polars' one-thread sort, 0.13 s by NumPy's)."""

    ordered: np.ndarray
    shift: int
    sizes: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, records: np.ndarray, distinct: bool = False) -> Sorted:
        """``records`` (UInt32) by their block's ``keys`` (UInt64), sorted; a key is ranked
        densely first where it does not fit beside the record. With ``distinct``, a record
        listed twice in a block is one row (a rule's list keys hold a value twice only by
        exception: one pass over the sorted rows is cheaper than asking each list, ~25 ms a
        list key at 1M)."""
        shift = _bits(int(records.max(initial=0)))
        if int(keys.max(initial=0)) >> (64 - shift):
            keys = pl.Series(keys).rank("dense").cast(pl.UInt64).to_numpy()
        ordered = np.sort((keys << np.uint64(shift)) | records.astype(np.uint64))
        ordered = ordered[_run_starts(ordered)] if distinct else ordered
        starts = np.flatnonzero(_run_starts(ordered >> np.uint64(shift)))
        return cls(ordered, shift, np.diff(np.r_[starts, ordered.size]))

    def rows(self, low: int, high: int) -> np.ndarray:
        """The rows of the blocks of ``low`` to ``high`` rows, in order."""
        return self.ordered[np.repeat((self.sizes >= low) & (self.sizes <= high), self.sizes)]

    def records(self, ordered: np.ndarray) -> np.ndarray:
        """The records of rows ``ordered``."""
        return (ordered & np.uint64(2**self.shift - 1)).astype(np.uint32)

    def numbered(self, low: int) -> tuple[np.ndarray, np.ndarray]:
        """The records of the blocks over ``low`` rows, and each one's block number (from 0)."""
        ordered = self.rows(low + 1, self.ordered.size)
        numbers = np.cumsum(_run_starts(ordered >> np.uint64(self.shift))) - 1
        return self.records(ordered), numbers.astype(np.uint64)

    def largest(self, low: int) -> pl.DataFrame:
        """``KEY``, ``size`` and ``first`` record of each block over ``low`` rows."""
        ends = np.cumsum(self.sizes)
        over = self.sizes > low
        firsts = self.ordered[(ends - self.sizes)[over]]
        return pl.DataFrame(
            {
                KEY: firsts >> np.uint64(self.shift),
                "size": self.sizes[over].astype(np.uint32),
                "first": self.records(firsts),
            }
        )


@dataclass(frozen=True, eq=False)
class Blocks:
    """The records of usable blocks laid out block by block, each block's records ascending
    (``records``), and where each record's block ends (``ends``, a position in ``records``):
    every two records of one block form a candidate pair."""

    records: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, found: Sorted, max_size: int) -> Blocks:
        """The blocks of ``found`` holding 2 to ``max_size`` rows: each record once per
        block."""
        ordered = found.rows(2, max_size)
        ordered = ordered[_run_starts(ordered)]
        starts = np.flatnonzero(_run_starts(ordered >> np.uint64(found.shift)))
        sizes = np.diff(np.r_[starts, ordered.size])
        ends = np.repeat((starts + sizes).astype(np.uint32), sizes)
        return cls(found.records(ordered), ends)

    def codes(self, low: int = 0, high: int = _SHIFT) -> np.ndarray:
        """The pairs (``left < right``) whose left record lies in ``[low, high)``, each packed
        ``left << 32 | right`` (UInt64): each such record with every record after it in its
        block, gathered by position (no join)."""
        at = np.flatnonzero((self.records >= low) & (self.records < high))
        counts = self.ends[at].astype(np.int64) - at - 1
        first = at + 1 - (np.cumsum(counts) - counts)  # the first right's position, less offset
        right = np.arange(counts.sum()) + np.repeat(first, counts)
        left = np.repeat(self.records[at].astype(np.uint64), counts) << np.uint64(32)
        return left | self.records[right]

    def pairs(self, low: int = 0, high: int = _SHIFT) -> pl.DataFrame:
        """The pairs of :meth:`codes` as ``LEFT`` and ``RIGHT``."""
        return _pairs(self.codes(low, high))


def _pairs(codes: np.ndarray) -> pl.DataFrame:
    """Pairs packed ``left << 32 | right`` (:meth:`Blocks.codes`) as ``LEFT`` and ``RIGHT``."""
    pairs = {LEFT: (codes >> np.uint64(32)).astype(np.uint32), RIGHT: codes.astype(np.uint32)}
    return pl.DataFrame(pairs, schema=PAIR_SCHEMA)


def _valued(table: KeyTable, key: str, records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions in ``records`` of those holding a value of ``key`` (a record once per
    value of a list key), and the value's index: a text key's codes gathered by NumPy (polars'
    gather of a column with nulls was ~8 times slower: 20 vs 2.5 ms for 670k records)."""
    if table.is_list(key):
        codes = pl.DataFrame({key: table.codes[key].gather(records)}).with_row_index()
        held = codes.explode(key).drop_nulls(key)
        return held["index"].to_numpy(), held.select(index_of(pl.col(key))).to_series().to_numpy()
    count = table.values[key].len()
    indices = table.codes[key].fill_null(count).to_numpy()[records]
    at = np.flatnonzero(indices < count)
    return at, indices[at]


def _split(
    table: KeyTable, too_big: tuple[np.ndarray, np.ndarray], split_keys: list[str], max_size: int
) -> list[Blocks]:
    """Oversized blocks (``too_big``: records and each one's block number) split by each of
    ``split_keys`` in turn: records sharing the block and that key too, where such a smaller
    block fits ``max_size``. A key's codes are gathered by record, not joined, and block and
    value index packed densely (``block * values + index``) and sorted (:class:`Sorted`)."""
    records, blocks = too_big
    found = []
    for key in split_keys:
        at, indices = _valued(table, key, records)
        keys = blocks[at] * np.uint64(table.values[key].len()) + indices
        found.append(Blocks.of(Sorted.of(keys, records[at]), max_size))
    return found


def _sorted_members(table: KeyTable, rule: list[str]) -> tuple[pl.DataFrame, Sorted]:
    """The members of one rule (:func:`_packed`) and their blocks (:class:`Sorted`)."""
    members = _packed(table, _members(table, rule), rule)
    return members, Sorted.of(members[KEY].to_numpy(), members[RECORD].to_numpy(), distinct=True)


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
    members, blocks = _sorted_members(table, rule)
    found = [Blocks.of(blocks, max_size)]
    if (blocks.sizes > max_size).any():
        keys = [key for key in split_keys if key not in rule and key in table.codes]
        found += _split(table, blocks.numbered(max_size), keys, config.max_block_size)
    largest = blocks.largest(config.max_block_size)
    return found, _oversized(table, rule, members, largest)


def block_pairs(
    table: KeyTable, rule: list[str], config: MatchConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidate pairs of one rule (a pair may repeat), and its oversized blocks."""
    found, oversized = rule_blocks(table, rule, config)
    return pl.concat([blocks.pairs() for blocks in found]), oversized


def _distinct(codes: list[np.ndarray]) -> pl.DataFrame:
    """The distinct pairs of packed ``codes`` (:meth:`Blocks.codes`), sorted: one sort on one
    thread (NumPy's, as :class:`Sorted`'s) and a pass over its runs, not a hash ``unique`` and a
    sort of what it keeps (neutral 1M's ranges, 6.0M pairs: 0.21 -> 0.12 s CPU, the same wall;
    a multithreaded sort 0.19)."""
    ordered = np.sort(np.concatenate([_NONE, *codes]))
    return _pairs(ordered[_run_starts(ordered)])


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
            _distinct(list(pool.map(Blocks.codes, found, repeat(low), repeat(low + records))))
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
        members, blocks = _sorted_members(table, rule)
        found.append(_oversized(table, rule, members, blocks.largest(config.max_block_size)))
    return pl.concat(found).sort("size", "rule", "value", descending=[True, False, False])


def blocking_keys(config: MatchConfig) -> list[str]:
    """The keys the blocking rules name, each once."""
    return list(dict.fromkeys(key for rule in config.blocking for key in rule))
