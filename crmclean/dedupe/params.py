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

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from crmclean.dedupe.coded_keys import KeyTable, index_of
from crmclean.dedupe.compare import LEFT, RIGHT, compare
from crmclean.dedupe.config import ComparisonSpec, MatchConfig

_KNOWN = "_known"
THREADS = os.cpu_count() or 1


@dataclass(frozen=True)
class Parameters:
    """``u`` of every level (then of disagreement) per comparison; for the ``tf`` comparisons
    the ``u`` of each value of their key, by code; the prior match probability of a random
    pair; ``m`` per comparison where it was learned (EM or labelled pairs), else the rules'."""

    u: dict[str, list[float]]
    tf: dict[str, pl.Series]
    prior: float
    m: dict[str, list[float]] = field(default_factory=dict)

    def m_of(self, spec: ComparisonSpec) -> list[float]:
        return self.m.get(spec.name, spec.m)


def level_index(sim: pl.Expr, spec: ComparisonSpec) -> pl.Expr:
    """The index of the first level ``sim`` reaches; ``len(levels)`` below all; null for null."""
    chain: Then | ChainedThen = pl.when(sim.is_null()).then(pl.lit(None, dtype=pl.UInt8))
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


def level_shares(sim: pl.Series, spec: ComparisonSpec) -> list[int]:
    """How many of the compared pairs (``sim`` not null) reach each level, then none."""
    levels = pl.DataFrame({"sim": sim}).select(level=level_index(pl.col("sim"), spec))
    counts = np.bincount(levels["level"].drop_nulls().to_numpy(), minlength=len(spec.m))
    return [int(count) for count in counts]


def _smoothed_u(counts: list[int], spec: ComparisonSpec, prior: int) -> list[float]:
    """``u`` per level: the sample's ``counts``, smoothed toward the configured ``u``."""
    total = sum(counts) + prior
    return [(seen + prior * u0) / total for seen, u0 in zip(counts, spec.u, strict=True)]


def _level_counts(
    sample: pl.DataFrame,
    table: KeyTable,
    comparisons: list[ComparisonSpec],
    pool: ThreadPoolExecutor,
) -> dict[str, list[int]]:
    """Per comparison, how many ``sample`` pairs reach each level: each key compared once by
    a method, those comparisons side by side on ``pool`` (as
    :func:`~crmclean.dedupe.score.similarities`: no kept cache is met by two at once)."""
    by_key: dict[tuple[str, str], list[ComparisonSpec]] = {}
    for spec in comparisons:
        by_key.setdefault((spec.key, spec.method), []).append(spec)

    def counted(specs: list[ComparisonSpec]) -> list[tuple[str, list[int]]]:
        sim = compare(sample, table, specs[0].key, specs[0].method)
        return [(spec.name, level_shares(sim, spec)) for spec in specs]

    return dict(pair for done in pool.map(counted, by_key.values()) for pair in done)


def _holders(table: KeyTable, key: str) -> tuple[np.ndarray, int]:
    """How many records hold each value of ``key`` (by code), and how many hold any (a list
    key's values counted once per record: its :meth:`~KeyTable.single` codes, the lists of
    records holding several made unique)."""
    column = table.codes[key]
    if table.is_list(key):
        single = table.single(key)  # most records hold one value: only the others made unique
        several = column.filter(single.several).list.unique().explode()
        flat = pl.concat([single.code.filter(~single.several).drop_nulls(), several])
        indices = flat.to_frame(key).select(index_of(pl.col(key))).to_series()
        carriers = int((column.list.len() > 0).sum())
    else:
        indices = column.drop_nulls()
        carriers = indices.len()
    counts = np.bincount(indices.to_numpy(), minlength=table.values[key].len())
    return counts, carriers


def _frequencies(
    table: KeyTable, spec: ComparisonSpec, config: MatchConfig, population: int, u: float
) -> pl.Series:
    """The ``u`` of each value of the key (by code): how many *other* records carry it (never
    below ``tf_min``), over the records with a value; never below its known share, nor below
    the first level's ``u`` (random pairs) with ``tf_common_only``. A name of one word (a
    record with only a surname or a first name) is as common as the names holding that word."""
    counts, carriers = _holders(table, spec.key)
    values = table.values[spec.key]
    if spec.key == "name_tokens":
        counts = np.maximum(counts, _word_holders(values, counts))
    others = np.maximum(counts - spec.tf_own, spec.tf_min) / max(carriers, population)
    others = np.maximum(others, u) if spec.tf_common_only else others
    known = _known_shares(spec.key, config)
    floor = values.to_frame().join(known, on=spec.key, how="left", maintain_order="left")
    shares = pl.Series(others).to_frame("u").with_columns(floor[_KNOWN])
    return shares.select(pl.max_horizontal("u", _KNOWN)).to_series().alias(spec.key)


def _word_holders(values: pl.Series, counts: np.ndarray) -> np.ndarray:
    """Per value of ``name_tokens``: how many records' names hold it as a word, for a value of
    one word (``pera``: every Pera); 0 for longer ones."""
    held = pl.DataFrame({"value": values, "count": counts})
    lone = held.select(
        word=pl.when(~pl.col("value").str.contains(" ", literal=True)).then(pl.col("value"))
    )
    words = held.with_columns(word=pl.col("value").str.split(" ")).explode("word")
    words = words.filter(pl.col("word").is_in(lone["word"].drop_nulls().implode()))  # few
    summed = words.group_by("word").agg(pl.col("count").sum().alias("held"))
    found = lone.join(summed, on="word", how="left", maintain_order="left")
    return found["held"].fill_null(0).to_numpy()


# Keys whose common values are those of another key's ``common_names`` table.
_SHARED_AS = {
    "given_names": "first_name",
    "surnames": "last_name",
    "surnames_with_mail": "last_name",
}


def _known_shares(key: str, config: MatchConfig) -> pl.DataFrame:
    """The population share of common values of ``key`` (``given_names`` and ``surnames``: those
    of the first and the last name; ``first_last`` and ``name_tokens``: first x last)."""
    schema = {key: pl.String, _KNOWN: pl.Float64}
    tables = {
        name: pl.DataFrame(list(shares.items()), schema=list(schema), orient="row")
        for name, shares in config.common_names.items()
    }
    named = _SHARED_AS.get(key, key)
    if named in tables:
        return tables[named].rename({tables[named].columns[0]: key})
    if key in ("first_last", "name_tokens") and {"first_name", "last_name"} <= set(tables):
        first, last = tables["first_name"], tables["last_name"]
        both = first.join(last, how="cross", suffix="_last")
        words = pl.concat_list(key, f"{key}_last")
        words = words.list.sort() if key == "name_tokens" else words  # name_tokens: sorted words
        return both.select(
            words.list.join(" ").alias(key),
            (pl.col(_KNOWN) * pl.col(f"{_KNOWN}_last")).alias(_KNOWN),
        )
    return pl.DataFrame(schema=schema)


def estimate(table: KeyTable, config: MatchConfig) -> Parameters:
    """Estimate the parameters from the coded keys of every record: the random pairs'
    comparisons, then the term frequencies, each side by side, one thread per core (polars
    and rapidfuzz work outside the GIL; most of a comparison runs on one core)."""
    size = table.height
    sample = random_pairs(size, config.u_sample_pairs, config.seed)
    population = max(size, config.min_population)
    tf_specs = [spec for spec in config.comparisons if spec.tf]
    workers = min(THREADS, max(len(config.comparisons), 1))
    with ThreadPoolExecutor(workers, thread_name_prefix="crmclean-estimate") as pool:
        counts = _level_counts(sample, table, config.comparisons, pool)
        u = {
            spec.name: _smoothed_u(counts[spec.name], spec, config.u_prior_pairs)
            for spec in config.comparisons
        }
        shares = pool.map(
            lambda spec: _frequencies(table, spec, config, population, u[spec.name][0]),
            tf_specs,
        )
        tf = {spec.name: share for spec, share in zip(tf_specs, shares, strict=True)}
    prior = min(config.duplicates_per_record / (population - 1), 0.5)
    return Parameters(u, tf, prior)
