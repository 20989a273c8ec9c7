"""Splink 5 (DuckDB) as the reference matcher for the benchmarks (needs the ``bench`` extra).

A reasonable, standard Splink model over whichever of these columns a frame has: ``first_name``,
``surname``, ``dob`` (YYYY-MM-DD or YYYYMMDD text), ``city``, ``postcode``, ``email``,
``phone``, ``street``, ``soc_sec_id``, ``birth_place``, ``occupation`` (exact, with term
frequencies, as Splink's historical_50k tutorial compares them). u from random sampling, the
prior from deterministic rules, m by EM on several blocking rules; pairs at p >= each
threshold clustered by connected components, as Splink's docs do it.

Set up robustly: an EM session that stops (Splink refuses a level never seen among the
matches of its block, ``m_probability value 0.0``) is skipped and the next rule trains those
comparisons; the comparison count of the prediction blocking rules is printed, so nobody wins
by breaking the other side's blocking.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import polars as pl

KNOWN = (
    "first_name",
    "surname",
    "dob",
    "city",
    "postcode",
    "email",
    "phone",
    "street",
    "soc_sec_id",
    "birth_place",
    "occupation",
)


_STRICT = [("first_name", "surname", "dob"), ("email",), ("first_name", "surname", "postcode")]
_EM = [("first_name", "surname"), ("dob",), ("phone",), ("email",), ("postcode",)]


def _comparisons(columns: set[str]) -> list:
    import splink.comparison_library as cl

    made = {
        "first_name": lambda: cl.NameComparison("first_name").configure(
            term_frequency_adjustments=True
        ),
        "surname": lambda: cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        "dob": lambda: cl.LevenshteinAtThresholds("dob", [1, 2]),
        "city": lambda: cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        "postcode": lambda: cl.LevenshteinAtThresholds("postcode", [1]),
        "email": lambda: cl.EmailComparison("email"),
        "phone": lambda: cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
        "street": lambda: cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
        "soc_sec_id": lambda: cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
        "birth_place": lambda: cl.ExactMatch("birth_place").configure(
            term_frequency_adjustments=True
        ),
        "occupation": lambda: cl.ExactMatch("occupation").configure(
            term_frequency_adjustments=True
        ),
    }
    return [made[column]() for column in KNOWN if column in columns]


def _blocking(columns: set[str]) -> list:
    from splink import block_on

    rules = [("first_name", "surname"), ("surname", "dob"), ("first_name", "dob"), ("email",)]
    rules += [("phone",), ("postcode", "first_name"), ("soc_sec_id",), ("surname", "city")]
    made = [block_on(*rule) for rule in rules if set(rule) <= columns]
    if {"first_name", "surname"} <= columns:  # swapped names
        made.append("l.first_name = r.surname and l.surname = r.first_name")
    if {"postcode", "surname"} <= columns:
        made.append(block_on("postcode", "substr(surname, 1, 3)"))
    return made


def register(frame: pl.DataFrame, columns: set[str]):
    """``frame``'s ``unique_id`` and ``columns`` as a Splink DuckDB table."""
    from splink import DuckDBAPI

    return DuckDBAPI().register(frame.select("unique_id", *sorted(columns)).to_pandas())


def count_pairs(frame: pl.DataFrame, columns: set[str], blocking: list) -> int:
    """How many pairs the prediction ``blocking`` rules generate on ``frame`` (exact)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    records = count_comparisons_from_blocking_rules(
        register(frame, columns),
        blocking_rules=blocking,
        link_type="dedupe_only",
        record_sample_proportion=1.0,
    )
    return int(records[-1]["cumulative_comparison_count"]) if records else 0


def comparison_count(frame: pl.DataFrame) -> int:
    """How many pairs Splink's prediction blocking rules generate on ``frame`` (exact)."""
    columns = set(frame.columns) & set(KNOWN)
    return count_pairs(frame, columns, _blocking(columns))


def _train(linker, columns: set[str]) -> None:
    """u by random sampling, the prior from strict rules, m by EM on each training rule that
    Splink accepts (a session that fails on a level never seen among matches is skipped)."""
    from splink import block_on

    strict = [block_on(*rule) for rule in _STRICT if set(rule) <= columns]
    linker.training.estimate_probability_two_random_records_match(strict, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    for rule in (rule for rule in _EM if set(rule) <= columns):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
        except Exception as exc:  # Splink raises plain Exceptions here
            print(f"    splink: EM on {' + '.join(rule)} skipped ({str(exc)[:70]})", flush=True)


def clusters_with(
    frame: pl.DataFrame,
    columns: set[str],
    model: tuple[list, list, Callable[[Any, set[str]], None]],
    thresholds: tuple[float, ...],
) -> tuple[dict[float, pl.DataFrame], float]:
    """Train and predict with ``model`` (comparisons, blocking rules, a training function) over
    ``columns`` of ``frame``; ``unique_id, cluster_id`` per threshold and the seconds it took
    (training, prediction and clustering). The organisation model of bench/splink_companies.py
    runs through here too."""
    from splink import Linker, SettingsCreator

    comparisons, blocking, train = model
    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(register(frame, columns), settings, log_level=logging.ERROR)
    train(linker, columns)
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    result = {}
    for threshold in thresholds:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold
        )
        table = pl.from_pandas(clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]])
        result[threshold] = table.cast(pl.String)
    return result, time.perf_counter() - started


def splink_clusters(
    frame: pl.DataFrame, thresholds: tuple[float, ...] = (0.5,)
) -> tuple[dict[float, pl.DataFrame], float]:
    """``unique_id, cluster_id`` for every record of ``frame`` (``unique_id`` + known columns)
    per threshold, and the seconds Splink took (training, prediction and clustering)."""
    columns = set(frame.columns) & set(KNOWN)
    model = (_comparisons(columns), _blocking(columns), _train)
    return clusters_with(frame, columns, model, thresholds)
