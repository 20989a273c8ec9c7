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
"""

from __future__ import annotations

import numpy as np
import polars as pl

from crmclean.dedupe.compare import LEFT, RIGHT

WEIGHT = "probability"


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


def _rebuild(
    edges: pl.DataFrame, forbidden: dict[int, set[int]], disputed: dict[int, set[int]]
) -> dict[int, int]:
    """Greedy union of ``edges`` (in their order, strongest first) never joining a forbidden
    pair, nor two groups when more than two thirds of the pairs between them are disputed; the
    root of every record seen."""
    root: dict[int, int] = {}
    members: dict[int, set[int]] = {}

    def find(node: int) -> int:
        root.setdefault(node, node)
        members.setdefault(node, {node})
        while root[node] != node:
            node = root[node]
        return node

    def apart(ra: int, rb: int) -> bool:
        if any(forbidden.get(x, set()) & members[rb] for x in members[ra]):
            return True
        against = sum(len(disputed.get(x, set()) & members[rb]) for x in members[ra])
        return 3 * against > 2 * len(members[ra]) * len(members[rb])

    for a, b in edges.select(LEFT, RIGHT).iter_rows():
        ra, rb = find(a), find(b)
        if ra == rb or apart(ra, rb):
            continue
        root[rb] = ra
        members[ra] |= members.pop(rb)
    return {node: find(node) for node in list(root)}


def split_chains(
    labels: np.ndarray,
    matches: pl.DataFrame,
    cannot: pl.DataFrame,
    order: np.ndarray,
    disputed: pl.DataFrame | None = None,
) -> np.ndarray:
    """``labels`` (component per record) with every conflicting component split.

    ``matches`` holds the accepted pairs with their ``probability``; ``cannot`` the
    ``left, right`` pairs that must not end together; ``disputed`` pairs that only keep two
    groups apart when they are more than two thirds of the pairs between them (the cluster
    check's, see :mod:`crmclean.dedupe.cohesion`); ``order`` a rank per record that breaks ties
    between equally strong links (its lineage, so that input order does not matter).
    """
    cannot = cannot.select(LEFT, RIGHT)
    disputed = cannot.clear() if disputed is None else disputed.select(LEFT, RIGHT)
    conflicts = _conflicts(labels, pl.concat([cannot, disputed]))
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
    roots = _rebuild(edges, forbidden, _neighbours(_conflicts(labels, disputed)))
    result = labels.copy()
    base = int(labels.max()) + 1
    nodes = np.fromiter(roots, dtype=np.int64, count=len(roots))
    result[nodes] = base + np.fromiter(roots.values(), dtype=np.int64, count=len(roots))
    return result
