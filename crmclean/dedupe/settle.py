"""Scoring that stops comparing once a pair's decision is settled.

Most candidate pairs are plainly two people (another name, another birth date), and the costly
text comparisons of the place (street, city, company, postal code) cannot change that. So
:func:`settled_pairs` scores every pair on the other comparisons first, with the *deferrable*
ones (text comparisons no other comparison refers to through ``explained_by``,
``superseded_by`` or ``veto_unless``, and no veto) still unknown. Each deferrable comparison can
add at most its strongest weight for and at least its strongest against (a group: its members'
strongest, counted once; nothing when either record has no value for it, as a null similarity
weighs nothing), so each pair's final match weight lies in a known interval. A pair whose
interval is vetoed, wholly below ``split_below`` or wholly between ``split_below`` and
``review_threshold`` is settled as a non-match: its deferrable similarities stay null. Every
other pair (a possible match, review or split) is compared in full, so ``match``, ``review``,
``veto`` and which pairs fall below ``split_below`` are exactly those of
:func:`crmclean.dedupe.score.score_pairs`, as is the probability of every pair that may merge.
With a floor (:mod:`crmclean.dedupe.chunks`), a pair compared in full whose partial weight and
what its deferred comparisons add at most are plainly below it is not weighed in full either.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import polars as pl

from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.compare import LEFT, METHODS, RIGHT
from crmclean.dedupe.config import ComparisonSpec, MatchConfig, comparison_name
from crmclean.dedupe.params import Parameters
from crmclean.dedupe.score import (
    compared_pairs,
    decisive_columns,
    similarities,
    tf_columns,
    tf_lower_levels,
    weighed_pairs,
    weight,
)

_MIN_SHARE = 1e-12
_BITS = "_bits"  # which of the deferred comparisons both records of a pair can weigh
_SLACK = 1e-9  # bits: a partial weight summed in another order may differ in its last bits
_FLOOR_SLACK = 1e-6  # bits: a partial weight this far below the floor is below it eagerly too


def deferrable(config: MatchConfig) -> list[ComparisonSpec]:
    """Text comparisons that only move the score: no veto, and no other comparison asks
    whether they agree."""
    referred = {
        comparison_name(part)
        for spec in config.comparisons
        for name in [*spec.explained_by, *spec.superseded_by, *spec.veto_unless]
        for part in name.split("+")
    }
    return [
        spec
        for spec in config.comparisons
        if not spec.veto
        and spec.name not in referred
        and not (METHODS[spec.method].on_codes or METHODS[spec.method].on_lists)
    ]


def _weights(spec: ComparisonSpec, params: Parameters) -> list[float]:
    """Every weight the comparison can give, in bits (a ``tf`` first level: its rarest value;
    ``tf_levels``: the lower levels' by the commonest one too, their highest is an average
    exact agreement's)."""
    m, u = params.m_of(spec), params.u[spec.name]
    weights = [math.log2(m_level / u_level) for m_level, u_level in zip(m, u, strict=True)]
    shares = params.tf.get(spec.name)
    if shares is not None and shares.len():
        rarest = max(float(shares.min() or _MIN_SHARE), _MIN_SHARE)  # type: ignore[arg-type]
        weights.append(math.log2(m[0] / min(rarest, 1.0)))
        commonest = min(float(shares.max() or 1.0), 1.0)  # type: ignore[arg-type]
        for index in tf_lower_levels(spec):
            weights.append(math.log2(m[index] / u[index] * u[0] / max(commonest, _MIN_SHARE)))
    return weights


def _reach(
    specs: list[ComparisonSpec], params: Parameters, pairs: pl.DataFrame, table: KeyTable
) -> pl.DataFrame:
    """Per pair, how far ``specs`` can move its match weight: at most ``up`` bits for,
    ``down`` against (``down`` <= 0 <= ``up``); a group's members count once, others add up,
    and a comparison either record has no value for moves nothing. Which of ``specs`` both
    records hold is one bit each of an integer (per record, made once a run), so each distinct
    combination is weighed once and looked up by its place among them."""
    groups: dict[str, list[tuple[pl.Expr, float, float]]] = {}
    for bit, spec in enumerate(specs):
        weights = _weights(spec, params)
        member = ((pl.col(_BITS) & (1 << bit)) > 0, max(*weights, 0.0), min(*weights, 0.0))
        groups.setdefault(spec.group or f"_{spec.name}", []).append(member)
    bits = table.held(tuple(spec.key for spec in specs))
    both = bits.gather(pairs[LEFT]) & bits.gather(pairs[RIGHT])
    up = [
        pl.max_horizontal(pl.when(k).then(u).otherwise(0.0) for k, u, _ in g)
        for g in groups.values()
    ]
    down = [
        pl.min_horizontal(pl.when(k).then(d).otherwise(0.0) for k, _, d in g)
        for g in groups.values()
    ]
    distinct = both.unique().sort()
    reach = distinct.to_frame(_BITS).select(up=pl.sum_horizontal(up), down=pl.sum_horizontal(down))
    return reach[distinct.search_sorted(both)]


def _logit(probability: float) -> float:
    """The match weight (bits) of a probability; -inf for 0."""
    return math.log2(probability / (1.0 - probability)) if probability > 0 else -math.inf


def _settled(partial: pl.DataFrame, config: MatchConfig, reach: pl.DataFrame) -> pl.Series:
    """Pairs of ``partial`` (scored without the deferred comparisons) that those cannot turn
    into a match, a review or a split (``reach``: how far they can move each pair)."""
    split, review = _logit(config.split_below), _logit(config.review_threshold)
    weight = pl.col("match_weight")
    up, down = pl.col("up") + _SLACK, pl.col("down") - _SLACK
    below_split = weight + up < split
    between = (weight + down >= split) & (weight + up < review)
    return partial.with_columns(reach).select(pl.col("veto") | below_split | between).to_series()


class Floored(NamedTuple):
    """Scored pairs at a floor probability or more (every column), and whether each pair fell
    below it (a mask over the pairs scored, in their order)."""

    kept: pl.DataFrame
    low: pl.Series


def settled_pairs(
    pairs: pl.DataFrame,
    table: KeyTable,
    config: MatchConfig,
    params: Parameters,
    compared: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """:func:`crmclean.dedupe.score.score_pairs` of ``pairs``, but the deferrable comparisons
    (null ``sim_<name>``) only where they could change the decision. ``compared``: some of the
    pairs already compared in full (:func:`crmclean.dedupe.score.compared_pairs`, EM's sample),
    scored as they are and not compared again; the pairs keep their order."""
    return floored_pairs(pairs, table, config, params, compared).kept


def floored_pairs(
    pairs: pl.DataFrame,
    table: KeyTable,
    config: MatchConfig,
    params: Parameters,
    compared: pl.DataFrame | None = None,
    floor: float = 0.0,
) -> Floored:
    """:func:`settled_pairs` of ``pairs`` split at ``floor``: the pairs of that probability or
    more in full, and the mask of those below it. A pair settled plainly below ``floor`` is
    never weighed in full (its partial weight already says so: the deferred comparisons are
    null, and null weighs nothing). :func:`begun` then :func:`floored`."""
    return floored(begun(pairs, table, config, params, compared, floor), table, config, params)


class _Known(NamedTuple):
    """Pairs of a chunk compared already (EM's sample): where the chunk holds them
    (``rows``), its other pairs (``rest``), and them compared, in the chunk's order."""

    rows: np.ndarray
    rest: np.ndarray
    compared: pl.DataFrame


class Begun(NamedTuple):
    """A chunk of ``height`` pairs: those not compared already (``pairs``), them compared but
    for the deferrable comparisons (one frame, taken once: :func:`floored` frees it as soon as
    it has settled them), the pairs compared already, and the ``floor``."""

    height: int
    pairs: pl.DataFrame
    compared: list[pl.DataFrame]
    known: _Known | None
    floor: float


def begun(
    pairs: pl.DataFrame,
    table: KeyTable,
    config: MatchConfig,
    params: Parameters,
    compared: pl.DataFrame | None = None,
    floor: float = 0.0,
) -> Begun:
    """The first part of :func:`floored_pairs`: ``pairs`` but those of ``compared`` compared
    without the deferrable comparisons. :func:`floored` reads nothing else of ``table`` that
    this compares (it compares the deferrable ones), so a chunk may begin beside the end of
    the one before (:mod:`crmclean.dedupe.chunks`)."""
    if compared is None or compared.is_empty():
        now = _compared_now(pairs, table, config, params)
        return Begun(pairs.height, pairs, [now], None, floor)
    rows, found = found_in(pairs, compared)
    in_order = found.size == compared.height and bool((found == np.arange(found.size)).all())
    known = compared if in_order else compared[found]
    rest = np.flatnonzero(~_mask(rows, pairs.height))
    now = _compared_now(pairs[rest], table, config, params)
    return Begun(pairs.height, pairs[rest], [now], _Known(rows, rest, known), floor)


def floored(begun: Begun, table: KeyTable, config: MatchConfig, params: Parameters) -> Floored:
    """:func:`floored_pairs` of a chunk :func:`begun`: settled, its deferred comparisons made
    where they can matter, then every pair that may reach the floor weighed in full. The
    pairs compared already are weighed in one call with the others (weighing costs some 20 ms
    a call whatever its pairs: two calls a chunk were a tenth of compare and score at 1M)."""
    height, pairs, now, known, floor = begun
    opened = _opened(pairs, now.pop(), table, config, params, floor)
    if known is None:
        return _widened(_weighed_at(opened.compared, config, params, floor), opened.below)
    rows, rest = known.rows, known.rest
    both = pl.concat([opened.compared, known.compared.select(opened.compared.columns)])
    weighed = _weighed_at(both, config, params, floor)
    below = opened.below.to_numpy()
    order = np.concatenate([rest[~below], rows])  # where each pair weighed is among the chunk's
    low = weighed.low.to_numpy()
    mask = _mask(np.concatenate([rest[below], order[low]]), height)
    kept = weighed.kept[np.argsort(order[~low], kind="stable")]
    return Floored(kept, pl.Series(mask))


def _packed(pairs: pl.DataFrame) -> np.ndarray:
    """Each pair as one integer, ``left << 32 | right``."""
    left, right = (pairs[side].cast(pl.UInt64).to_numpy() for side in (LEFT, RIGHT))
    return left << np.uint64(32) | right


def found_in(pairs: pl.DataFrame, compared: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``pairs`` that ``compared`` holds too, in order, and where it holds each
    (a search among its packed pairs, sorted: cheaper than joins on both columns)."""
    keys, held = _packed(pairs), _packed(compared)
    if held.size == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    order = np.argsort(held)
    ordered = held[order]
    at = np.minimum(np.searchsorted(ordered, keys), ordered.size - 1)
    rows = np.flatnonzero(ordered[at] == keys)
    return rows, order[at[rows]]


def _mask(rows: np.ndarray, height: int) -> np.ndarray:
    """True at ``rows`` of ``height`` rows."""
    mask = np.zeros(height, dtype=bool)
    mask[rows] = True
    return mask


class _Open(NamedTuple):
    """The pairs still to weigh in full (every column weighing reads), and the mask over every
    pair of those found below the floor without it."""

    compared: pl.DataFrame
    below: pl.Series


def _compared_now(
    pairs: pl.DataFrame, table: KeyTable, config: MatchConfig, params: Parameters
) -> pl.DataFrame:
    """``pairs`` compared but for the deferrable comparisons (their similarities null), or in
    full when none is deferrable."""
    later = deferrable(config)
    if not later or pairs.is_empty():
        return compared_pairs(pairs, table, config, params)
    names = {spec.name for spec in later}
    now = config.model_copy(
        update={"comparisons": [s for s in config.comparisons if s.name not in names]}
    )
    unknown = [pl.lit(None, dtype=pl.Float64).alias(f"sim_{spec.name}") for spec in later]
    return compared_pairs(pairs, table, now, params).with_columns(unknown)


def _opened(
    pairs: pl.DataFrame,
    compared: pl.DataFrame,
    table: KeyTable,
    config: MatchConfig,
    params: Parameters,
    floor: float,
) -> _Open:
    """:func:`floored_pairs` without pairs compared already, from ``pairs`` compared but for
    the deferrable comparisons (:func:`_compared_now`), up to the weighing in full."""
    later = deferrable(config)
    if not later or pairs.is_empty():
        return _quick(compared, config, params, floor)
    decisive = decisive_columns(compared, config, params)
    settled = _settled(decisive, config, _reach(later, params, pairs, table))
    plainly = (settled & _plainly_below(decisive, floor)).fill_null(False)
    partial = decisive["match_weight"]
    if plainly.any():
        rest = ~plainly
        pairs, compared, settled = pairs.filter(rest), compared.filter(rest), settled.filter(rest)
        partial = partial.filter(rest)
    completed = _completed(pairs, compared, settled, table, config, params, later)
    below = partial + _gain(completed, later, params) < _logit(floor) - _FLOOR_SLACK
    return _Open(completed.filter(~below), _within(plainly, below))


def _gain(completed: pl.DataFrame, later: list[ComparisonSpec], params: Parameters) -> pl.Series:
    """Per pair of ``completed``, at most what its ``later`` comparisons add to its partial
    weight: the sum of their weights for (a group adds only its largest, an explained weight
    against is 0, so this is never less). A pair whose partial weight and this are plainly
    below the floor is below it in full: it is not weighed in full (on the neutral 300k run,
    most pairs the deferred comparisons were made for)."""
    columns = completed.columns
    gains = [weight(spec, params, columns).clip(lower_bound=0.0) for spec in later]
    return completed.lazy().select(pl.sum_horizontal(gains)).collect().to_series()


def _plainly_below(decisive: pl.DataFrame, floor: float) -> pl.Series:
    """Pairs of :func:`~crmclean.dedupe.score.decisive_columns` whose weight is below
    ``floor`` by more than the last bits an eager sum could differ in."""
    return decisive["match_weight"] < _logit(floor) - _FLOOR_SLACK


def _within(outer: pl.Series, inner: pl.Series) -> pl.Series:
    """Mask ``outer`` with its false rows set to ``inner`` (a mask over those rows only)."""
    return outer.scatter((~outer).arg_true(), inner) if inner.len() else outer


def _widened(scored: Floored, plainly: pl.Series) -> Floored:
    """``scored`` (the pairs not ``plainly`` below the floor) with its mask over every pair."""
    return Floored(scored.kept, _within(plainly, scored.low))


def _quick(compared: pl.DataFrame, config: MatchConfig, params: Parameters, floor: float) -> _Open:
    """``compared`` to weigh in full where the probability may reach ``floor`` (a quick weight
    plainly below it is enough elsewhere)."""
    plainly = pl.repeat(False, compared.height, eager=True)
    if floor > 0.0 and not compared.is_empty():
        plainly = _plainly_below(decisive_columns(compared, config, params), floor)
        compared = compared.filter(~plainly)
    return _Open(compared, plainly)


def _weighed_at(
    compared: pl.DataFrame, config: MatchConfig, params: Parameters, floor: float
) -> Floored:
    """``compared`` weighed in full and split at ``floor``. The pairs the quick weight of
    :func:`_opened` left, and EM's sample, are weighed so: a second quick weight would cost
    more than it saves (on the 1M neutral inputs, 101 -> 84 ms per chunk's 171k pairs)."""
    weighed = weighed_pairs(compared, config, params)
    low = weighed["probability"] < floor
    return Floored(weighed.filter(~low), low)


def _completed(
    pairs: pl.DataFrame,
    compared: pl.DataFrame,
    settled: pl.Series,
    table: KeyTable,
    config: MatchConfig,
    params: Parameters,
    later: list[ComparisonSpec],
) -> pl.DataFrame:
    """``compared`` (``pairs`` without the ``later`` comparisons) with them, compared where the
    pair is not ``settled``, and their term frequencies there (null where settled: a null
    similarity weighs 0 whatever its value's frequency)."""
    open_rows = np.flatnonzero(~settled.to_numpy())
    empty = pl.repeat(None, pairs.height, dtype=pl.Float64, eager=True)
    tf_specs = [spec for spec in later if spec.name in params.tf]
    tf = {f"_tf_{spec.name}": empty.alias(f"_tf_{spec.name}") for spec in tf_specs}
    if open_rows.size:
        found = similarities(pairs[open_rows], table, later)
        compared = compared.with_columns(
            empty.alias(sim.name).scatter(open_rows, sim) for sim in found
        )
        tf_open = tf_columns(pairs[open_rows], table, tf_specs, params, found)
        tf = {name: tf[name].scatter(open_rows, u.cast(pl.Float64)) for name, u in tf_open.items()}
    sims = [f"sim_{spec.name}" for spec in config.comparisons]
    rest = [name for name in compared.columns if name not in sims and name not in pairs.columns]
    return compared.with_columns(**tf).select(*pairs.columns, *sims, *rest, *tf)
