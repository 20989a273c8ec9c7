"""The dedupe stage: find records of the same person and merge each group into a golden record.

    keys -> blocking (candidate pairs) -> compare + score -> clusters -> survivorship

The rules live in ``rules/match.yaml`` (see :mod:`crmclean.dedupe.config`).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from crmclean.batch import GOLDEN_ID, Batch
from crmclean.dedupe.blocking import candidate_pairs, oversized_findings
from crmclean.dedupe.cluster import assign_golden_ids
from crmclean.dedupe.compare import pair_values
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import RECORD, matching_keys
from crmclean.dedupe.merge import golden_records
from crmclean.dedupe.score import score_pairs
from crmclean.rules import Rules

__all__ = ["dedupe", "find_matches"]


def find_matches(frame: pl.DataFrame, config: MatchConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scored candidate pairs of ``frame`` (records indexed by ``_record``) and the oversized
    blocks blocking skipped."""
    keys = matching_keys(frame, config.key_names, config)
    pairs, oversized = candidate_pairs(keys, config)
    compared = list(dict.fromkeys(spec.key for spec in config.comparisons))
    return score_pairs(pair_values(pairs, keys, compared), config), oversized


def dedupe(batch: Batch, rules: Rules) -> Batch:
    """Give every record a ``golden_id`` and build ``batch.golden``, one row per golden record."""
    config = load_match_config(rules)
    frame = batch.frame.drop(GOLDEN_ID, strict=False).with_row_index(RECORD)
    scored, oversized = find_matches(frame, config)
    matches = scored.filter("match")
    clustered = assign_golden_ids(frame, matches).drop(RECORD)
    golden = golden_records(clustered, rules.model.names)
    findings = oversized_findings(oversized, frame, config.oversized_report)
    result = replace(batch, frame=clustered, golden=golden).add_findings(findings)
    return result.add_stats(
        "dedupe",
        records=clustered.height,
        candidate_pairs=scored.height,
        matched_pairs=matches.height,
        **_cluster_counts(golden),
        oversized_blocks=oversized.height,
    )


def _cluster_counts(golden: pl.DataFrame) -> dict[str, int]:
    """Golden records, clusters of several records, records merged into another, largest."""
    sizes = golden["source_count"]
    return {
        "clusters": int((sizes > 1).sum()),
        "merged_records": int(sizes.sum()) - golden.height,
        "golden": golden.height,
        "largest_cluster": int(sizes.max() or 0),
    }
