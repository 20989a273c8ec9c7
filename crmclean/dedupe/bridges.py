"""Bridged vetoes: a name veto inside one person's records that only disputes the cluster.

A name veto keeps two records apart whatever else holds them together: ``Ivy Kay`` and ``Ivy
Ky`` are two people to the surname comparison, though each shares an e-mail or a birth date
with the same third record, ``Ivy Kay``, and so with the person's other records. Such a pair
is *bridged* (``bridge`` in ``match.yaml``): both records match one third record by a ``through``
identifier (a shared e-mail, number, tax id or birth date), only ``vetoes`` of the bridge's
disagree (the name vetoes: never two colleagues' addresses nor Jr and Sr), and the whole names
still agree loosely (``names``: the words of both names in any order, typos and all, at
similarity 0.7 or more, so ``Murilo Ribeiro`` and ``Maria Fernanda Ribero`` sharing a work
mailbox stay apart). A vetoed pair whose two records share one of ``shared`` themselves (a
mobile, a personal mailbox, a tax id: what a household does not share) is bridged too when
the whole names agree in part (``shared_names``, ``name_order@0.5``): ``Otávio Macedo Viana``
and ``Viana Luiz`` on one mobile (0.67), each linked to ``Luiz Otávio Macedo Viana``, are one
person whose name was split otherwise between the fields; ``Pedro Batista`` and ``Rafael
Ttixeira`` on one number (0.36) are two colleagues. A bridged pair is a *disputed* pair to
chain protection (:mod:`crmclean.dedupe.chains`): it keeps two groups apart only when most of
the pairs between them are disputed, no longer whatever else links them. Pairs scored under
the floor of pairs kept in full (:func:`~crmclean.dedupe.chunks.floor_of`) are never bridged:
only their records are known.
"""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig

BRIDGEABLE = "bridgeable"
_X, _VIA = "_x", "_via"


def _agree(names: list[str]) -> pl.Expr:
    """True where one of the comparisons ``names`` adds evidence for the pair."""
    return pl.any_horizontal(pl.col(f"w_{name}").fill_null(0) > 0 for name in names)


def bridgeable(config: MatchConfig, floor: float) -> pl.Expr:
    """True for a scored pair a bridge may lift: vetoed, of probability ``floor`` or more,
    no veto outside the bridge's ``vetoes`` disagreeing, the whole names close enough or one
    of the bridge's ``shared`` agreeing."""
    bridge = config.bridge
    if not bridge.through:
        return pl.lit(False)
    firm = [spec for spec in config.comparisons if spec.veto and spec.name not in bridge.vetoes]
    chosen = pl.col("veto").fill_null(False) & (pl.col("probability") >= floor)
    for spec in firm:
        chosen = chosen & (pl.col(f"sim_{spec.name}").fill_null(1.0) >= spec.levels[-1].at)
    close = _close(*bridge.names_at)
    if bridge.shared:
        close = close | (_agree(bridge.shared) & _close(*bridge.shared_names_at))
    return chosen & close


def _close(name: str, at: float) -> pl.Expr:
    """True where comparison ``name`` reaches similarity ``at`` (always without a name)."""
    return pl.col(f"sim_{name}").fill_null(0.0) >= at if name else pl.lit(True)


def _through(matches: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Each record of a match one of ``names`` backs, with the record it matches (both ways)."""
    links = matches.filter(_agree(names)).select(LEFT, RIGHT)
    return pl.concat(
        [
            links.select(pl.col(LEFT).alias(_X), pl.col(RIGHT).alias(_VIA)),
            links.select(pl.col(RIGHT).alias(_X), pl.col(LEFT).alias(_VIA)),
        ]
    )


def bridged(
    pairs: pl.DataFrame, matches: pl.DataFrame, config: MatchConfig, floor: float
) -> pl.DataFrame:
    """``left, right`` of the vetoed candidate ``pairs`` (no cluster-check pair, no decided
    pair) that are :func:`bridgeable` and whose two records share a ``shared`` identifier (the
    names as close as ``shared_names`` or ``names`` asks) or both match one third record of
    ``matches`` by a ``through`` identifier."""
    through = config.bridge.through
    if not through or pairs.is_empty():
        return pairs.select(LEFT, RIGHT).clear()
    flag = pl.col(BRIDGEABLE) if BRIDGEABLE in pairs.columns else bridgeable(config, floor)
    if "decision" in pairs.columns:
        flag = flag & pl.col("decision").is_null()
    vetoed = pairs.filter(flag).select(LEFT, RIGHT)
    ends = _through(matches, through)
    via = vetoed.join(ends.rename({_X: LEFT}), on=LEFT)
    both = via.join(ends.rename({_X: RIGHT}), on=[RIGHT, _VIA], how="semi").select(LEFT, RIGHT)
    if config.bridge.shared:
        shared = pairs.filter(flag & _agree(config.bridge.shared)).select(LEFT, RIGHT)
        both = pl.concat([both, shared])
    return both.unique(maintain_order=True)
