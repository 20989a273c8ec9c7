"""Model parameters estimated from the records themselves, without labels.

Fellegi-Sunter: every comparison level has ``m`` (its share among true matches, from
``match.yaml``) and ``u`` (its share among random pairs of records). ``u`` is measured on a
seeded sample of random record pairs, smoothed toward the ``u`` of ``match.yaml`` by
``u_prior_pairs`` pseudo-pairs so that tiny inputs stay sensible. Comparisons with ``tf: true``
replace the ``u`` of their first level by the value's own frequency (term-frequency
adjustment): agreeing on ``silva`` or on a switchboard number shared by 40 records is weak
evidence, agreeing on a rare surname strong. The frequency counts the records holding the value
beyond the ``tf_own`` that are likely one person's own (at least ``tf_min``): a personal
e-mail held by three records (one person) is near-certain evidence with ``tf_own: 3, tf_min:
0.01``; a name held by two is not with the defaults (1, 1). A name's share is never below its
known share in the population (``common_names``): ``Maria Silva`` is common even when a small
file holds her once. The prior is the chance that two random records
are the same person, ``duplicates_per_record / (N - 1)``, so the match probability stays
calibrated as the data grows. ``N`` is never taken below ``min_population``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crmclean.dedupe.compare import LEFT, METHODS, RIGHT, pair_values
from crmclean.dedupe.config import ComparisonSpec, MatchConfig
from crmclean.dedupe.keys import LIST_KEYS

TF_U = "_tf_u"


@dataclass(frozen=True)
class Parameters:
    """``u`` of every level (then of disagreement) per comparison, value frequencies of the
    ``tf`` comparisons (``value, _tf_u``) and the prior match probability of a random pair."""

    u: dict[str, list[float]]
    tf: dict[str, pl.DataFrame]
    prior: float


def level_index(sim: pl.Expr, spec: ComparisonSpec) -> pl.Expr:
    """The index of the first level ``sim`` reaches; ``len(levels)`` below all; null for null."""
    chain = pl.when(sim.is_null()).then(pl.lit(None, dtype=pl.UInt8))
    for index, level in enumerate(spec.levels):
        chain = chain.when(sim >= level.at).then(pl.lit(index, dtype=pl.UInt8))
    return chain.otherwise(pl.lit(len(spec.levels), dtype=pl.UInt8))


def random_pairs(size: int, count: int, seed: int) -> pl.DataFrame:
    """Up to ``count`` distinct random pairs of ``size`` records (``left < right``); every pair
    when there are no more than ``count`` (then the estimate does not depend on record order)."""
    if size * (size - 1) // 2 <= count:
        left, right = np.triu_indices(size, k=1)
        return pl.DataFrame({LEFT: left.astype(np.uint32), RIGHT: right.astype(np.uint32)})
    rng = np.random.default_rng(seed)
    left = rng.integers(0, size, count, dtype=np.uint32)
    right = rng.integers(0, size, count, dtype=np.uint32)
    pairs = pl.DataFrame({LEFT: np.minimum(left, right), RIGHT: np.maximum(left, right)})
    return pairs.filter(pl.col(LEFT) < pl.col(RIGHT)).unique(maintain_order=True)


def _estimated_u(sample: pl.DataFrame, spec: ComparisonSpec, config: MatchConfig) -> list[float]:
    """``u`` per level: the sample's shares, smoothed toward the configured ``u``."""
    sim = METHODS[spec.method].similarity(sample, f"{spec.key}_l", f"{spec.key}_r")
    levels = pl.DataFrame({"sim": sim}).select(level=level_index(pl.col("sim"), spec)).drop_nulls()
    counts = levels["level"].value_counts()
    seen = dict(zip(counts["level"].to_list(), counts["count"].to_list(), strict=True))
    prior = config.u_prior_pairs
    total = levels.height + prior
    return [(seen.get(i, 0) + prior * u0) / total for i, u0 in enumerate(spec.u)]


def _frequencies(
    keys: pl.DataFrame, spec: ComparisonSpec, config: MatchConfig, population: int
) -> pl.DataFrame:
    """Each value of the key and its ``u`` (``_tf_u``): how many *other* records carry it
    (never below ``tf_min``), over the records with a value."""
    key = spec.key
    column = pl.col(key)
    if key in LIST_KEYS:
        values = keys.select(column.list.unique()).explode(key)
        carriers = keys.filter(column.list.len() > 0).height
    else:
        values = keys.select(key)
        carriers = values.drop_nulls().height
    others = (pl.len().cast(pl.Float64) - spec.tf_own).clip(lower_bound=spec.tf_min)
    counted = (
        values.drop_nulls().group_by(key).agg((others / max(carriers, population)).alias(TF_U))
    )
    return _at_least_known(counted, key, _known_shares(key, config))


def _known_shares(key: str, config: MatchConfig) -> pl.DataFrame:
    """The population share of common values of ``key`` (``first_last``: first x last)."""
    schema = {key: pl.String, "_known": pl.Float64}
    tables = {
        name: pl.DataFrame(list(shares.items()), schema=list(schema), orient="row")
        for name, shares in config.common_names.items()
    }
    if key in tables:
        return tables[key].rename({tables[key].columns[0]: key})
    if key == "first_last" and {"first_name", "last_name"} <= set(tables):
        first, last = tables["first_name"], tables["last_name"]
        both = first.join(last, how="cross", suffix="_last")
        return both.select(
            pl.concat_str(key, f"{key}_last", separator=" ").alias(key),
            (pl.col("_known") * pl.col("_known_last")).alias("_known"),
        )
    return pl.DataFrame(schema=schema)


def _at_least_known(counted: pl.DataFrame, key: str, known: pl.DataFrame) -> pl.DataFrame:
    """``u`` never below the value's known share in the population (``Silva``, ``Maria``)."""
    joined = counted.join(known, on=key, how="left", maintain_order="left")
    return joined.select(key, pl.max_horizontal(TF_U, "_known").alias(TF_U))


def estimate(keys: pl.DataFrame, config: MatchConfig) -> Parameters:
    """Estimate the parameters from ``keys`` (record ``i`` at row ``i``)."""
    size = keys.height
    sample = random_pairs(size, config.u_sample_pairs, config.seed)
    names = list(dict.fromkeys(spec.key for spec in config.comparisons))
    sample = pair_values(sample, keys, names)
    u = {spec.name: _estimated_u(sample, spec, config) for spec in config.comparisons}
    population = max(size, config.min_population)
    tf = {
        spec.name: _frequencies(keys, spec, config, population)
        for spec in config.comparisons
        if spec.tf
    }
    prior = min(config.duplicates_per_record / (population - 1), 0.5)
    return Parameters(u, tf, prior)
