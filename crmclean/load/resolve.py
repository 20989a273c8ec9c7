"""Incremental runs: attach incoming records to the golden records already in the target.

Incoming records, already clustered among themselves, and the target's golden records become
the nodes of one graph. Edges: records of one incoming cluster; a record and the golden record
its ``(source, source id)`` belonged to before; a new or changed record and a golden record the
match rules pair it with (a record the target already holds with the same values was matched
when it first came, so it is not matched again). Each connected component holding an incoming
record becomes one golden record, keeping the smallest existing golden id (or the incoming
cluster's id when it is new); the other existing golden records of the component are merged
into it.
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
    """Final golden ids: ``golden_ids`` (one per incoming record, in order) and ``renamed``
    (``_existing`` golden id -> ``_final`` id, for every existing golden record involved)."""

    golden_ids: pl.Series
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
    """Matched pairs of one incoming record and one existing golden record (node numbers in
    ``_record``; the matcher numbers the records it is given from 0)."""
    combined = pl.concat([incoming, golden.select(incoming.columns)], how="vertical_relaxed")
    nodes = combined[RECORD].cast(pl.Int64)
    scored, _ = find_matches(combined.drop(RECORD).with_row_index(RECORD), config)
    size = incoming.height
    cross = (pl.col(LEFT) < size) != (pl.col(RIGHT) < size)
    matched = scored.filter(pl.col("match") & cross)
    return pl.DataFrame(
        {LEFT: nodes.gather(matched[LEFT]), RIGHT: nodes.gather(matched[RIGHT])},
        schema={LEFT: pl.Int64, RIGHT: pl.Int64},
    )


def resolve(
    frame: pl.DataFrame,
    golden: pl.DataFrame,
    lineage: pl.DataFrame,
    config: MatchConfig | None,
    known: pl.Series | None = None,
) -> Resolution:
    """Final golden ids for the incoming ``frame`` against the target's ``golden`` records
    (as :func:`~crmclean.load.existing.golden_nodes`) and crosswalk rows ``lineage``.

    ``known`` marks the records the target already holds with the same values (not matched
    again). ``config`` may be None only when ``golden`` is empty (nothing to match against).
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
    labels = components(incoming.height + golden.height, pl.concat(edges))
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
