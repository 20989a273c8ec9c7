"""Incremental runs: attach incoming records to the golden records already in the target.

Incoming records, already clustered among themselves, and the target's golden records become
the nodes of one graph. Edges: records of one incoming cluster; a record and the golden record
its ``(source, source id)`` belonged to before; a new or changed record and a golden record the
match rules pair it with (a record the target already holds with the same values was matched
when it first came, so it is not matched again). Each connected component holding an incoming
record becomes one golden record, keeping the smallest existing golden id (or the incoming
cluster's id when it is new); the other existing golden records of the component are merged
into it. Cannot-link decisions split a component holding such a pair at its weakest links, as
the dedupe stage does (:func:`~crmclean.dedupe.chains.split_chains`): an incoming record is its
own node, a record only the target holds stands for its golden record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe import find_matches
from crmclean.dedupe.chains import WEIGHT, split_chains
from crmclean.dedupe.cluster import components
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.keys import RECORD

EXISTING = "_existing"
LABEL = "_label"
FINAL = "_final"
APART = ["source_a", "source_id_a", "source_b", "source_id_b"]  # a cannot-link pair
_PAIR, _NODE = "_pair", "_node"
CERTAIN = 1.0  # the weight of a cluster or lineage edge


@dataclass(frozen=True)
class Resolution:
    """Final golden ids: ``golden_ids`` (one per incoming record, in order) and ``renamed``
    (``_existing`` golden id -> ``_final`` id, for every existing golden record involved)."""

    golden_ids: pl.Series
    renamed: pl.DataFrame


def _edges(frame: pl.DataFrame, left: str, right: str) -> pl.DataFrame:
    return frame.select(
        pl.col(left).cast(pl.Int64).alias(LEFT),
        pl.col(right).cast(pl.Int64).alias(RIGHT),
        pl.lit(CERTAIN).alias(WEIGHT),
    )


def _cluster_edges(incoming: pl.DataFrame) -> pl.DataFrame:
    firsts = incoming.group_by(GOLDEN_ID).agg(pl.col(RECORD).min().alias("_first"))
    return _edges(incoming.join(firsts, on=GOLDEN_ID), RECORD, "_first")


def _lineage_edges(
    incoming: pl.DataFrame, lineage: pl.DataFrame, nodes: pl.DataFrame
) -> pl.DataFrame:
    """Incoming record -> the golden record that held its ``(source, source id)`` before."""
    before = lineage.select(SOURCE, SOURCE_ID, pl.col(GOLDEN_ID).alias(EXISTING))
    linked = incoming.select(RECORD, SOURCE, SOURCE_ID).join(before, on=[SOURCE, SOURCE_ID])
    linked = linked.join(nodes.select(pl.col(RECORD).alias("_node"), EXISTING), on=EXISTING)
    return _edges(linked, RECORD, "_node")


def _match_edges(incoming: pl.DataFrame, golden: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """Matched pairs of one incoming record and one existing golden record (node numbers in
    ``_record``; the matcher numbers the records it is given from 0)."""
    combined = pl.concat([incoming, golden.select(incoming.columns)], how="vertical_relaxed")
    nodes = combined[RECORD].cast(pl.Int64)
    scored, _ = find_matches(combined.drop(RECORD).with_row_index(RECORD), config)
    size = incoming.height
    cross = (pl.col(LEFT) < size) != (pl.col(RIGHT) < size)
    matched = scored.filter(pl.col("match") & cross)
    return pl.DataFrame(
        {
            LEFT: nodes.gather(matched[LEFT]),
            RIGHT: nodes.gather(matched[RIGHT]),
            WEIGHT: matched[WEIGHT].cast(pl.Float64),
        },
        schema={LEFT: pl.Int64, RIGHT: pl.Int64, WEIGHT: pl.Float64},
    )


def _nodes_of(
    side: pl.DataFrame, incoming: pl.DataFrame, nodes: pl.DataFrame, lineage: pl.DataFrame
) -> pl.DataFrame:
    """``_pair, _node`` for one side of cannot-link pairs (``_pair, _source, _source_id``)."""
    records = side.join(incoming.select(SOURCE, SOURCE_ID, RECORD), on=[SOURCE, SOURCE_ID])
    held = side.join(records, on=_PAIR, how="anti").join(
        lineage.select(SOURCE, SOURCE_ID, pl.col(GOLDEN_ID).alias(EXISTING)),
        on=[SOURCE, SOURCE_ID],
    )
    held = held.join(nodes.select(EXISTING, RECORD), on=EXISTING)
    return pl.concat([records.select(_PAIR, RECORD), held.select(_PAIR, RECORD)]).rename(
        {RECORD: _NODE}
    )


def _apart_edges(
    apart: pl.DataFrame, incoming: pl.DataFrame, nodes: pl.DataFrame, lineage: pl.DataFrame
) -> pl.DataFrame:
    """Cannot-link pairs (``APART`` columns) as ``left, right`` node pairs."""
    pairs = apart.with_row_index(_PAIR)
    sides = [
        _nodes_of(
            pairs.select(_PAIR, pl.col(source).alias(SOURCE), pl.col(source_id).alias(SOURCE_ID)),
            incoming,
            nodes,
            lineage,
        )
        for source, source_id in (APART[:2], APART[2:])
    ]
    both = sides[0].join(sides[1], on=_PAIR, suffix="_b")
    return both.select(
        pl.min_horizontal(_NODE, f"{_NODE}_b").cast(pl.Int64).alias(LEFT),
        pl.max_horizontal(_NODE, f"{_NODE}_b").cast(pl.Int64).alias(RIGHT),
    ).filter(pl.col(LEFT) != pl.col(RIGHT))


def _order(incoming: pl.DataFrame, nodes: pl.DataFrame) -> np.ndarray:
    """A rank per node by lineage, breaking ties between equally strong links."""
    keys = pl.concat([incoming.select(SOURCE, SOURCE_ID), nodes.select(SOURCE, SOURCE_ID)])
    return keys.select(pl.struct(SOURCE, SOURCE_ID).rank("dense")).to_series().to_numpy()


def resolve(
    frame: pl.DataFrame,
    golden: pl.DataFrame,
    lineage: pl.DataFrame,
    config: MatchConfig | None,
    known: pl.Series | None = None,
    apart: pl.DataFrame | None = None,
) -> Resolution:
    """Final golden ids for the incoming ``frame`` against the target's ``golden`` records
    (as :func:`~crmclean.load.existing.golden_nodes`) and crosswalk rows ``lineage`` (of the
    incoming records, and of the records ``apart`` names).

    ``known`` marks the records the target already holds with the same values (not matched
    again); ``apart`` lists cannot-link pairs (``APART`` columns). ``config`` may be None only
    when ``golden`` is empty (nothing to match against).
    """
    incoming = frame.with_row_index(RECORD)
    fields = [c for c in incoming.columns if c in golden.columns or c == RECORD]
    nodes = golden.with_row_index(RECORD, offset=incoming.height).with_columns(
        pl.col(GOLDEN_ID).alias(EXISTING)
    )
    edges = [_cluster_edges(incoming), _lineage_edges(incoming, lineage, nodes)]
    if config is not None and not golden.is_empty():
        fresh = incoming if known is None else incoming.filter(~known)
        if not fresh.is_empty():
            edges.append(_match_edges(fresh.select(fields), nodes.select(fields), config))
    graph = pl.concat(edges)
    labels = components(incoming.height + golden.height, graph)
    if apart is not None and not apart.is_empty():
        cannot = _apart_edges(apart, incoming, nodes, lineage)
        labels = split_chains(labels, graph, cannot, _order(incoming, nodes))
    return _final_ids(incoming, nodes, pl.Series(LABEL, labels, dtype=pl.Int64))


def _final_ids(incoming: pl.DataFrame, nodes: pl.DataFrame, labels: pl.Series) -> Resolution:
    size = incoming.height
    records = incoming.select(GOLDEN_ID).with_columns(labels.head(size))
    nodes = nodes.select(EXISTING).with_columns(labels.tail(nodes.height))
    per_label = (
        records.join(nodes, on=LABEL, how="left")
        .group_by(LABEL)
        .agg(pl.coalesce(pl.col(EXISTING).min(), pl.col(GOLDEN_ID).min()).alias(FINAL))
    )
    final = records.join(per_label, on=LABEL, how="left", maintain_order="left")[FINAL]
    renamed = nodes.join(per_label, on=LABEL).select(EXISTING, FINAL)
    return Resolution(final.alias(GOLDEN_ID), renamed)
