"""The dedupe stage: find records of the same person and merge each group into a golden record.

    keys (coded) -> blocking (candidate pairs) -> parameters (u, term frequencies, prior)
         -> compare -> m (EM, or labelled pairs) -> score (match probability)
         -> decisions -> clusters (chains cut) -> survivorship

The rules live in ``rules/match.yaml`` (see :mod:`crmclean.dedupe.config`). Entry points for
other stages (incremental matching against golden records): :func:`find_matches` (pure: a frame
in, scored pairs out), :func:`crmclean.dedupe.cluster.assign_golden_ids` and
:func:`crmclean.dedupe.merge.golden_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from crmclean.batch import GOLDEN_ID, Batch
from crmclean.dedupe.blocking import candidate_pairs, oversized_findings
from crmclean.dedupe.cluster import assign_golden_ids
from crmclean.dedupe.cohesion import CHECKED, Scorer, cluster_check
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.decisions import (
    DECISION,
    apply_decisions,
    apply_overrides,
    cannot_link,
    decided_pairs,
    field_overrides,
    read_decisions,
)
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.learn import em_sample, expectation_maximisation, from_labelled_pairs
from crmclean.dedupe.merge import golden_records, merge_log
from crmclean.dedupe.params import estimate
from crmclean.dedupe.score import compared_pairs
from crmclean.dedupe.settle import settled_pairs
from crmclean.dedupe.training import MATCH, labelled_pairs, read_training_pairs
from crmclean.rules import Rules

__all__ = ["DedupeOptions", "dedupe", "find_matches"]


@dataclass(frozen=True)
class DedupeOptions:
    """Per-run choices: a match-probability threshold overriding the rules, a decisions file,
    whether to merge clusters into golden records (an audit only needs the clusters), and a
    file of labelled pairs to learn ``m`` from."""

    threshold: float | None = None
    decisions: Path | None = None
    merge: bool = True
    training_pairs: Path | None = None


def find_matches(
    frame: pl.DataFrame, config: MatchConfig, labelled: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scored candidate pairs of ``frame`` (records indexed by ``_record``) and the oversized
    blocks blocking skipped. Pairs carry ``left, right`` (record indices), ``probability``,
    ``match``, ``review``, ``veto`` and per comparison ``sim_<name>`` and ``w_<name>`` (a
    deferrable comparison's ``sim_<name>`` is null where it could not change the decision:
    see :mod:`crmclean.dedupe.settle`).

    ``m`` comes from the ``labelled`` pairs marked ``match`` when given, else from EM when
    ``em_iterations`` is set, else from the rules.
    """
    scored, oversized, _ = _matched(frame, config, labelled)
    return scored, oversized


def _matched(
    frame: pl.DataFrame, config: MatchConfig, labelled: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame, Scorer]:
    """:func:`find_matches` and what scored its pairs, to score more of them alike."""
    table = key_table(frame, config.key_names, config)
    pairs, oversized = candidate_pairs(table, config)
    params = estimate(table, config)
    sample = None
    if labelled is not None:
        matched = labelled.filter(MATCH).select(LEFT, RIGHT)
        params = from_labelled_pairs(matched, table, config, params)
    elif config.em_iterations:
        sample = compared_pairs(em_sample(pairs, config), table, config, params)
        params = expectation_maximisation(sample, config, params, table.height, pairs.height)
    scored = settled_pairs(pairs, table, config, params, sample)
    return scored, oversized, Scorer(table, config, params)


def _config(rules: Rules, options: DedupeOptions) -> MatchConfig:
    config = load_match_config(rules)
    if options.threshold is None:
        return config
    review = min(config.review_threshold, options.threshold)
    return config.model_copy(
        update={"auto_merge_threshold": options.threshold, "review_threshold": review}
    )


def _decided(scored: pl.DataFrame, frame: pl.DataFrame, options: DedupeOptions) -> pl.DataFrame:
    """``scored`` with the decisions file applied (an empty ``decision`` without one)."""
    if options.decisions is None:
        return scored.with_columns(pl.lit(None, dtype=pl.String).alias(DECISION))
    return apply_decisions(scored, decided_pairs(read_decisions(options.decisions), frame))


def dedupe(batch: Batch, rules: Rules, options: DedupeOptions | None = None) -> Batch:
    """Give every record a ``golden_id``; build ``batch.golden`` (one row per golden record),
    ``batch.pairs`` (every scored pair, for review and explain) and ``batch.merges`` (the merge
    log: every disagreeing value of a merged cluster and whether it survived)."""
    options = options or DedupeOptions()
    config = _config(rules, options)
    frame = batch.frame.drop(GOLDEN_ID, strict=False).with_row_index(RECORD)
    labelled = None
    if options.training_pairs is not None:
        labelled = labelled_pairs(read_training_pairs(options.training_pairs), frame)
    candidates, oversized, scorer = _matched(frame, config, labelled)
    cohesion = cluster_check(candidates, scorer)
    scored = pl.concat(
        [candidates.with_columns(pl.lit(False).alias(CHECKED)), cohesion.pairs],
        how="diagonal_relaxed",
    )
    scored = _decided(scored, frame, options)
    matches = scored.filter("match")
    checked = pl.col(CHECKED).fill_null(False) & pl.col(DECISION).is_null()
    cannot, disputed = (cannot_link(scored.filter(side), config) for side in (~checked, checked))
    clustered = assign_golden_ids(frame, matches, cannot, disputed).drop(RECORD)
    findings = oversized_findings(oversized, frame, config.oversized_report)
    result = replace(batch, frame=clustered, pairs=scored).add_findings(findings)
    if options.merge:
        fields = rules.model.names
        golden = golden_records(clustered, fields, config.survivorship, batch.findings)
        if options.decisions is not None:
            golden = apply_overrides(
                golden, clustered, field_overrides(options.decisions, clustered)
            )
        result = replace(result, golden=golden, merges=merge_log(clustered, golden, fields))
    return result.add_stats(
        "dedupe",
        records=clustered.height,
        candidate_pairs=candidates.height,
        checked_pairs=cohesion.pairs.height,
        sampled_clusters=cohesion.sampled_clusters,
        matched_pairs=int(matches[CHECKED].not_().fill_null(True).sum()),
        review_pairs=int(scored["review"].sum()),
        **_cluster_counts(clustered),
        oversized_blocks=oversized.height,
    )


def _cluster_counts(clustered: pl.DataFrame) -> dict[str, int]:
    """Golden records, clusters of several records, records merged into another, largest."""
    sizes = clustered[GOLDEN_ID].value_counts()["count"]
    return {
        "clusters": int((sizes > 1).sum()),
        "merged_records": clustered.height - sizes.len(),
        "golden": sizes.len(),
        "largest_cluster": int(sizes.max() or 0),
    }
