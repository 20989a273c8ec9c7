"""Scoring: a pure function from candidate pairs (and the coded keys) to scored pairs.

Fellegi-Sunter evidence: each comparison gives a similarity ``sim_<name>``, the level it
reaches and its weight ``w_<name> = log2(m / u)`` in bits (0 when either record has no value;
``u`` of a ``tf`` comparison's first level is the frequency of the agreed value). Correlated
comparisons share a ``group`` (a company's switchboard, its address and its name say "same
workplace" once, not three times): a group adds its largest positive weight and its most
negative one (a ``group_against`` comparison only against). ``match_weight`` is the prior
log-odds plus the evidence,
``probability`` its logistic; a pair is a ``match`` at ``auto_merge_threshold`` or more and no
veto comparison disagreeing (different first names, Jr vs. Sr; unless a ``veto_unless``
comparison agrees, like a shared personal e-mail), ``review`` between ``review_threshold`` and
the merge. A comparison's evidence against is dropped when one of its ``explained_by``
comparisons agrees (first and last names that differ because the name was swapped).
"""

from __future__ import annotations

import functools
import math
import operator
import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, TypeVar

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from crmclean.dedupe.coded_keys import KeyTable, index_of
from crmclean.dedupe.compare import LEFT, RIGHT, compare
from crmclean.dedupe.config import ComparisonSpec, MatchConfig, comparison_name
from crmclean.dedupe.params import Parameters, level_index

_ROW, _TF, _LEVEL = "_row", "_tf", "_level_"
THREADS = os.cpu_count() or 1
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def default_parameters(config: MatchConfig) -> Parameters:
    """The configured ``u`` and a prior for ``min_population`` records, no term frequencies."""
    u = {spec.name: spec.u for spec in config.comparisons}
    return Parameters(u, {}, config.duplicates_per_record / (config.min_population - 1))


def similarities(
    pairs: pl.DataFrame, table: KeyTable, specs: list[ComparisonSpec]
) -> list[pl.Series]:
    """``sim_<name>`` per comparison; a key compared twice by one method is compared once.
    The comparisons run side by side, one thread per core (polars and rapidfuzz work outside
    the GIL, and much of a comparison's string work is single-threaded)."""
    wanted = list(dict.fromkeys((spec.key, spec.method) for spec in specs))
    with ThreadPoolExecutor(max_workers=min(THREADS, len(wanted) or 1)) as pool:
        done = dict(
            zip(wanted, pool.map(lambda pair: compare(pairs, table, *pair), wanted), strict=True)
        )
    return [done[spec.key, spec.method].alias(f"sim_{spec.name}") for spec in specs]


def _tf_u(pairs: pl.DataFrame, table: KeyTable, key: str, shares: pl.Series) -> pl.Series:
    """The ``u`` of the value each pair agrees on: the commoner of the two records' values (a
    text key: the same value, or a compound name and its part), the rarest shared one (a list
    key)."""
    if table.is_list(key):
        return _tf_list_u(pairs, table, key, shares)
    per_record = table.record_shares(key, shares)
    both = pl.DataFrame(
        {LEFT: per_record.gather(pairs[LEFT]), RIGHT: per_record.gather(pairs[RIGHT])}
    )
    return both.select(pl.max_horizontal(LEFT, RIGHT)).to_series()


def _tf_list_u(pairs: pl.DataFrame, table: KeyTable, key: str, shares: pl.Series) -> pl.Series:
    """:func:`_tf_u` of a list key: the value's ``u`` where both records hold that one value,
    the rarest shared one's where either holds several."""
    left, right, several = table.single_pairs(key, pairs, LEFT, RIGHT)
    codes = pl.DataFrame({LEFT: left, RIGHT: right})
    agreed = codes.select(pl.when(pl.col(LEFT) == pl.col(RIGHT)).then(index_of(pl.col(LEFT))))
    result = shares.gather(agreed.to_series()).cast(pl.Float64)
    if several.is_empty():
        return result
    rows = pairs.select(LEFT, RIGHT)[several]
    return result.scatter(several, _tf_lists_u(rows, table, key, shares).cast(pl.Float64))


def _tf_lists_u(pairs: pl.DataFrame, table: KeyTable, key: str, shares: pl.Series) -> pl.Series:
    """:func:`_tf_u` of a list key, from the two records' lists."""
    left = table.codes[key].gather(pairs[LEFT])
    right = table.codes[key].gather(pairs[RIGHT])
    shared = pl.DataFrame({key: left.list.set_intersection(right)}).with_row_index(_ROW)
    flat = shared.explode(key).drop_nulls(key)
    flat = flat.select(
        _ROW, shares.gather(flat.select(index_of(pl.col(key))).to_series()).alias(_TF)
    )
    rarest = flat.group_by(_ROW).agg(pl.col(_TF).min())
    rows = pl.DataFrame({_ROW: pl.int_range(pairs.height, eager=True, dtype=pl.UInt32)})
    return rows.join(rarest, on=_ROW, how="left", maintain_order="left")[_TF]


def _weight(
    spec: ComparisonSpec,
    m: list[float],
    u: list[float],
    tf_u: pl.Expr | None,
    level: pl.Expr | None = None,
) -> pl.Expr:
    """``log2(m / u)`` of the ``level`` reached (:func:`level_index` of its similarity when
    not given); the value's own ``u`` at the first level with tf, and with ``tf_levels`` at
    the lower ones too (:func:`near_weight`)."""
    level = level_index(pl.col(f"sim_{spec.name}"), spec) if level is None else level
    chain: Then | ChainedThen = pl.when(level.is_null()).then(pl.lit(0.0))
    if tf_u is not None:
        chain = chain.when((level == 0) & tf_u.is_not_null()).then(
            (m[0] / tf_u.clip(1e-12, 1.0)).log(2)
        )
        for index, weight in near_weights(spec, m, u, tf_u).items():
            chain = chain.when((level == index) & tf_u.is_not_null()).then(weight)
    for index, (m_level, u_level) in enumerate(zip(m, u, strict=True)):
        chain = chain.when(level == index).then(pl.lit(math.log2(m_level / u_level)))
    return chain.otherwise(pl.lit(0.0)).alias(f"w_{spec.name}")


def tf_lower_levels(spec: ComparisonSpec) -> range:
    """The levels below the first that a ``tf`` comparison's value frequency moves: every
    one with ``tf_levels``, none without."""
    return range(1, len(spec.levels) if spec.tf_levels else 1)


def near_weights(
    spec: ComparisonSpec, m: list[float], u: list[float], tf_u: pl.Expr
) -> dict[int, pl.Expr]:
    """:func:`near_weight` of each of :func:`tf_lower_levels`, by level index."""
    return {index: near_weight(m, u, index, tf_u) for index in tf_lower_levels(spec)}


def near_weight(m: list[float], u: list[float], index: int, tf_u: pl.Expr) -> pl.Expr:
    """The weight of lower level ``index`` (a typo) by the commoner value's frequency
    ``tf_u``: its own ``log2(m / u)`` moved as the first level's would be (``log2(u / tf_u)``,
    as Splink adjusts fuzzy levels), but never above an average exact agreement (two rare
    spellings one typo apart are as often two rare names)."""
    own = math.log2(m[index] / u[index])
    shift = (u[0] / tf_u.clip(1e-12, 1.0)).log(2)
    return (own + shift).clip(upper_bound=max(own, math.log2(m[0] / u[0])))


def _evidence(specs: list[ComparisonSpec]) -> pl.Expr:
    """The sum of the weights (added in one order: ``sum_horizontal`` may add them in another
    each run, a difference in the last bits); a group counts once for (its largest positive
    weight) and once against (its most negative). A ``group_against`` comparison counts for
    alone and against with that group."""
    weight = {spec.name: pl.col(f"w_{spec.name}") for spec in specs}
    alone = [weight[s.name] for s in specs if s.group is None and s.group_against is None]
    alone += [weight[s.name].clip(lower_bound=0.0) for s in specs if s.group_against]
    groups = dict.fromkeys(s.group or s.group_against for s in specs if s.group or s.group_against)
    for group in groups:
        members = [weight[s.name] for s in specs if s.group == group]
        against = members + [weight[s.name] for s in specs if s.group_against == group]
        if members:
            alone.append(pl.max_horizontal(*(w.clip(lower_bound=0.0) for w in members)))
        alone.append(pl.min_horizontal(*(w.clip(upper_bound=0.0) for w in against)))
    return functools.reduce(operator.add, alone, pl.lit(0.0))


def _agrees(name: str, config: MatchConfig) -> pl.Expr:
    """True when comparison ``name`` reaches its first level (``name@0.8``: that similarity;
    ``~name``: it does not disagree, its last level reached or a value missing; ``!name``: it
    does not agree, below its first level (or ``@`` similarity) or a value missing)."""
    if name.startswith("!"):
        return ~_agrees(name[1:], config)
    name, _, at = name.partition("@")
    unopposed = name.startswith("~")
    name = name.removeprefix("~")
    spec = next(spec for spec in config.comparisons if spec.name == name)
    if unopposed:
        return pl.col(f"sim_{name}").fill_null(1.0) >= spec.levels[-1].at
    return pl.col(f"sim_{name}").fill_null(0.0) >= (float(at) if at else spec.levels[0].at)


def _explained(spec: ComparisonSpec, config: MatchConfig) -> pl.Expr:
    """``w_<name>`` without its evidence against when an ``explained_by`` comparison agrees (a
    swapped name explains different first and last names)."""
    weight = pl.col(f"w_{spec.name}")
    explained = pl.any_horizontal(_agrees(name, config) for name in spec.explained_by)
    return (
        pl.when(explained & (weight < 0))
        .then(0.0)
        .otherwise(weight)
        .alias(weight.meta.output_name())
    )


def _superseded(spec: ComparisonSpec, config: MatchConfig) -> pl.Expr:
    """``w_<name>`` without its evidence for when a ``superseded_by`` comparison agrees (the
    whole name's own frequency already says what its parts would)."""
    weight = pl.col(f"w_{spec.name}")
    covered = pl.any_horizontal(_agrees(name, config) for name in spec.superseded_by)
    return pl.when(covered & (weight > 0)).then(0.0).otherwise(weight).alias(f"w_{spec.name}")


def _vetoed(spec: ComparisonSpec, config: MatchConfig) -> pl.Expr:
    """True when a veto comparison has both values below every level and none of its
    ``veto_unless`` comparisons agrees at its first level (``a+b``: both of them agree;
    ``a+~b``: a agrees and b does not disagree; ``a+!b``: a agrees and b does not agree)."""
    disagrees = pl.col(f"sim_{spec.name}").fill_null(1.0) < spec.levels[-1].at
    rescued = [
        pl.all_horizontal(_agrees(part, config) for part in name.split("+"))
        for name in spec.veto_unless
    ]
    return disagrees & ~pl.any_horizontal(rescued) if rescued else disagrees


def thresholds(config: MatchConfig) -> dict[str, set[float]]:
    """Every similarity :func:`weighed_pairs` compares each ``sim_<name>`` with: its levels'
    and the ``@`` similarities of the ``explained_by``, ``superseded_by`` and ``veto_unless``
    parts naming it (:func:`_agrees`). A pair's weights, probability and veto depend on its
    similarities only through which of these they reach (EM weighs each such pattern once)."""
    found = {spec.name: {level.at for level in spec.levels} for spec in config.comparisons}
    for spec in config.comparisons:
        for name in [*spec.explained_by, *spec.superseded_by, *spec.veto_unless]:
            for part in name.split("+"):
                at = part.partition("@")[2]
                if at:
                    found[comparison_name(part)].add(float(at))
    return found


def compared_pairs(
    pairs: pl.DataFrame, table: KeyTable, config: MatchConfig, params: Parameters
) -> pl.DataFrame:
    """``pairs`` with ``sim_<name>`` per comparison and the term-frequency ``u`` of the value
    each ``tf`` comparison agrees on (``_tf_<name>``): the costly part, done once."""
    specs = config.comparisons
    sims = similarities(pairs, table, specs)
    tf = tf_columns(pairs, table, [spec for spec in specs if spec.name in params.tf], params, sims)
    return pairs.with_columns(*sims, **tf)


def tf_columns(
    pairs: pl.DataFrame,
    table: KeyTable,
    specs: list[ComparisonSpec],
    params: Parameters,
    sims: list[pl.Series],
) -> dict[str, pl.Series]:
    """``_tf_<name>`` of each ``tf`` comparison of ``specs``: the ``u`` of the value each pair
    agrees on, where its ``sim_<name>`` (one of ``sims``) reaches a level the term frequency
    weighs (the first; every level with ``tf_levels``), null elsewhere: few pairs agree, so few
    are looked up."""
    found = {sim.name: sim for sim in sims}
    return {f"_tf_{spec.name}": _agreed_u(pairs, table, spec, params, found) for spec in specs}


def _agreed_u(
    pairs: pl.DataFrame,
    table: KeyTable,
    spec: ComparisonSpec,
    params: Parameters,
    sims: dict[str, pl.Series],
) -> pl.Series:
    """:func:`_tf_u` of ``spec`` where its similarity reaches a level the term frequency weighs
    (the first; every level with ``tf_levels``), null elsewhere."""
    weighed = spec.levels[-1] if spec.tf_levels else spec.levels[0]
    agreed = (sims[f"sim_{spec.name}"] >= weighed.at).fill_null(False).arg_true()
    empty = pl.repeat(None, pairs.height, dtype=pl.Float64, eager=True)
    if agreed.is_empty():
        return empty
    u = _tf_u(pairs[agreed], table, spec.key, params.tf[spec.name])
    return empty.scatter(agreed, u.cast(pl.Float64))


def weighed_pairs(compared: pl.DataFrame, config: MatchConfig, params: Parameters) -> pl.DataFrame:
    """:func:`compared_pairs` with ``w_<name>``, ``match_weight``, ``probability``, ``score``
    (the probability, rounded), ``veto``, ``match`` and ``review``; the ``_tf_`` columns go."""
    return _weighed(compared, config, params)


def probabilities(compared: pl.DataFrame, config: MatchConfig, params: Parameters) -> pl.Series:
    """Only ``probability`` of :func:`weighed_pairs`, by the same eager steps up to it (so the
    same to the last bit), none after it: EM reads nothing else, and the veto, decisions and
    score were a fifth of each weighing (neutral 1M, EM's 95,745 patterns: 0.050 -> 0.042 s)."""
    tf = tuple(name for name in compared.columns if name.startswith("_tf_"))
    steps = _weighing(config, params, tf)
    weighed = compared.with_columns(steps.levels).with_columns(steps.weights)
    weighed = weighed.with_columns(steps.explained).with_columns(steps.superseded)
    return weighed.select(steps.match_weight).select(steps.probability[0]).to_series()


def decisive_columns(
    compared: pl.DataFrame, config: MatchConfig, params: Parameters
) -> pl.DataFrame:
    """Only ``match_weight`` and ``veto`` of :func:`weighed_pairs`, from one lazy query (no
    other column is materialized; the weight may differ from the eager one in its last bits)."""
    query = _weighed(compared.lazy(), config, params)
    return query.select("match_weight", "veto").collect()


def _weighed(compared: Frame, config: MatchConfig, params: Parameters) -> Frame:
    """:func:`weighed_pairs` of a frame or a lazy frame."""
    tf = tuple(name for name in compared.collect_schema().names() if name.startswith("_tf_"))
    steps = _weighing(config, params, tf)
    levels = [level.meta.output_name() for level in steps.levels]
    scored = compared.with_columns(steps.levels).with_columns(steps.weights).drop(*tf, *levels)
    scored = scored.with_columns(steps.explained)
    scored = scored.with_columns(steps.superseded)
    scored = scored.with_columns(steps.match_weight)
    scored = scored.with_columns(steps.probability)
    scored = scored.with_columns(steps.veto)
    return scored.with_columns(steps.decisions)


class _Weighing(NamedTuple):
    """The expressions of :func:`_weighed`, step by step."""

    levels: list[pl.Expr]
    weights: list[pl.Expr]
    explained: list[pl.Expr]
    superseded: list[pl.Expr]
    match_weight: pl.Expr
    probability: list[pl.Expr]
    veto: pl.Expr
    decisions: list[pl.Expr]


_WEIGHINGS: dict[tuple[int, tuple[object, ...]], tuple[MatchConfig, _Weighing]] = {}
_KEPT_WEIGHINGS = 4  # a chunk's quick weight and its weighing in full read other tf columns


def _weighing(config: MatchConfig, params: Parameters, tf: tuple[str, ...]) -> _Weighing:
    """:class:`_Weighing` of ``config`` with the ``m``, ``u`` and prior of ``params`` over a
    frame of the ``tf`` columns, built once for the chunks of a run (the last few built are
    kept: ``config`` known by identity, the model by value; a chunk's quick weight and its
    weighing in full, which two threads may run at once, each find theirs): building them
    costs some 7 ms."""
    model = (
        params.prior,
        tf,
        *(tuple(params.m_of(s) + params.u[s.name]) for s in config.comparisons),
    )
    held = _WEIGHINGS.get((id(config), model))
    if held is not None and held[0] is config:
        return held[1]
    made = _built(config, params, tf)
    if len(_WEIGHINGS) >= _KEPT_WEIGHINGS:
        _WEIGHINGS.clear()
    _WEIGHINGS[id(config), model] = (config, made)
    return made


def _built(config: MatchConfig, params: Parameters, tf: tuple[str, ...]) -> _Weighing:
    """:class:`_Weighing` of ``config`` and ``params`` over a frame of the ``tf`` columns."""
    specs = config.comparisons
    # each level made once, a column: each branch of a weight made it again (eager steps
    # share nothing), EM's 95,745 patterns at 1M 0.029 -> 0.023 s a weighing, the same weights
    levels = [level_index(pl.col(f"sim_{s.name}"), s).alias(f"{_LEVEL}{s.name}") for s in specs]
    weights = [
        _weight(
            spec,
            params.m_of(spec),
            params.u[spec.name],
            _tf_column(spec, list(tf)),
            pl.col(f"{_LEVEL}{spec.name}"),
        )
        for spec in specs
    ]
    prior = math.log2(params.prior / (1.0 - params.prior))
    probability = 1.0 / (1.0 + (2.0 ** -pl.col("match_weight")))
    vetoes = [_vetoed(spec, config) for spec in specs if spec.veto]
    vetoed = pl.any_horizontal(vetoes) if vetoes else pl.lit(False)
    likely = pl.col("probability") >= config.auto_merge_threshold
    maybe = pl.col("probability") >= config.review_threshold
    veto = pl.col("veto")  # made the step before: not made again
    return _Weighing(
        levels,
        weights,
        [_explained(spec, config) for spec in specs if spec.explained_by],
        [_superseded(spec, config) for spec in specs if spec.superseded_by],
        (_evidence(specs) + prior).alias("match_weight"),
        [probability.alias("probability"), probability.round(6).alias("score")],
        vetoed.alias("veto"),
        [(likely & ~veto).alias("match"), (maybe & ~likely & ~veto).alias("review")],
    )


def weight(spec: ComparisonSpec, params: Parameters, columns: list[str]) -> pl.Expr:
    """``w_<name>`` of ``spec`` (before ``explained_by`` and ``superseded_by``) over a frame
    of ``columns`` (its ``_tf_<name>`` when there)."""
    tf = [name for name in columns if name.startswith("_tf_")]
    return _weight(spec, params.m_of(spec), params.u[spec.name], _tf_column(spec, tf))


def _tf_column(spec: ComparisonSpec, tf: list[str]) -> pl.Expr | None:
    name = f"_tf_{spec.name}"
    return pl.col(name) if name in tf else None


def score_pairs(
    pairs: pl.DataFrame, table: KeyTable, config: MatchConfig, params: Parameters | None = None
) -> pl.DataFrame:
    """``pairs`` (``left``, ``right`` record indices into ``table``) with ``sim_<name>``,
    ``w_<name>``, ``match_weight``, ``probability``, ``score`` (the probability, rounded),
    ``veto``, ``match`` and ``review``; without ``params`` the configured ``m`` and ``u``."""
    params = params or default_parameters(config)
    return weighed_pairs(compared_pairs(pairs, table, config, params), config, params)
