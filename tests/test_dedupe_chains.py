"""Chain protection: clusters whose members contradict each other are cut at the weakest link."""

from __future__ import annotations

import numpy as np
import polars as pl

from crmclean.dedupe.chains import split_chains
from crmclean.dedupe.cluster import components

PAIR = {"left": pl.UInt32, "right": pl.UInt32}


def _matches(*edges: tuple[int, int, float]) -> pl.DataFrame:
    return pl.DataFrame(edges, schema={**PAIR, "probability": pl.Float64}, orient="row")


def _cannot(*pairs: tuple[int, int]) -> pl.DataFrame:
    return pl.DataFrame(pairs, schema=PAIR, orient="row")


def _groups(labels: np.ndarray) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for record, label in enumerate(labels):
        groups.setdefault(int(label), []).append(record)
    return sorted(groups.values())


def test_a_chain_between_two_contradicting_records_breaks_at_its_weakest_link() -> None:
    # 0-1 strong, 1-2 weak (a shared switchboard), 2-3 strong; 0 and 3 are different people.
    matches = _matches((0, 1, 0.99), (1, 2, 0.91), (2, 3, 0.98))
    labels = split_chains(components(5, matches), matches, _cannot((0, 3)), np.arange(5))
    assert _groups(labels) == [[0, 1], [2, 3], [4]]


def test_clusters_without_conflict_are_left_alone() -> None:
    matches = _matches((0, 1, 0.99), (1, 2, 0.91))
    before = components(4, matches)
    after = split_chains(before, matches, _cannot((0, 3)), np.arange(4))
    assert np.array_equal(before, after)


def test_a_star_keeps_every_member_that_contradicts_no_one() -> None:
    matches = _matches((0, 1, 0.99), (0, 2, 0.95), (0, 3, 0.92))
    labels = split_chains(components(4, matches), matches, _cannot((2, 3)), np.arange(4))
    assert _groups(labels) == [[0, 1, 2], [3]]
