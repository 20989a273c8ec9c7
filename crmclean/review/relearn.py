"""Re-learning from the reviewer's answers: once the decisions file holds ``MIN_EACH``
answers each way (and again every ``MIN_EACH`` more), ``m`` is learned from the labelled
pairs (:func:`crmclean.dedupe.find_matches` with them, the ``--training-pairs`` path), the
pairs are scored again, decisions re-applied, and the queue re-ranked.

How well the model does is measured twice, before and after: on the labelled pairs
(precision and recall of ``match`` against the answers) and as the model expects it from its
own probabilities (expected precision: the mean probability of the pairs it merges; expected
recall: their share of the probability mass of every candidate pair).
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


def labelled(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """``left, right, match`` for every decided pair of the decisions file."""
    decided = decided_pairs(read_decided(path), frame)
    return decided.select(LEFT, RIGHT, (pl.col(DECISION) == MUST).alias(MATCH))


def counts(pairs: pl.DataFrame) -> dict[str, int]:
    same = int(pairs[MATCH].sum())
    return {"same": same, "different": pairs.height - same}


def due(answered: dict[str, int], learned_at: int) -> bool:
    """Enough answers each way, and ``MIN_EACH`` more than at the last re-learning."""
    total = answered["same"] + answered["different"]
    return min(answered.values()) >= MIN_EACH and total >= learned_at + MIN_EACH


def quality(pairs: pl.DataFrame, labels: pl.DataFrame, threshold: float) -> dict[str, float | None]:
    """Precision and recall of the model's own verdict (before decisions override it) on the
    labelled pairs, and as the model expects them; pairs only a decision added never count."""
    scored = pairs.filter(pl.col("veto").is_not_null())
    verdict = (pl.col("probability") >= threshold) & ~pl.col("veto")
    scored = scored.select(LEFT, RIGHT, "probability", verdict.alias("_predicted"))
    both = labels.join(scored, on=[LEFT, RIGHT], how="left").with_columns(
        pl.col("_predicted").fill_null(False)
    )
    hit = (both[MATCH] & both["_predicted"]).sum()
    probability = scored["probability"]
    merged = probability.filter(scored["_predicted"])
    return {
        "precision": _ratio(hit, both["_predicted"].sum()),
        "recall": _ratio(hit, both[MATCH].sum()),
        "expected_precision": float(merged.mean()) if merged.len() else None,
        "expected_recall": _ratio(merged.sum(), probability.sum()),
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
