"""Scoring: a pure function from candidate pairs (with both records' keys) to scored pairs.

Every comparison of ``match.yaml`` gives a similarity ``sim_<name>`` and the evidence it adds,
``w_<name>``: the weight of the first level the similarity reaches, ``disagree`` when both
records have a value below every level, 0 when either has none. The ``score`` is the sum of the
evidence clipped to [0, 1] and rounded to 6 decimals (so that 0.1 + 0.7 reaches 0.8); a pair is
a ``match`` when its score reaches ``auto_merge_threshold`` and no veto comparison disagrees
(different names, Jr vs. Sr).
"""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.compare import METHODS
from crmclean.dedupe.config import ComparisonSpec, MatchConfig


def _similarity(pairs: pl.DataFrame, spec: ComparisonSpec) -> pl.Series:
    method = METHODS[spec.method]
    return method.similarity(pairs, f"{spec.key}_l", f"{spec.key}_r").alias(f"sim_{spec.name}")


def _evidence(spec: ComparisonSpec) -> pl.Expr:
    """The weight of the first level reached by ``sim_<name>``."""
    sim = pl.col(f"sim_{spec.name}")
    chain = pl.when(sim.is_null()).then(pl.lit(0.0))
    for level in spec.levels:
        chain = chain.when(sim >= level.at).then(pl.lit(level.weight))
    return chain.otherwise(pl.lit(spec.disagree)).alias(f"w_{spec.name}")


def _vetoed(spec: ComparisonSpec) -> pl.Expr:
    """True when a veto comparison has both values and they fall below every level."""
    return pl.col(f"sim_{spec.name}").fill_null(1.0) < spec.levels[-1].at


def score_pairs(pairs: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """Add ``sim_<name>`` and ``w_<name>`` per comparison, ``score`` and ``match`` to ``pairs``.

    ``pairs`` holds ``<key>_l`` and ``<key>_r`` for every key the comparisons read.
    """
    specs = config.comparisons
    scored = pairs.with_columns(_similarity(pairs, spec) for spec in specs)
    scored = scored.with_columns(_evidence(spec) for spec in specs)
    total = pl.sum_horizontal(f"w_{spec.name}" for spec in specs).clip(0.0, 1.0).round(6)
    vetoes = [_vetoed(spec) for spec in specs if spec.veto]
    vetoed = pl.any_horizontal(vetoes) if vetoes else pl.lit(False)
    scored = scored.with_columns(score=total)
    return scored.with_columns(match=(pl.col("score") >= config.auto_merge_threshold) & ~vetoed)
