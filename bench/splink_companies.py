"""Splink 5 (DuckDB) as the reference matcher for companies (needs the ``bench`` extra).

A reasonable unsupervised organisation model over whichever of ``name``, ``street``, ``city``,
``postcode``, ``phone``, ``domain`` and ``tax_id`` a frame has (lowercase text): Jaro-Winkler
levels on the name (with term frequencies) and the street, exact city (term frequencies),
postcode, phone, domain and tax id. u by random sampling, the prior from strict rules (same
name and city), m by EM on blocks of the same name (training the others) and of the same
street start, phone or domain (training the name); an EM session Splink refuses (a level never
seen among matches) is skipped. Registering, counting, training and clustering are
bench/splink_reference.py's (``clusters_with``). The comparison count of the prediction
blocking rules is printed by the caller, so nobody wins by breaking the other side's blocking.
"""

from __future__ import annotations

import polars as pl
from splink_reference import clusters_with, count_pairs

KNOWN = ("name", "street", "city", "postcode", "phone", "domain", "tax_id")


def _comparisons(columns: set[str]) -> list:
    import splink.comparison_library as cl

    made = {
        "name": lambda: cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.7]).configure(
            term_frequency_adjustments=True
        ),
        "street": lambda: cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
        "city": lambda: cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        "postcode": lambda: cl.ExactMatch("postcode"),
        "phone": lambda: cl.ExactMatch("phone"),
        "domain": lambda: cl.ExactMatch("domain").configure(term_frequency_adjustments=True),
        "tax_id": lambda: cl.ExactMatch("tax_id"),
    }
    return [made[column]() for column in KNOWN if column in columns]


def _blocking(columns: set[str]) -> list:
    from splink import block_on

    rules: list = [block_on(c) for c in ("name", "street", "phone", "domain", "tax_id")
                   if c in columns]  # fmt: skip
    if {"name", "city"} <= columns:
        rules.append(block_on("substr(name, 1, 4)", "city"))
    if {"name", "postcode"} <= columns:
        rules.append(block_on("substr(name, 1, 3)", "postcode"))
    if {"street", "city"} <= columns:
        rules.append(block_on("substr(street, 1, 6)", "city"))
    return rules


def comparison_count(frame: pl.DataFrame) -> int:
    """How many pairs the prediction blocking rules generate on ``frame`` (exact)."""
    columns = set(frame.columns) & set(KNOWN)
    return count_pairs(frame, columns, _blocking(columns))


def _train(linker, columns: set[str]) -> None:
    from splink import block_on

    strict = [block_on(*rule) for rule in (("name", "city"), ("name",)) if set(rule) <= columns]
    linker.training.estimate_probability_two_random_records_match(strict[:1], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    sessions = [block_on("name")]
    sessions += [block_on("substr(street, 1, 6)")] if "street" in columns else []
    sessions += [block_on(c) for c in ("phone", "domain") if c in columns]
    for rule in sessions:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # Splink raises plain Exceptions here
            print(f"    splink: an EM session was skipped ({str(exc)[:70]})", flush=True)


def splink_clusters(
    frame: pl.DataFrame, thresholds: tuple[float, ...] = (0.5,)
) -> tuple[dict[float, pl.DataFrame], float]:
    """``unique_id, cluster_id`` of every record per threshold, and the seconds Splink took
    (the shared setup of bench/splink_reference.py with the organisation model)."""
    columns = set(frame.columns) & set(KNOWN)
    model = (_comparisons(columns), _blocking(columns), _train)
    return clusters_with(frame, columns, model, thresholds)
