"""Learning ``m`` (each level's share among pairs of the same person) from the data.

The rules give every comparison level an ``m``. Two ways refine it on the records at hand:

- **EM, without labels** (:func:`expectation_maximisation`): on a seeded sample of candidate
  pairs, the E-step scores each pair with the current ``m`` (the whole model: groups,
  explained disagreements, term frequencies, the prior) and the M-step takes each level's
  share among the pairs, weighed by their match probability, and the prior from the expected
  matches among all candidate pairs (so the default threshold means the same on any data).
  ``u`` stays as measured on random pairs, as Splink does. Each pattern of the sample (the
  thresholds its similarities reach, its term frequencies) is weighed once for all its pairs.
- **Labelled pairs** (:func:`from_labelled_pairs`): each level's share among the pairs a person
  marked as the same.

Either way the shares are smoothed toward the rules' ``m`` by pseudo-pairs (``m_prior_pairs``
for EM, ``training_prior_pairs`` for labelled pairs, which a person picked with care), so a
small or odd sample cannot run away with the model (EM alone tends to learn "same company"
instead of "same person" on CRM data).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import polars.selectors as cs
from polars.expr.whenthen import ChainedThen, Then

from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.config import ComparisonSpec, MatchConfig
from crmclean.dedupe.params import Parameters, level_index
from crmclean.dedupe.score import compared_pairs, probabilities, thresholds

TOLERANCE = 1e-4
WEIGHED_SLICE = 50_000  # EM's sample weighed this many patterns at a time (the weights held)
_ROW = "_row"


def _explained(spec: ComparisonSpec, specs: list[ComparisonSpec]) -> pl.Expr:
    """True where one of ``spec``'s ``explained_by`` comparisons reaches its first level."""
    first = {other.name: other.levels[0].at for other in specs}
    return pl.any_horizontal(
        pl.lit(False),
        *(pl.col(f"sim_{name}").fill_null(0.0) >= first[name] for name in spec.explained_by),
    )


def _levels(compared: pl.DataFrame, specs: list[ComparisonSpec]) -> dict[str, np.ndarray]:
    """The level each pair reaches per comparison, plus one (so ``len(levels) + 1`` below
    all; 0 when a record has no value, or when the comparison disagrees only because of what
    one of its ``explained_by`` comparisons found: the model weighs that disagreement as no
    evidence, so it says nothing of how often one person's records disagree so (a swapped
    name's first names differ, a sibling's too)): bins that :func:`_shares` counts as they are,
    every EM iteration, with no pairs filtered out first."""
    levels = compared.select(
        pl.when(_explained(spec, specs) & (level_index(sim, spec) == len(spec.levels)))
        .then(None)
        .otherwise(level_index(sim, spec) + 1)
        .fill_null(0)
        .alias(spec.name)
        for spec in specs
        for sim in [pl.col(f"sim_{spec.name}")]
    )
    return {name: levels[name].to_numpy() for name in levels.columns}


def _floored(shares: list[float], spec: ComparisonSpec) -> list[float]:
    """``shares`` with the disagreement share never below the rules': EM cannot see the true
    matches it fails to recognise, which are those that disagree (typos, nicknames)."""
    floor = spec.m[-1]
    if shares[-1] >= floor:
        return shares
    scale = (1.0 - floor) / (1.0 - shares[-1])
    return [share * scale for share in shares[:-1]] + [floor]


def _shares(
    levels: np.ndarray, weights: np.ndarray, spec: ComparisonSpec, strength: int
) -> list[float]:
    """Each level's weighed share among the pairs with both values (``levels`` of
    :func:`_levels`), smoothed toward the rules' ``m`` by ``strength`` pseudo-pairs."""
    counts = np.bincount(levels, weights=weights, minlength=len(spec.m) + 1)[1:]
    total = counts.sum() + strength
    return [float((count + strength * m) / total) for count, m in zip(counts, spec.m, strict=True)]


def _prior(probability: np.ndarray, candidates: int, population: int, config: MatchConfig) -> float:
    """The chance that two random records match, from the likely matches among the
    candidate pairs (the sample's pairs at p >= 0.5, weighed by p), kept within
    ``em_prior_range`` times the rules' ``duplicates_per_record`` prior."""
    pairs = population * (population - 1) / 2
    configured = config.duplicates_per_record / (max(population, config.min_population) - 1)
    if not len(probability):
        return min(configured, 0.5)
    likely = probability[probability >= 0.5]  # pairs EM is unsure of stay out of the count
    estimated = float(likely.sum()) / len(probability) * candidates / pairs
    low, high = configured / config.em_prior_range, configured * config.em_prior_range
    return min(max(estimated, low), high, 0.5)


def _reached(sim: str, cuts: set[float]) -> pl.Expr:
    """Which of ``cuts`` column ``sim`` reaches: 0 null, 1 none, 2 the highest, 3 the next..."""
    column = pl.col(sim)
    chain: Then | ChainedThen = pl.when(column.is_null()).then(pl.lit(0, dtype=pl.UInt8))
    for code, cut in enumerate(sorted(cuts, reverse=True), start=2):
        chain = chain.when(column >= cut).then(pl.lit(code, dtype=pl.UInt8))
    return chain.otherwise(pl.lit(1, dtype=pl.UInt8)).alias(sim)


def _patterns(sample: pl.DataFrame, config: MatchConfig) -> tuple[pl.DataFrame, np.ndarray]:
    """One pair of ``sample`` per pattern the weighing can tell apart (which of the
    :func:`~crmclean.dedupe.score.thresholds` each similarity reaches, the term frequencies),
    and each pair's pattern. Each pair is weighed on its own, so the pairs of a pattern weigh
    alike to the last bit: EM weighs each pattern once (contacts_100k: 31,588 for 200,000
    pairs)."""
    cuts = thresholds(config)
    sims = [f"sim_{spec.name}" for spec in config.comparisons]
    read = sample.select(
        *(
            _reached(sim, cuts[spec.name])
            for sim, spec in zip(sims, config.comparisons, strict=True)
        ),
        cs.starts_with("_tf_"),
    )
    groups = read.with_row_index(_ROW).group_by(read.columns).agg(_ROW)[_ROW]
    where = np.empty(read.height, dtype=np.int64)
    where[groups.explode().to_numpy()] = np.repeat(np.arange(groups.len()), groups.list.len())
    return sample.select(*sims, cs.starts_with("_tf_"))[groups.list.first()], where


def _probability(patterns: pl.DataFrame, config: MatchConfig, params: Parameters) -> np.ndarray:
    """The match probability of each of ``patterns``, weighed :data:`WEIGHED_SLICE` at a time
    (each row is weighed on its own, so as all at once; one slice's weights are held)."""
    slices = range(0, max(patterns.height, 1), WEIGHED_SLICE)
    return np.concatenate(
        [
            probabilities(patterns.slice(start, WEIGHED_SLICE), config, params).to_numpy()
            for start in slices
        ]
    )


def em_sample(pairs: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """The seeded sample of up to ``em_sample_pairs`` candidate pairs EM learns on."""
    size = min(config.em_sample_pairs, pairs.height)
    return pairs.sample(size, seed=config.seed) if size < pairs.height else pairs


def expectation_maximisation(
    compared: pl.DataFrame,
    config: MatchConfig,
    params: Parameters,
    population: int = 0,
    candidates: int | None = None,
) -> Parameters:
    """``params`` with ``m`` learned by EM on up to ``em_sample_pairs`` of the ``compared``
    candidate pairs (:func:`crmclean.dedupe.score.compared_pairs`; :func:`em_sample` of them
    when there are ``candidates`` pairs in all); given the ``population`` (the records),
    ``em_prior_range`` above 1 and ``em_prior_min_pairs`` candidate pairs or more (fewer say
    little about how many match), the prior too."""
    specs = config.comparisons
    sample = em_sample(compared, config)
    candidates = compared.height if candidates is None else candidates
    patterns, where = _patterns(sample, config)
    levels = {name: level[where] for name, level in _levels(patterns, specs).items()}
    estimable = candidates >= config.em_prior_min_pairs
    for _ in range(config.em_iterations):
        probability = _probability(patterns, config, params)[where]
        m = {
            spec.name: _floored(
                _shares(levels[spec.name], probability, spec, config.m_prior_pairs), spec
            )
            for spec in specs
        }
        change = max(
            abs(new - old)
            for spec in specs
            for new, old in zip(m[spec.name], params.m_of(spec), strict=True)
        )
        prior = params.prior
        if population > 1 and config.em_prior_range > 1 and estimable:
            prior = _prior(probability, candidates, population, config)
            change = max(change, abs(prior / params.prior - 1.0) * 1e-2)
        params = replace(params, m=m, prior=prior)
        if change < TOLERANCE:
            break
    return params


def from_labelled_pairs(
    matched: pl.DataFrame, table: KeyTable, config: MatchConfig, params: Parameters
) -> Parameters:
    """``params`` with ``m`` learned from ``matched`` (``left, right``: pairs a person marked
    as the same), smoothed toward the rules' ``m`` by ``training_prior_pairs`` pseudo-pairs."""
    specs = config.comparisons
    levels = _levels(compared_pairs(matched, table, config, params), specs)
    weights = np.ones(matched.height)
    strength = config.training_prior_pairs  # a person picked these pairs: few pseudo-pairs
    m = {spec.name: _shares(levels[spec.name], weights, spec, strength) for spec in specs}
    return replace(params, m=m)
