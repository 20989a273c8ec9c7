"""The run a review session looks at: the sources read, normalized and deduplicated once, by
the same pipeline and dedupe stage as ``crmclean dedupe`` (decisions applied), plus what
explains a pair's weights (the coded keys and the estimated parameters)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crmclean import pipeline
from crmclean.dedupe import match_config
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.params import Parameters, estimate
from crmclean.dedupe.training import labelled_pairs, read_training_pairs
from crmclean.review.preview import serious_findings
from crmclean.rules import Rules
from crmclean.sources import SourceSpec


@dataclass
class ReviewRun:
    """Records (row ``i`` is record ``i``, with its ``golden_id``), scored pairs (``pairs``,
    re-scored when the model re-learns; ``edges``, as the run clustered them), findings and
    the model that scored them (with the labelled pairs it learned ``m`` from, if any)."""

    frame: pl.DataFrame
    pairs: pl.DataFrame
    edges: pl.DataFrame
    findings: pl.DataFrame
    rules: Rules
    config: MatchConfig
    table: KeyTable
    params: Parameters
    training: pl.DataFrame | None = None  # ``left, right, match`` of --training-pairs

    @property
    def fields(self) -> list[str]:
        return self.rules.model.names

    def indexed(self) -> pl.DataFrame:
        """The records with ``_record``, as the dedupe stage numbers them."""
        return self.frame.drop("golden_id").with_row_index(RECORD)


def review_run(
    sources: list[SourceSpec],
    rules: Rules,
    decisions: Path | None = None,
    threshold: float | None = None,
    training_pairs: Path | None = None,
) -> ReviewRun:
    """Read, normalize and deduplicate ``sources`` (``decisions`` applied when the file
    exists; ``m`` learned from ``training_pairs`` when given), as ``crmclean dedupe`` does."""
    known = decisions if decisions is not None and decisions.is_file() else None
    options = pipeline.RunOptions(
        threshold=threshold,
        decisions=known,
        merge=False,
        training_pairs=training_pairs,
        all_pairs=True,  # the queue, the edges and re-learning read every scored pair
    )
    batch = pipeline.run(sources, rules, options, stop_before="validate").batch
    assert batch.pairs is not None
    config = match_config(rules, options.dedupe)
    frame = batch.frame
    table = key_table(frame.with_row_index(RECORD), config.key_names, config)
    findings = serious_findings(batch.findings)
    edges = batch.pairs.select(LEFT, RIGHT, "probability", "match")
    params = estimate(table, config)
    training = None
    if training_pairs is not None:
        indexed = frame.drop("golden_id").with_row_index(RECORD)
        training = labelled_pairs(read_training_pairs(training_pairs), indexed)
    return ReviewRun(frame, batch.pairs, edges, findings, rules, config, table, params, training)
