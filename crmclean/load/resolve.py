"""Incremental runs: attach incoming records to the golden records already in the target.

Incoming records, already clustered among themselves, and the target's golden records become
the nodes of one graph. Edges: records of one incoming cluster; a record and the golden record
its ``(source, source id)`` belonged to before; a record and a golden record the match rules
pair it with. Each connected component holding an incoming record becomes one golden record,
keeping the smallest existing golden id (or the incoming cluster's id when it is new); the other
existing golden records of the component are merged into it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe import find_matches
from crmclean.dedupe.cluster import components
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.keys import RECORD

EXISTING = "_existing"
LABEL = "_label"
FINAL = "_final"


@dataclass(frozen=True)
class Resolution:
    """Final golden ids: ``records`` (incoming, with ``golden_id`` replaced) and ``renamed``
    (``_existing`` golden id -> ``_final`` id, for every existing golden record involved)."""

    records: pl.DataFrame
    renamed: pl.DataFrame


def _edges(frame: pl.DataFrame, left: str, right: str) -> pl.DataFrame:
    return frame.select(
        pl.col(left).cast(pl.Int64).alias(LEFT), pl.col(right).cast(pl.Int64).alias(RIGHT)
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
    """Matched pairs of one incoming record and one existing golden record."""
    combined = pl.concat([incoming, golden.select(incoming.columns)], how="vertical_relaxed")
    scored, _ = find_matches(combined, config)
    size = incoming.height
    cross = (pl.col(LEFT) < size) != (pl.col(RIGHT) < size)
    return _edges(scored.filter(pl.col("match") & cross), LEFT, RIGHT)


def resolve(
    frame: pl.DataFrame, golden: pl.DataFrame, lineage: pl.DataFrame, config: MatchConfig | None
) -> Resolution:
    """Final golden ids for the incoming ``frame`` against the target's ``golden`` records
    (as :func:`~crmclean.load.existing.golden_nodes`) and crosswalk rows ``lineage``.

    ``config`` may be None only when ``golden`` is empty (nothing to match against).
    """
    incoming = frame.with_row_index(RECORD)
    fields = [c for c in incoming.columns if c in golden.columns or c == RECORD]
    nodes = golden.with_row_index(RECORD, offset=incoming.height).with_columns(
        pl.col(GOLDEN_ID).alias(EXISTING)
    )
    edges = [_cluster_edges(incoming), _lineage_edges(incoming, lineage, nodes)]
    if config is not None and not golden.is_empty():
        edges.append(_match_edges(incoming.select(fields), nodes.select(fields), config))
    labels = components(incoming.height + golden.height, pl.concat(edges))
    return _final_ids(incoming, nodes, pl.Series(LABEL, labels, dtype=pl.Int64))


def _final_ids(incoming: pl.DataFrame, nodes: pl.DataFrame, labels: pl.Series) -> Resolution:
    size = incoming.height
    incoming = incoming.with_columns(labels.head(size))
    nodes = nodes.select(EXISTING).with_columns(labels.tail(nodes.height))
    per_label = (
        incoming.select(LABEL, GOLDEN_ID)
        .join(nodes, on=LABEL, how="left")
        .group_by(LABEL)
        .agg(pl.coalesce(pl.col(EXISTING).min(), pl.col(GOLDEN_ID).min()).alias(FINAL))
    )
    records = incoming.join(per_label, on=LABEL, maintain_order="left")
    records = records.with_columns(pl.col(FINAL).alias(GOLDEN_ID)).drop(RECORD, LABEL, FINAL)
    renamed = nodes.join(per_label, on=LABEL).select(EXISTING, FINAL)
    return Resolution(records, renamed)
