"""Clusters: connected components over matched pairs, and their stable golden ids."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.chains import split_chains
from crmclean.dedupe.compare import LEFT, RIGHT

CLUSTER = "_cluster"
ID_LENGTH = 16


def components(size: int, matches: pl.DataFrame) -> np.ndarray:
    """The component label of each of ``size`` records linked by ``left``/``right`` pairs."""
    edges = np.ones(matches.height, dtype=np.int8)
    graph = coo_array(
        (edges, (matches[LEFT].to_numpy(), matches[RIGHT].to_numpy())), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    return labels


def golden_id(source: str, source_id: str) -> str:
    """``g_`` + the start of the SHA-1 of a record's lineage: the same anchor, the same id."""
    digest = hashlib.sha1(f"{source}\x1f{source_id}".encode(), usedforsecurity=False)
    return "g_" + digest.hexdigest()[:ID_LENGTH]


def _anchor_ids(clustered: pl.DataFrame) -> pl.DataFrame:
    """One golden id per cluster, from its smallest ``(_source, _source_id)``."""
    anchors = (
        clustered.sort(SOURCE, SOURCE_ID).group_by(CLUSTER).agg(pl.col(SOURCE, SOURCE_ID).first())
    )
    ids = [golden_id(s, i) for s, i in zip(anchors[SOURCE], anchors[SOURCE_ID], strict=True)]
    return anchors.select(CLUSTER, pl.Series(GOLDEN_ID, ids, dtype=pl.String))


def assign_golden_ids(
    frame: pl.DataFrame, matches: pl.DataFrame, cannot: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``frame`` (records indexed 0..n-1 in order) with a ``golden_id`` per record.

    Records linked through matched pairs share one id; records with no match are their own
    cluster. With ``cannot`` (``left, right`` pairs that must stay apart; ``matches`` then needs
    a ``probability``) a cluster holding such a pair is split at its weakest links. The id
    depends only on the cluster's smallest member, never on row order or run.
    """
    labels = components(frame.height, matches)
    if cannot is not None:
        lineage = frame.select(pl.struct(SOURCE, SOURCE_ID).rank("dense")).to_series()
        labels = split_chains(labels, matches, cannot, lineage.to_numpy())
    labels = pl.Series(CLUSTER, labels, dtype=pl.Int64)
    clustered = frame.with_columns(labels)
    ids = _anchor_ids(clustered)
    return clustered.join(ids, on=CLUSTER, how="left", maintain_order="left").drop(CLUSTER)
