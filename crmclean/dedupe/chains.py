"""Chain protection: split a cluster whose members contradict each other.

Connected components chain: A~B and B~C put A and C together even when A and C were compared
and found to be different people (a shared switchboard, a namesake). Every *cannot-link* pair
(a compared pair with a probability below ``split_below``, a veto, or a human's cannot-link)
inside one component rebuilds that component from its accepted pairs, strongest first, joining
two groups only when no cannot-link pair lies between them: the weakest links are the ones cut.
Only the components holding a conflict are rebuilt, in Python (they are few and small).
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


def _rebuild(edges: pl.DataFrame, forbidden: dict[int, set[int]]) -> dict[int, int]:
    """Greedy union of ``edges`` (in their order, strongest first) never joining a forbidden
    pair; the root of every record seen."""
    root: dict[int, int] = {}
    members: dict[int, set[int]] = {}

    def find(node: int) -> int:
        root.setdefault(node, node)
        members.setdefault(node, {node})
        while root[node] != node:
            node = root[node]
        return node

    for a, b in edges.select(LEFT, RIGHT).iter_rows():
        ra, rb = find(a), find(b)
        if ra == rb or any(forbidden.get(x, set()) & members[rb] for x in members[ra]):
            continue
        root[rb] = ra
        members[ra] |= members.pop(rb)
    return {node: find(node) for node in list(root)}


def split_chains(
    labels: np.ndarray, matches: pl.DataFrame, cannot: pl.DataFrame, order: np.ndarray
) -> np.ndarray:
    """``labels`` (component per record) with every conflicting component split.

    ``matches`` holds the accepted pairs with their ``probability``; ``cannot`` the
    ``left, right`` pairs that must not end together; ``order`` a rank per record that breaks
    ties between equally strong links (its lineage, so that input order does not matter).
    """
    conflicts = _conflicts(labels, cannot)
    if conflicts.is_empty():
        return labels
    forbidden: dict[int, set[int]] = {}
    for a, b in conflicts.select(LEFT, RIGHT).iter_rows():
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)
    touched = np.unique(labels[conflicts[LEFT].to_numpy()])
    inside = pl.Series(np.isin(labels[matches[LEFT].to_numpy()], touched))
    edges = matches.filter(inside).with_columns(
        _a=pl.Series(order[matches.filter(inside)[LEFT].to_numpy()]),
        _b=pl.Series(order[matches.filter(inside)[RIGHT].to_numpy()]),
    )
    edges = edges.with_columns(_lo=pl.min_horizontal("_a", "_b"), _hi=pl.max_horizontal("_a", "_b"))
    roots = _rebuild(edges.sort([WEIGHT, "_lo", "_hi"], descending=[True, False, False]), forbidden)
    result = labels.copy()
    base = int(labels.max()) + 1
    nodes = np.fromiter(roots, dtype=np.int64, count=len(roots))
    result[nodes] = base + np.fromiter(roots.values(), dtype=np.int64, count=len(roots))
    return result
