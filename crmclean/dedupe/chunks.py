"""Scoring candidate pairs a chunk at a time, keeping in full only the pairs that can matter.

A million records make millions of candidate pairs, nearly all of them plainly two people.
Scored all at once they would be one frame of some forty columns per pair (gigabytes), though
only the pairs that may merge, go to review or be shown need their similarities and weights.
:func:`scored_chunks` scores ``chunk_pairs`` pairs at a time (each pair is scored on its own,
so the result is that of scoring them all at once) and keeps of a pair under ``floor`` (a
probability far below the review band and under ``split_below``) only its two record indices:
such a pair is never a match nor in review, only a pair its clusters must keep apart. Out of
core (no review or explain reads the pairs), ``slim`` keeps of the other pairs too only what
clustering reads (:func:`cluster_columns`): about a tenth of the bytes. EM's sample, compared
already, comes split by chunk in the pairs' order (:func:`by_chunk`): each chunk takes its piece
as it is (no copy) and frees it once scored. With many chunks, each one is begun (compared and
settled: :func:`~crmclean.dedupe.settle.begun`) on a thread while the one before is finished
(:func:`~crmclean.dedupe.settle.floored`, much of it on one core): :func:`beside`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import polars as pl

from crmclean.dedupe.blocking import PAIR_SCHEMA
from crmclean.dedupe.bridges import BRIDGEABLE, bridgeable
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT, forget_kept
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.params import Parameters
from crmclean.dedupe.settle import Begun, begun, deferrable, floored, found_in

CHUNK_PAIRS = 150_000  # each chunk scored in full at once: its transient memory (docs/dedupe.md)
CHUNKS_BESIDE = 6  # from this many chunks on, each one begins beside the last one's end
PAIR_FLOOR = 0.001  # a probability far below the review band: such pairs are not kept in full


class Chunked(NamedTuple):
    """Scored pairs at ``floor`` or more (every column), and the pairs below it (``left,
    right``: each one below ``split_below``, a pair to keep apart)."""

    scored: pl.DataFrame
    apart: pl.DataFrame


def floor_of(config: MatchConfig) -> float:
    """The probability under which a pair keeps only its indices: :data:`PAIR_FLOOR`, never
    above ``split_below`` (so every such pair is one to keep apart)."""
    return min(PAIR_FLOOR, config.split_below)


def cluster_columns(config: MatchConfig) -> list[pl.Expr]:
    """What clustering reads of a scored pair: its records, ``probability``, ``match_weight``,
    ``match``, ``review`` and ``veto``, and of each ``identifiers``, ``contradicting`` and
    ``doubting`` comparison (and ``bridge.through``) only the sign of its weight
    (:mod:`crmclean.dedupe.chains` asks only whether it is for or against), as ``Int8``; and
    whether a bridge may lift its veto (:func:`~crmclean.dedupe.bridges.bridgeable`)."""
    names = [*config.identifiers, *config.contradicting, *config.doubting, *config.bridge.through]
    signs = [pl.col(f"w_{name}").sign().cast(pl.Int8) for name in dict.fromkeys(names)]
    kept = pl.col(LEFT, RIGHT, "probability", "match_weight", "match", "review", "veto")
    flag = [bridgeable(config, floor_of(config)).alias(BRIDGEABLE)] if config.bridge.through else []
    return [kept, *signs, *flag]


def by_chunk(
    compared: pl.DataFrame, pairs: pl.DataFrame, chunk_pairs: int = CHUNK_PAIRS
) -> list[pl.DataFrame]:
    """``compared`` (some of ``pairs`` compared: EM's sample) split by the chunk of
    ``chunk_pairs`` pairs each row falls in, each piece in the pairs' order."""
    rows, found = found_in(pairs, compared)
    ends = np.searchsorted(rows, np.arange(chunk_pairs, pairs.height + chunk_pairs, chunk_pairs))
    return [compared[piece] for piece in np.split(found, ends[:-1])]


def scored_chunks(
    pairs: pl.DataFrame,
    table: KeyTable,
    config: MatchConfig,
    params: Parameters,
    compared: pl.DataFrame | list[pl.DataFrame] | None = None,
    floor: float = 0.0,
    chunk_pairs: int = CHUNK_PAIRS,
    slim: bool = False,
) -> Chunked:
    """:func:`~crmclean.dedupe.settle.floored_pairs` of ``pairs``, ``chunk_pairs`` at a time,
    those of probability under ``floor`` (at most ``split_below``) kept as ``left, right``
    only, the others (with ``slim``) as :func:`cluster_columns`; the pairs keep their order.
    ``compared``: some pairs compared already, or those by chunk (:func:`by_chunk`), each piece
    taken out of the list as its chunk is begun. The chunks begin in order, one at a time,
    each one beside the end of the one before when :func:`beside` says so."""
    if floor > config.split_below:
        raise ValueError(f"floor {floor} above split_below {config.split_below}")
    kept, apart = [], [pl.DataFrame(schema=PAIR_SCHEMA)]
    pieces = (
        by_chunk(compared, pairs, chunk_pairs) if isinstance(compared, pl.DataFrame) else compared
    )
    starts = range(0, max(pairs.height, 1), chunk_pairs)

    def begin(start: int) -> Begun:
        piece = pieces.pop(0) if pieces else None  # the chunks begin in order, one at a time
        return begun(pairs.slice(start, chunk_pairs), table, config, params, piece, floor)

    pool = ThreadPoolExecutor(max_workers=1) if beside(config, len(starts)) else None
    try:
        coming = _coming(pool, begin, starts[0])
        for start, after in zip(starts, [*starts[1:], None], strict=True):
            made = coming
            if after is not None:
                coming = _coming(pool, begin, after)
            scored = floored(made(), table, config, params)  # no name holds the chunk begun
            chunk = pairs.slice(start, chunk_pairs)
            apart.append(chunk.filter(scored.low).select(LEFT, RIGHT).cast(PAIR_SCHEMA))
            kept.append(scored.kept.select(cluster_columns(config)) if slim else scored.kept)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        forget_kept()
    return Chunked(pl.concat(kept, how="vertical_relaxed", rechunk=True), pl.concat(apart))


def beside(config: MatchConfig, chunks: int) -> bool:
    """Whether each chunk begins (:func:`~crmclean.dedupe.settle.begun`: about half of a
    chunk's wall time, and most of its comparing) on a thread while the last one is finished
    (:func:`~crmclean.dedupe.settle.floored`, which holds one core half of the time): with
    :data:`CHUNKS_BESIDE` chunks or more (with fewer, the second chunk alive is a large share
    of the run's peak), and no key compared by one method on both sides (each method and key
    keeps its similarities from one chunk to the next, for one thread at a time)."""
    later = deferrable(config)
    names = {spec.name for spec in later}
    after = {(spec.key, spec.method) for spec in later}
    before = {(spec.key, spec.method) for spec in config.comparisons if spec.name not in names}
    return chunks >= CHUNKS_BESIDE and not before & after


def _coming(
    pool: ThreadPoolExecutor | None, begin: Callable[[int], Begun], start: int
) -> Callable[[], Begun]:
    """The chunk at ``start`` begun: on ``pool`` from now on, else when asked for."""
    return functools.partial(begin, start) if pool is None else _Beside(pool, begin, start)


class _Beside:
    """A chunk begun on a thread, handed over once (nothing else keeps it: a future would keep
    its result)."""

    def __init__(self, pool: ThreadPoolExecutor, begin: Callable[[int], Begun], start: int):
        self._made: list[Begun] = []
        self._done = pool.submit(lambda: self._made.append(begin(start)))

    def __call__(self) -> Begun:
        self._done.result()  # raises what beginning it raised
        return self._made.pop()
