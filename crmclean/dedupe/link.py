"""Incremental linking: this run's records joined to the clusters the target already holds.

The target's golden records and their members enter the dedupe stage as already-clustered
input. A record the target holds with the same values (*known*) is not matched again: it stays
in its golden record. The other records (*fresh*: new, changed, or named by a decision) are
scored among themselves and against the target's golden records (never golden against golden:
the target's clusters are not matched again). One graph then holds the fresh records, the
golden records and the known records; its edges are the matched pairs and, for each known or
changed record, a certain link to the golden record that held it. Cannot-link pairs (vetoes,
very unlikely pairs, decisions; a record only the target holds stands for its golden record)
split a component at its weakest links, as :func:`~crmclean.dedupe.chains.split_chains` does,
with the weak, contested and doubted pairs of a full run (:mod:`crmclean.dedupe.chains`), so
that records added by a rerun end as one run of them all would put them. The fresh records'
keys read all their columns (the golden records lack some: the phone types, the company key).

Golden ids stay stable: each existing golden id goes to the component holding most of its
records (a cluster that gains a member keeps its id; a split keeps the id with the larger
part; the records only the target holds count with the golden record); a component with
several keeps the smallest (the others are merged into it); a component with none is new and
gets the id of its smallest lineage (:func:`~crmclean.dedupe.cluster.golden_id`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from crmclean.batch import EXISTING, FINAL, GOLDEN_ID, RAW, SOURCE, SOURCE_ID
from crmclean.dedupe.blocking import blocking_keys, oversized_blocks, oversized_findings
from crmclean.dedupe.bridges import bridged
from crmclean.dedupe.chains import (
    WEAK,
    WEIGHT,
    contested,
    doubted,
    link_strength,
    split_chains,
    weak_links,
)
from crmclean.dedupe.chunks import floor_of
from crmclean.dedupe.cluster import components, golden_id
from crmclean.dedupe.cohesion import CHECKED
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.decisions import CANNOT, DECISION, cannot_link, read_decisions, record_pairs
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.matching import (
    DedupeOptions,
    Scored,
    scored_pairs,
    unchecked,
    with_doubt_checks,
)
from crmclean.dedupe.model import MatchModel
from crmclean.dedupe.training import labelled_pairs, read_training_pairs
from crmclean.rules import Rules

if TYPE_CHECKING:
    from crmclean.load.existing import TargetClusters

LABEL, _NODE, _PRIOR, _VOTES = "_label", "_node", "_prior", "_votes"
_BITS = "match_weight"
_HASH, _KNOWN = "_hash", "_known"
CERTAIN = 1.0  # the weight of a link between a record and the golden record that held it
NODE_VOTE = 0.5  # a golden record's own vote: ties go to the component it is in
_KEYS = [SOURCE, SOURCE_ID]
PAIR_COUNTS = ("candidate_pairs", "checked_pairs", "matched_pairs", "review_pairs")
NO_PAIRS = {
    LEFT: pl.UInt32,
    RIGHT: pl.UInt32,
    WEIGHT: pl.Float64,
    "match": pl.Boolean,
    "veto": pl.Boolean,
    CHECKED: pl.Boolean,
    DECISION: pl.String,
}


@dataclass(frozen=True)
class Linked:
    """The run's records with their golden ids (input order), the target's clusters with
    ``renamed`` and ``kept`` filled, the findings of oversized blocks, and the stage's
    counts."""

    frame: pl.DataFrame
    target: TargetClusters
    findings: pl.DataFrame
    stats: dict[str, int]
    model: MatchModel | None  # what scored the new records (None: nothing new to score)


def linking(target: TargetClusters | None) -> bool:
    """Whether the dedupe stage links into ``target`` (it holds golden records)."""
    return target is not None and not target.contacts.is_empty()


def known_records(frame: pl.DataFrame, prior: pl.DataFrame) -> pl.Series:
    """Per record of ``frame``: whether the target's crosswalk rows ``prior`` hold it with the
    same values."""
    columns = [c for c in prior.columns if c in frame.columns and c not in (GOLDEN_ID, RAW)]

    def signed(rows: pl.DataFrame) -> pl.DataFrame:
        values = rows.select(
            pl.col(c) if isinstance(rows.schema[c], pl.List) else pl.col(c).cast(pl.String)
            for c in columns
        )
        return rows.select(_KEYS).with_columns(values.hash_rows().alias(_HASH))

    held = signed(prior).with_columns(pl.lit(True).alias(_KNOWN))
    found = signed(frame).join(held, on=[*_KEYS, _HASH], how="left", maintain_order="left")
    return found[_KNOWN].fill_null(False)


def _decided(frame: pl.DataFrame, decisions: Path | None) -> pl.Series:
    """Per record of ``frame``: whether the decisions file names it (it is matched again)."""
    if decisions is None:
        return pl.Series(_KNOWN, [False] * frame.height, dtype=pl.Boolean)
    table = read_decisions(decisions)
    named = pl.concat(
        table.select(pl.col(a).alias(SOURCE), pl.col(b).alias(SOURCE_ID))
        for a, b in (("source_a", "source_id_a"), ("source_b", "source_id_b"))
    ).unique()
    flagged = frame.select(_KEYS).join(
        named.with_columns(pl.lit(True).alias(_KNOWN)), on=_KEYS, how="left", maintain_order="left"
    )
    return flagged[_KNOWN].fill_null(False)


def _edges(
    frame: pl.DataFrame, left: str, right: str, weight: pl.Expr, weak: pl.Expr, bits: pl.Expr
) -> pl.DataFrame:
    """Graph edges: ``probability``, ``weak`` and ``match_weight`` (the strength of a weak
    link, see :func:`~crmclean.dedupe.chains.split_chains`)."""
    return frame.select(
        pl.col(left).cast(pl.Int64).alias(LEFT),
        pl.col(right).cast(pl.Int64).alias(RIGHT),
        weight.cast(pl.Float64).alias(WEIGHT),
        weak.alias(WEAK),
        bits.cast(pl.Float64).alias(_BITS),
    )


def _matches(pairs: pl.DataFrame, config: MatchConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The matched ``pairs`` as a full run clusters them (:func:`~crmclean.dedupe.clusters`):
    without the contested ones, each marked weak or not; and the contested pairs."""
    if pairs.is_empty():  # nothing new was scored: no comparison columns either
        return pairs.with_columns(pl.lit(False).alias(WEAK)), pairs.select(LEFT, RIGHT)
    contradicted = contested(pairs, config.identifiers, config.contradicting)
    matches = pairs.filter("match").join(contradicted, on=[LEFT, RIGHT], how="anti")
    matches = weak_links(matches, config.identifiers)
    if WEAK not in matches.columns:
        matches = matches.with_columns(pl.lit(False).alias(WEAK))
    return matches, contradicted


def _pairs(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col(LEFT).cast(pl.Int64), pl.col(RIGHT).cast(pl.Int64))


def _apart(
    decisions: Path | None, fresh: pl.DataFrame, members: pl.DataFrame, nodes: pl.DataFrame
) -> pl.DataFrame:
    """Cannot-link decisions naming a record only the target holds, as node pairs: that record
    stands for its golden record (``nodes``: ``_prior`` golden id -> ``_node``)."""
    empty = pl.DataFrame(schema={LEFT: pl.Int64, RIGHT: pl.Int64})
    if decisions is None:
        return empty
    table = read_decisions(decisions).filter(pl.col(DECISION) == CANNOT)
    only_held = members.join(fresh, on=_KEYS, how="anti")
    held = only_held.join(nodes, left_on=GOLDEN_ID, right_on=_PRIOR).select(*_KEYS, _NODE)
    index = pl.concat([fresh.select(*_KEYS, _NODE), held]).rename({_NODE: RECORD})
    pairs = record_pairs(table, index, DECISION)
    return _pairs(pairs.filter(pl.col(LEFT) != pl.col(RIGHT))) if pairs.height else empty


def _order(*keys: pl.DataFrame) -> np.ndarray:
    """A rank per node by lineage, breaking ties between equally strong links."""
    every = pl.concat([k.select(_KEYS) for k in keys])
    return every.select(pl.struct(_KEYS).rank("dense")).to_series().to_numpy()


def link(
    frame: pl.DataFrame,
    rejects: pl.DataFrame,
    target: TargetClusters,
    config: MatchConfig,
    options: DedupeOptions,
    rules: Rules,
) -> Linked:
    """Golden ids for ``frame`` (normalized, with matching keys) linked into ``target``'s
    clusters; ``rejects`` are this run's rejected records (they leave their golden records)."""
    from crmclean.load.existing import as_records, golden_nodes  # SQLAlchemy: only to link

    members = as_records(target.crosswalk)
    golden = golden_nodes(target.contacts)
    incoming = pl.concat([frame.select(_KEYS), rejects.select(_KEYS)]).unique()
    prior = members.join(incoming, on=_KEYS, how="semi")
    known = known_records(frame, prior) & ~_decided(frame, options.decisions)
    fresh, held = frame.filter(~known), frame.filter(known)
    f, g = fresh.height, golden.height
    fields = [c for c in fresh.columns if c != RAW]  # the columns keys read, as a full run's
    golden_fields = golden.select(c for c in fields if c in golden.columns)
    both = pl.concat([fresh.select(fields), golden_fields], how="diagonal_relaxed")
    combined = add_keys(both, rules).with_row_index(RECORD)
    fresh_side = (pl.col(LEFT) < f) | (pl.col(RIGHT) < f)
    counts, pairs = dict.fromkeys(PAIR_COUNTS, 0), pl.DataFrame(schema=NO_PAIRS)
    checks = pairs
    low = pl.DataFrame(schema=NO_PAIRS).select(LEFT, RIGHT)  # unlikely pairs, kept apart
    model = options.model
    if f:  # else nothing new or changed: nothing to score
        labelled = None
        if options.training_pairs is not None:
            labelled = labelled_pairs(read_training_pairs(options.training_pairs), combined)
        scored = scored_pairs(combined, config, options, labelled, keep=fresh_side)
        pairs, counts = scored.pairs.filter(fresh_side), _pair_counts(scored)
        low = scored.apart.filter(fresh_side)
        checks = with_doubt_checks(pairs, scored.cohesion).filter(fresh_side)
        model = scored.model
    findings, counts["oversized_blocks"] = _oversized(frame, config)

    nodes = golden.select(pl.col(GOLDEN_ID).alias(_PRIOR)).with_row_index(_NODE, offset=f)
    records = pl.concat(
        [
            fresh.select(_KEYS).with_row_index(_NODE),
            held.select(_KEYS).with_row_index(_NODE, offset=f + g),
        ]
    ).join(prior.select(*_KEYS, pl.col(GOLDEN_ID).alias(_PRIOR)), on=_KEYS, how="left")
    lineage = records.join(nodes, on=_PRIOR, suffix="_golden")
    matches, contradicted = _matches(pairs, config)
    edges = pl.concat(
        [
            _edges(matches, LEFT, RIGHT, pl.col(WEIGHT), pl.col(WEAK), link_strength(matches)),
            _edges(lineage, _NODE, f"{_NODE}_golden", pl.lit(CERTAIN), pl.lit(False), pl.lit(None)),
        ]
    )
    size = f + g + held.height
    labels = components(size, edges)
    cannot = pl.concat(
        [
            _pairs(cannot_link(pairs.filter(unchecked()), config)),
            _pairs(low),
            _apart(options.decisions, records.filter(pl.col(_NODE) < f), members, nodes),
        ]
    )
    disputed = _pairs(cannot_link(pairs.filter(~unchecked()), config))
    lifted = _pairs(bridged(pairs.filter(unchecked()), matches, config, floor_of(config)))
    cannot = cannot.join(lifted, on=[LEFT, RIGHT], how="anti")
    disputed = pl.concat([disputed, lifted])
    doubts = checks.select(LEFT, RIGHT) if checks.is_empty() else doubted(checks, config.doubting)
    contradicted, doubts = _pairs(contradicted), _pairs(doubts)
    if cannot.height or disputed.height or contradicted.height or doubts.height:
        order = _order(fresh, golden, held)
        labels = split_chains(labels, edges, cannot, order, disputed, contradicted, doubts)
    label_of = pl.Series(LABEL, labels, dtype=pl.Int64)
    records = records.with_columns(label_of.gather(records[_NODE]))
    nodes = nodes.with_columns(label_of.gather(nodes[_NODE]))
    kept = members.join(incoming, on=_KEYS, how="anti")
    finals = _final_ids(records, nodes, kept)
    linked, clusters = _linked(frame, target, records, nodes, kept, finals, prior, f)
    stats = {**_stats(linked, records, clusters, f), **counts}
    return Linked(linked, clusters, findings, stats, model)


def _final_ids(records: pl.DataFrame, nodes: pl.DataFrame, kept: pl.DataFrame) -> pl.DataFrame:
    """``_label -> _final`` for every component: an existing golden id (each to the component
    holding most of its records) or a new one."""
    kept_counts = kept.group_by(GOLDEN_ID).agg(pl.len().alias(_VOTES))
    own = nodes.join(kept_counts, left_on=_PRIOR, right_on=GOLDEN_ID, how="left").select(
        pl.col(_PRIOR).alias(EXISTING), LABEL, (pl.col(_VOTES).fill_null(0) + NODE_VOTE)
    )
    held = records.filter(pl.col(_PRIOR).is_not_null()).select(
        pl.col(_PRIOR).alias(EXISTING), LABEL, pl.lit(1.0).alias(_VOTES)
    )
    votes = pl.concat([own, held], how="vertical_relaxed").group_by(EXISTING, LABEL).sum()
    won = votes.sort([_VOTES, LABEL], descending=[True, False]).unique(EXISTING, keep="first")
    ids = won.group_by(LABEL).agg(pl.col(EXISTING).min().alias(FINAL))
    kept_labels = kept.join(nodes, left_on=GOLDEN_ID, right_on=_PRIOR).select(*_KEYS, LABEL)
    anchors = pl.concat([records.select(*_KEYS, LABEL), kept_labels])
    anchors = anchors.join(ids, on=LABEL, how="anti").sort(_KEYS).unique(LABEL, keep="first")
    new = anchors.select(
        LABEL,
        pl.Series(
            FINAL,
            [golden_id(s, i) for s, i in anchors.select(_KEYS).iter_rows()],
            dtype=pl.String,
        ),
    )
    return pl.concat([ids, new])


def _linked(
    frame: pl.DataFrame,
    target: TargetClusters,
    records: pl.DataFrame,
    nodes: pl.DataFrame,
    kept: pl.DataFrame,
    finals: pl.DataFrame,
    prior: pl.DataFrame,
    fresh: int,
) -> tuple[pl.DataFrame, TargetClusters]:
    """The run's records (``frame``) with their final ids, and ``target`` with what the load
    needs: ``renamed`` and ``kept``."""
    ids = records.join(finals, on=LABEL).select(*_KEYS, pl.col(FINAL).alias(GOLDEN_ID))
    linked = frame.join(ids, on=_KEYS, how="left", maintain_order="left")
    fresh_labels = records.filter(pl.col(_NODE) < fresh).select(LABEL).unique()
    touched = pl.concat(
        [
            prior.select(pl.col(GOLDEN_ID).alias(_PRIOR)),
            nodes.join(fresh_labels, on=LABEL, how="semi").select(_PRIOR),
        ]
    ).unique()
    node_final = nodes.join(finals, on=LABEL, how="left").select(_PRIOR, FINAL)
    survivors = finals.select(pl.col(FINAL).alias(_PRIOR), pl.lit(True).alias(_KNOWN))
    renamed = (
        touched.join(node_final, on=_PRIOR, how="left")
        .join(survivors, on=_PRIOR, how="left")
        .select(
            pl.col(_PRIOR).alias(EXISTING),
            pl.when(pl.col(_KNOWN)).then(pl.col(_PRIOR)).otherwise(FINAL).alias(FINAL),
        )
    )
    stay = kept.join(touched, left_on=GOLDEN_ID, right_on=_PRIOR, how="semi")
    stay = stay.join(node_final, left_on=GOLDEN_ID, right_on=_PRIOR).with_columns(
        pl.col(FINAL).alias(GOLDEN_ID)
    )
    return linked, replace(target, renamed=renamed, kept=stay.drop(FINAL))


def _oversized(frame: pl.DataFrame, config: MatchConfig) -> tuple[pl.DataFrame, int]:
    """The findings of this run's records in blocks too large to compare, as a first run
    reports them (known records included: a re-run finds the same), and the blocks' count:
    from the blocks' sizes over the blocking keys alone (no pair is formed)."""
    indexed = frame.with_row_index(RECORD)
    oversized = oversized_blocks(key_table(indexed, blocking_keys(config), config), config)
    return oversized_findings(oversized, indexed, config.oversized_report), oversized.height


def _pair_counts(scored: Scored) -> dict[str, int]:
    """The pairs scored: candidates, cluster-check pairs, matches, review, oversized blocks."""
    matches = scored.pairs.filter("match")
    return {
        "candidate_pairs": scored.candidates.height,
        "checked_pairs": scored.cohesion.pairs.height,
        "matched_pairs": int(matches[CHECKED].not_().fill_null(True).sum()),
        "review_pairs": int(scored.pairs["review"].sum()),
    }


def _stats(
    linked: pl.DataFrame, records: pl.DataFrame, target: TargetClusters, fresh: int
) -> dict[str, int]:
    """The records matched again or not, and the golden records they were linked to."""
    renamed = target.renamed
    assert renamed is not None
    existing = renamed.select(pl.col(EXISTING).alias(GOLDEN_ID))
    fresh_ids = linked.join(records.filter(pl.col(_NODE) < fresh), on=_KEYS, how="semi")
    sizes = linked[GOLDEN_ID].value_counts()["count"]
    return {
        "records": linked.height,
        "fresh_records": fresh,
        "known_records": linked.height - fresh,
        "linked_records": fresh_ids.join(existing, on=GOLDEN_ID, how="semi").height,
        "merged_golden": renamed.filter(pl.col(EXISTING) != pl.col(FINAL)).height,
        "golden": sizes.len(),
        "clusters": int((sizes > 1).sum()),
        "largest_cluster": int(sizes.to_numpy().max(initial=0)),
    }
