"""Clusters: connected components over matched pairs and stable golden ids."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from test_dedupe_support import contacts

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.cluster import (
    assign_golden_ids,
    components,
    golden_id,
    lineage_digests,
    lineage_ranks,
    within_components,
)
from crmclean.dedupe.compare import LEFT, RIGHT


def _matches(*pairs: tuple[int, int]) -> pl.DataFrame:
    return pl.DataFrame(list(pairs), schema={LEFT: pl.UInt32, RIGHT: pl.UInt32}, orient="row")


def _ids(frame: pl.DataFrame, matches: pl.DataFrame) -> dict[str, str]:
    clustered = assign_golden_ids(frame.with_row_index("_record"), matches)
    return dict(clustered.select(SOURCE_ID, GOLDEN_ID).iter_rows())


def test_chains_join_one_component_and_unmatched_records_stay_alone() -> None:
    labels = components(5, _matches((0, 1), (1, 3)))
    assert labels[0] == labels[1] == labels[3]
    assert len({labels[0], labels[2], labels[4]}) == 3


@settings(deadline=None)  # the first example is slower on a loaded machine
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda size: st.tuples(
            st.just(size),
            st.lists(st.tuples(*[st.integers(0, size - 1)] * 2), max_size=60),
        )
    )
)
def test_components_are_scipys_labels(graph: tuple[int, list[tuple[int, int]]]) -> None:
    """The labels scipy's ``connected_components`` gives (numbered by smallest record)."""
    size, pairs = graph
    matches = _matches(*pairs)
    edges = matches.to_numpy().T
    adjacency = coo_array((np.ones(len(pairs)), (edges[0], edges[1])), shape=(size, size))
    _, expected = connected_components(adjacency, directed=False)
    labels = components(size, matches)
    assert labels.dtype == expected.dtype
    assert labels.tolist() == expected.tolist()


@pytest.mark.parametrize("order", [1, -1])
def test_a_long_chain_is_one_component(order: int) -> None:
    """A chain of consecutive records (each round's hooks chained) ends as one label."""
    records = np.arange(100_000)[::order]
    matches = pl.DataFrame({LEFT: records[:-1], RIGHT: records[1:]}).cast(pl.UInt32)
    assert components(100_001, matches).tolist() == [0] * 100_000 + [1]


def test_only_pairs_inside_one_component_can_split_it() -> None:
    labels = components(6, _matches((0, 1), (1, 3), (4, 5)))
    apart = _matches((0, 3), (0, 4), (2, 5), (4, 5))
    assert within_components(apart, labels).rows() == [(0, 3), (4, 5)]


def test_golden_id_comes_from_the_smallest_member() -> None:
    frame = contacts({}, {}, {}, {})
    ids = _ids(frame, _matches((1, 3), (0, 3)))
    assert ids["1"] == ids["2"] == ids["4"] == golden_id("crm", "1")
    assert ids["3"] == golden_id("crm", "3") != ids["1"]
    assert ids["1"].startswith("g_") and len(ids["1"]) == 18


def test_golden_ids_do_not_depend_on_row_order() -> None:
    frame = contacts({}, {}, {}, {}, {})
    forward = _ids(frame, _matches((0, 4), (2, 3)))
    backward = _ids(frame.reverse(), _matches((0, 4), (1, 2)))
    assert forward == backward


def test_golden_ids_are_stable_across_runs_and_versions() -> None:
    assert golden_id("crm", "1") == "g_04066b3700939781"  # SHA-1 of "crm\x1f1"
    assert golden_id("crm", "11") != golden_id("crm1", "1")


def test_every_clusters_id_is_the_golden_id_of_its_anchor() -> None:
    """The ids written a cluster at a time by polars are :func:`golden_id`'s, whatever the
    lineage holds (accents, emoji, quotes, control characters, a number as the id)."""
    ids = ["1", "ção ü", "😀", 'q"\\', "a\x1fb", "", "0042"]
    frame = pl.DataFrame(
        {SOURCE: ["crm", "crm", "ERP x", "crm", "crm", "crm", "e"], SOURCE_ID: ids}
    )
    clustered = assign_golden_ids(frame.with_row_index("_record"), _matches())
    expected = [golden_id(source, id_) for source, id_ in frame.iter_rows()]
    assert clustered[GOLDEN_ID].to_list() == expected
    numbered = pl.DataFrame({SOURCE: ["crm", "crm"], SOURCE_ID: [7, 12]})
    clustered = assign_golden_ids(numbered.with_row_index("_record"), _matches((0, 1)))
    assert clustered[GOLDEN_ID].to_list() == [golden_id("crm", "7")] * 2


def test_no_records_no_clusters() -> None:
    clustered = assign_golden_ids(contacts().with_row_index("_record"), _matches())
    assert clustered.is_empty()
    assert clustered.schema[GOLDEN_ID] == pl.String


def test_golden_ids_come_in_the_chunks_of_the_frame() -> None:
    records = contacts(*({"first_name": name} for name in ("Ana", "Bia", "Caio", "Davi", "Eva")))
    parts = [records.slice(0, 2), records.slice(2, 2), records.slice(4)]  # as read by row groups
    frame = pl.concat(parts, rechunk=False).with_row_index("_record")
    clustered = assign_golden_ids(frame, _matches((0, 3)))
    assert clustered[GOLDEN_ID].chunk_lengths() == frame[SOURCE_ID].chunk_lengths() == [2, 2, 1]
    ids = clustered[GOLDEN_ID].to_list()
    assert ids[0] == ids[3] and len(set(ids)) == 4


def test_ids_from_digests_hashed_beforehand_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record's lineage hashed beforehand (beside the matching), a slice at a time:
    the very ids of hashing only the clusters' anchors."""
    monkeypatch.setattr("crmclean.dedupe.cluster.DIGEST_ROWS", 2)
    ids = ["1", "ção ü", "😀", 'q"\\', "a\x1fb", "", "0042"]
    frame = pl.DataFrame({SOURCE: ["crm"] * 3 + ["ERP x"] * 4, SOURCE_ID: ids})
    frame = frame.with_row_index("_record")
    matches = _matches((0, 5), (2, 3), (3, 6))
    digests = lineage_digests(frame)
    assert digests.len() == frame.height
    hashed = assign_golden_ids(frame, matches, digests=digests)
    assert_frame_equal(hashed, assign_golden_ids(frame, matches))
    assert hashed[GOLDEN_ID].to_list()[0] == golden_id("ERP x", "")  # the smaller lineage


_LINEAGES = st.lists(
    st.tuples(st.sampled_from(["crm", "erp"]), st.sampled_from("abcde")), min_size=1
)


@settings(max_examples=200, deadline=None)
@given(lineages=_LINEAGES, pairs=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30))))
def test_ranks_order_the_records_that_share_components_by_lineage(
    lineages: list[tuple[str, str]], pairs: list[tuple[int, int]]
) -> None:
    """Records of components of several compare by rank as by lineage (equal lineages
    equal); a record alone ranks past them all, no two alike: the golden ids are those of
    each cluster's smallest lineage."""
    size = len(lineages)
    matches = _matches(*((a % size, b % size) for a, b in pairs))
    frame = pl.DataFrame(lineages, schema=[SOURCE, SOURCE_ID], orient="row")
    labels = components(size, matches)
    ranks = lineage_ranks(frame, labels)
    several = np.bincount(labels)[labels] > 1
    grouped = [i for i in range(size) if several[i]]
    for i in grouped:
        for j in grouped:
            assert (ranks[i] < ranks[j]) == (lineages[i] < lineages[j])
            assert (ranks[i] == ranks[j]) == (lineages[i] == lineages[j])
    alone = ranks[~several]
    assert len(set(alone.tolist())) == alone.size
    assert all(rank > ranks[several].max(initial=-1) for rank in alone)
    clustered = assign_golden_ids(frame.with_row_index("_record"), matches)
    anchors = {
        label: min(lineages[i] for i in range(size) if labels[i] == label) for label in labels
    }
    assert clustered[GOLDEN_ID].to_list() == [golden_id(*anchors[label]) for label in labels]
