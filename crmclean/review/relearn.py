"""Re-learning from the reviewer's answers: once the decisions file holds ``MIN_EACH``
answers each way (and again each time the answers grew by half), ``m`` is learned from the labelled
pairs (:func:`crmclean.dedupe.find_matches` with them, the ``--training-pairs`` path), the
pairs are scored again, decisions re-applied, and the queue re-ranked.

How well the model does is measured twice, before and after: on the labelled pairs
(precision and recall against the answers of "probability at least one half") and as the
model expects it from its own probabilities (expected precision: the mean probability of the
pairs it merges; expected recall: their share of the probability mass of every candidate
pair).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crmclean.dedupe import find_matches
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.decisions import DECISION, MUST, apply_decisions, decided_pairs
from crmclean.dedupe.decisions import read_decisions as read_decided
from crmclean.dedupe.training import MATCH
from crmclean.review.run import ReviewRun

MIN_EACH = 20
GROWTH = 1.5
EVEN_ODDS = 0.5


def labelled(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """``left, right, match`` for every decided pair of the decisions file."""
    decided = decided_pairs(read_decided(path), frame)
    return decided.select(LEFT, RIGHT, (pl.col(DECISION) == MUST).alias(MATCH))


def counts(pairs: pl.DataFrame) -> dict[str, int]:
    same = int(pairs[MATCH].sum())
    return {"same": same, "different": pairs.height - same}


def due(answered: dict[str, int], learned_at: int) -> bool:
    """Enough answers each way, and half again as many as at the last re-learning (at least
    ``MIN_EACH`` more): each re-learning costs a scoring of every pair, and a few more labels
    move ``m`` less the more there are."""
    total = answered["same"] + answered["different"]
    grown = total >= max(learned_at + MIN_EACH, learned_at * GROWTH)
    return min(answered.values()) >= MIN_EACH and grown


def quality(pairs: pl.DataFrame, labels: pl.DataFrame, threshold: float) -> dict[str, float | None]:
    """Precision and recall of the model's own verdict (before decisions override it) on the
    labelled pairs, at even odds (the answered pairs sit below the merge threshold by
    construction); and as the model expects them at the merge ``threshold``. Pairs only a
    decision added (never scored) do not count."""
    scored = pairs.filter(pl.col("veto").is_not_null())
    likely = (pl.col("probability") >= EVEN_ODDS) & ~pl.col("veto")
    merged = (pl.col("probability") >= threshold) & ~pl.col("veto")
    scored = scored.select(LEFT, RIGHT, "probability", likely.alias("_likely"), merged.alias("_m"))
    both = labels.join(scored, on=[LEFT, RIGHT], how="left").with_columns(
        pl.col("_likely").fill_null(False)
    )
    hit = (both[MATCH] & both["_likely"]).sum()
    probability = scored["probability"]
    kept = probability.filter(scored["_m"])
    return {
        "precision": _ratio(hit, both["_likely"].sum()),
        "recall": _ratio(hit, both[MATCH].sum()),
        "expected_precision": _ratio(kept.sum(), kept.len()),
        "expected_recall": _ratio(kept.sum(), probability.sum()),
    }


def _ratio(part: Any, whole: Any) -> float | None:
    return float(part) / float(whole) if whole else None


def rescored(run: ReviewRun, path: Path) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The run's pairs scored with ``m`` learned from the answers in ``path`` (decisions
    applied), and the quality before and after."""
    frame = run.indexed()
    labels = labelled(path, frame)
    threshold = run.config.auto_merge_threshold
    before = quality(run.pairs, labels, threshold)
    scored, _ = find_matches(frame, run.config, labels)
    after = quality(scored, labels, threshold)
    scored = apply_decisions(scored, decided_pairs(read_decided(path), frame))
    return scored, {"labelled": counts(labels), "before": before, "after": after}


@dataclass
class Learner:
    """When to re-learn and what the last re-learning did (shown on the page)."""

    answered: dict[str, int]
    learned_at: int = 0
    running: bool = False
    report: dict[str, Any] = field(default_factory=dict)

    def count(self, kind: str, step: int) -> None:
        if kind in self.answered:
            self.answered[kind] += step

    def due(self) -> bool:
        return not self.running and due(self.answered, self.learned_at)

    def status(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "answered": dict(self.answered),
            "needed_each": MIN_EACH,
            **self.report,
        }
