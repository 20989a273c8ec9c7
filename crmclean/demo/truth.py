"""Score a predicted crosswalk against a demo case's truth, pair by pair."""

from __future__ import annotations

from pathlib import Path

import polars as pl

KEY = ["source", "source_id"]
RecordKey = tuple[str, str]
Pair = tuple[RecordKey, RecordKey]


def read_truth(path: Path) -> pl.DataFrame:
    """``truth.csv`` with every column as text (source ids like ``0042`` stay intact)."""
    return pl.read_csv(path, infer_schema=False)


def true_pairs(truth: pl.DataFrame, cluster: str = "person_id") -> set[Pair]:
    """Every pair of records in the same ``cluster``, the smaller ``(source, source_id)`` first."""
    records = truth.select(pl.col(*KEY, cluster).cast(pl.String))
    joined = records.join(records, on=cluster, suffix="_b")
    first = (pl.col("source") < pl.col("source_b")) | (
        (pl.col("source") == pl.col("source_b")) & (pl.col("source_id") < pl.col("source_id_b"))
    )
    rows = joined.filter(first).select("source", "source_id", "source_b", "source_id_b")
    return {((a, b), (c, d)) for a, b, c, d in rows.iter_rows()}


def _pair_count(frame: pl.DataFrame, by: list[str]) -> int:
    """How many record pairs share the values of ``by``."""
    sizes = frame.group_by(by).len()
    return int(sizes.select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())


def pairwise_scores(predicted: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of a crosswalk (``source,source_id,golden_id``).

    Truth records missing from the crosswalk (rejected) count as singletons; crosswalk rows not in
    the truth are ignored. With no predicted pairs, precision is 1.0 (nothing was merged wrongly).
    """
    labels = truth.select(pl.col(*KEY, "person_id").cast(pl.String))
    guesses = predicted.select(pl.col(*KEY, "golden_id").cast(pl.String))
    singleton = pl.concat_str(pl.lit("\x00unmatched"), *KEY, separator="\x1f")
    joined = labels.join(guesses, on=KEY, how="left").with_columns(
        pl.col("golden_id").fill_null(singleton)
    )
    actual = _pair_count(joined, ["person_id"])
    found = _pair_count(joined, ["golden_id"])
    correct = _pair_count(joined, ["person_id", "golden_id"])
    precision = correct / found if found else 1.0
    recall = correct / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": actual,
        "predicted_pairs": found,
        "correct_pairs": correct,
    }
