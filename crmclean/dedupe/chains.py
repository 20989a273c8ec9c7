"""Chain protection: split a cluster whose members contradict each other.

Connected components chain: A~B and B~C put A and C together even when A and C were compared
and found to be different people (a shared switchboard, a namesake). Every *cannot-link* pair
(a compared pair with a probability below ``split_below``, a veto, or a human's cannot-link)
inside one component rebuilds that component from its accepted pairs, strongest first, joining
two groups only when no cannot-link pair lies between them: the weakest links are the ones cut.
Only the components holding a conflict are rebuilt, in Python (they are few and small).

Pairs blocking never compared but the cluster check scored (:mod:`crmclean.dedupe.cohesion`) are
*disputed* when they fall below ``split_below`` or are vetoed: one such pair does not keep two
groups apart (two typo-ridden records of one person may contradict each other while everything
else holds them together), but two groups are not joined when more than two thirds of the
pairs between them are disputed.

A *weak* link is a match no identifier backs (``identifiers`` in ``match.yaml``: a shared
e-mail or number, a tax id, a birth date, the birth place, the occupation, the street), only
the name and the place (company, city). Two
records are *contested* when no identifier agrees and one of ``contradicting`` disagrees (two
personal mailboxes): they are no match, and a weak link never joins their groups, but an
identifier-backed one may (a person who changed address, one record holding both). Inside a
component being rebuilt, the groups the identifier-backed links make come first; a weak link
then joins two groups only when neither group is weakly linked to two groups that must stay
apart: a record that matches two namesakes at one company by name and company alone could be
either of them, so it is left out of both, unless its link to one is stronger by
:data:`CLEAR_MARGIN` bits of match weight (eight times the odds) than to every other kept
apart from that one: then it joins that one. A weak link needs support too: it does not join two
groups when the pairs compared between them that are *doubted* (no match, and a ``doubting``
comparison counts against: another employer's domain, two personal mailboxes), each counted
:data:`DOUBT_WEIGHT` times, are as many as those that match (the link itself among them): the
namesake whose other record has another address.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from crmclean.dedupe.compare import LEFT, RIGHT

WEIGHT, WEAK = "probability", "weak"
_STRENGTH = "_strength"
# How much stronger (bits of match weight) a record's weak link to one group must be than its
# weak links to groups kept apart from it, for that record to join the one group.
CLEAR_MARGIN = 3.0
# How many matching pairs between two groups one doubted pair outweighs, for a weak link to
# join them (outside CRM 50k, with the doubt check of smaller clusters: P/R 0.9732/0.8474 at 1,
# 0.9746/0.8457 at 2).
DOUBT_WEIGHT = 2


def _agrees(names: list[str]) -> pl.Expr:
    return pl.any_horizontal(pl.col(f"w_{name}").fill_null(0.0) > 0 for name in names)


def weak_links(matches: pl.DataFrame, identifiers: list[str]) -> pl.DataFrame:
    """``matches`` with ``weak``: no comparison of ``identifiers`` adds evidence for the pair
    (their ``w_<name>`` columns) and no person decided it must link; unchanged without
    ``identifiers``."""
    if not identifiers:
        return matches
    backed = _agrees(identifiers)
    if "decision" in matches.columns:
        backed = backed | (pl.col("decision") == "must-link").fill_null(False)
    return matches.with_columns(backed.not_().alias(WEAK))


def contested(
    pairs: pl.DataFrame, identifiers: list[str], contradicting: list[str]
) -> pl.DataFrame:
    """``left, right`` of the scored ``pairs`` no identifier backs and a ``contradicting``
    comparison counts against (two personal mailboxes), unless a person decided they link."""
    if not contradicting:
        return pairs.select(LEFT, RIGHT).clear()
    against = pl.any_horizontal(pl.col(f"w_{name}").fill_null(0.0) < 0 for name in contradicting)
    chosen = against & ~_agrees(identifiers)
    if "decision" in pairs.columns:
        chosen = chosen & (pl.col("decision") != "must-link").fill_null(True)
    return pairs.filter(chosen).select(LEFT, RIGHT)


def doubted(pairs: pl.DataFrame, doubting: list[str]) -> pl.DataFrame:
    """``left, right`` of the scored ``pairs`` that do not match and that a ``doubting``
    comparison counts against (their ``w_<name>`` below 0)."""
    if not doubting:
        return pairs.select(LEFT, RIGHT).clear()
    against = pl.any_horizontal(pl.col(f"w_{name}").fill_null(0.0) < 0 for name in doubting)
    return pairs.filter(~pl.col("match") & against).select(LEFT, RIGHT)


def _conflicts(labels: np.ndarray, cannot: pl.DataFrame) -> pl.DataFrame:
    """The cannot-link pairs whose two records ended in the same component."""
    left = labels[cannot[LEFT].to_numpy()]
    right = labels[cannot[RIGHT].to_numpy()]
    return cannot.filter(pl.Series(left == right))


def _neighbours(pairs: pl.DataFrame) -> dict[int, set[int]]:
    """Each record of ``left, right`` pairs with the records it is paired with."""
    neighbours: dict[int, set[int]] = {}
    for a, b in pairs.select(LEFT, RIGHT).iter_rows():
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    return neighbours


def _unsupported(
    one: set[int], other: set[int], matched: dict[int, set[int]], doubted: dict[int, set[int]]
) -> bool:
    """Half as many of the pairs between two groups are doubted as match (each doubted pair
    counts :data:`DOUBT_WEIGHT` times; none doubted: never)."""
    against = sum(len(doubted.get(x, set()) & other) for x in one)
    return against > 0 and DOUBT_WEIGHT * against >= sum(
        len(matched.get(x, set()) & other) for x in one
    )


def _rebuild(
    edges: pl.DataFrame,
    forbidden: dict[int, set[int]],
    disputed: dict[int, set[int]],
    contested: dict[int, set[int]],
    doubted: dict[int, set[int]] | None = None,
) -> dict[int, int]:
    """Greedy union of ``edges`` (in their order, strongest first; ``weak`` ones after the
    others) never joining a forbidden pair, nor two groups when more than two thirds of the
    pairs between them are disputed; by a weak link, never a contested pair nor a group weakly
    linked to two groups kept apart, nor two groups it has no support between (``doubted``,
    :func:`_unsupported`). The root of every record seen."""
    root: dict[int, int] = {}
    members: dict[int, set[int]] = {}

    def find(node: int) -> int:
        root.setdefault(node, node)
        members.setdefault(node, {node})
        while root[node] != node:
            node = root[node]
        return node

    matched = _neighbours(edges) if doubted else {}

    def apart(ra: int, rb: int, weak: bool) -> bool:
        kept = (forbidden, contested) if weak else (forbidden,)
        if any(pairs.get(x, set()) & members[rb] for pairs in kept for x in members[ra]):
            return True
        against = sum(len(disputed.get(x, set()) & members[rb]) for x in members[ra])
        return 3 * against > 2 * len(members[ra]) * len(members[rb])

    def join(a: int, b: int, weak: bool) -> None:
        ra, rb = find(a), find(b)
        if ra == rb or apart(ra, rb, weak):
            return
        if weak and doubted and _unsupported(members[ra], members[rb], matched, doubted):
            return
        root[rb] = ra
        members[ra] |= members.pop(rb)

    weak = edges[WEAK] if WEAK in edges.columns else pl.repeat(False, edges.height, eager=True)
    for a, b in edges.filter(~weak).select(LEFT, RIGHT).iter_rows():
        join(a, b, weak=False)
    rest = edges.filter(weak).select(LEFT, RIGHT, link_strength(edges.filter(weak))).rows()
    first = {node: find(node) for pair in rest for node in pair[:2]}
    linked: dict[int, dict[int, float]] = {}
    for a, b, strength in rest:
        for one, other in ((first[a], first[b]), (first[b], first[a])):
            if one != other:
                partners = linked.setdefault(one, {})
                partners[other] = max(partners.get(other, strength), strength)
    allowed = {
        group: _allowed(partners, lambda x, y: apart(x, y, weak=True))
        for group, partners in linked.items()
    }
    for a, b, _ in rest:
        ga, gb = first[a], first[b]
        if ga == gb or (gb in allowed[ga] and ga in allowed[gb]):
            join(a, b, weak=True)
    return {node: find(node) for node in list(root)}


def link_strength(edges: pl.DataFrame) -> pl.Expr:
    """The log-odds of each edge: its ``match_weight``, else that of its probability."""
    if "match_weight" in edges.columns:
        return pl.col("match_weight").alias(_STRENGTH)
    p = pl.col(WEIGHT).clip(1e-12, 1.0 - 1e-12)
    return (p / (1.0 - p)).log(2).alias(_STRENGTH)


def _allowed(partners: dict[int, float], apart: Callable[[int, int], bool]) -> set[int]:
    """The groups a group weakly linked to ``partners`` (group: its strongest link) may join:
    all of them when no two must stay apart; else those within :data:`CLEAR_MARGIN` bits of
    the strongest link, when no two of these must stay apart (a record that matches one
    namesake far better than the other, by name and company alone, is the first one's); else
    none (it could be either)."""
    if not _clash(set(partners), apart):
        return set(partners)
    strongest = max(partners.values())
    close = {group for group, strength in partners.items() if strength > strongest - CLEAR_MARGIN}
    return set() if _clash(close, apart) else close


def _clash(groups: set[int], apart: Callable[[int, int], bool]) -> bool:
    return any(apart(x, y) for x in groups for y in groups if x < y)


def split_chains(
    labels: np.ndarray,
    matches: pl.DataFrame,
    cannot: pl.DataFrame,
    order: np.ndarray,
    disputed: pl.DataFrame | None = None,
    contested: pl.DataFrame | None = None,
    doubted: pl.DataFrame | None = None,
) -> np.ndarray:
    """``labels`` (component per record) with every conflicting component split.

    ``matches`` holds the accepted pairs with their ``probability`` (and ``weak``, see
    :func:`weak_links`); ``cannot`` the ``left, right`` pairs that must not end together;
    ``disputed`` pairs that only keep two groups apart when they are more than two thirds of
    the pairs between them (the cluster check's, see :mod:`crmclean.dedupe.cohesion`);
    ``contested`` pairs a weak link must not join (:func:`contested`); ``doubted`` pairs that
    keep two groups apart when a weak link has no more support between them (:func:`doubted`);
    ``order`` a rank per record that breaks ties between equally strong links (its lineage, so
    that input order does not matter).
    """
    cannot = cannot.select(LEFT, RIGHT)
    disputed = cannot.clear() if disputed is None else disputed.select(LEFT, RIGHT)
    contested = cannot.clear() if contested is None else contested.select(LEFT, RIGHT)
    doubted = cannot.clear() if doubted is None else doubted.select(LEFT, RIGHT)
    conflicts = _conflicts(labels, pl.concat([cannot, disputed, contested, doubted]))
    if conflicts.is_empty():
        return labels
    touched = np.unique(labels[conflicts[LEFT].to_numpy()])
    inside = matches.filter(pl.Series(np.isin(labels[matches[LEFT].to_numpy()], touched)))
    edges = inside.with_columns(
        _a=pl.Series(order[inside[LEFT].to_numpy()]),
        _b=pl.Series(order[inside[RIGHT].to_numpy()]),
    )
    edges = edges.with_columns(_lo=pl.min_horizontal("_a", "_b"), _hi=pl.max_horizontal("_a", "_b"))
    edges = edges.sort([WEIGHT, "_lo", "_hi"], descending=[True, False, False])
    forbidden = _neighbours(_conflicts(labels, cannot))
    roots = _rebuild(
        edges,
        forbidden,
        _neighbours(_conflicts(labels, disputed)),
        _neighbours(_conflicts(labels, contested)),
        _neighbours(_conflicts(labels, doubted)),
    )
    result = labels.copy()
    base = int(labels.max()) + 1
    nodes = np.fromiter(roots, dtype=np.int64, count=len(roots))
    result[nodes] = base + np.fromiter(roots.values(), dtype=np.int64, count=len(roots))
    return result
