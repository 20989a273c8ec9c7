"""Splink 5 (DuckDB) as bench/race.py runs it, in a process of its own.

Set up as Splink's docs recommend for person records: light cleaning first (lower case, trimmed,
empty -> null, phone digits only, last ten kept so ``+1 ...`` and ``001...`` agree); blocking on
first name + surname, the names swapped, e-mail, phone, surname + dob, first name + dob and
postcode + the first three letters of the surname; the prior from deterministic rules, u by
random sampling, m by EM sessions blocked on names, on e-mail and on dob + postcode (each
comparison is trained by at least two; small blocks, so EM stays cheap at 1M). Robust to levels
never seen among matches: a session blocked on phone drove a dob level's m to zero on the public
100k file and Splink 5 refuses m = 0, so phone is not an EM block, and a session that still
fails is skipped with a note (the others keep their estimates) instead of stopping the run.
Pairs at p >= 0.5 clustered by connected components.

    .venv/bin/python bench/race_splink.py records.parquet clusters.parquet

Prints one JSON line: seconds (read, train, predict, cluster), peak RSS at the end of that work,
comparisons scored (counted afterwards, outside the time) and notes.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time

import polars as pl

THRESHOLD = 0.5


def cleaned(path: str) -> pl.DataFrame:
    """The file's records, cleaned as Splink's tutorials clean theirs before linking."""
    frame = pl.read_parquet(path)
    text = ["first_name", "surname", "email", "street", "city", "postcode", "dob"]
    frame = frame.rename({"last_name": "surname"}).with_columns(
        pl.col(text).str.strip_chars().str.to_lowercase().replace("", None),
        pl.col("phone").str.replace_all(r"\D", "").str.slice(-10).replace("", None),
        pl.col("unique_id").cast(pl.String),
    )
    return frame.select("unique_id", "first_name", "surname", "dob", "email", "phone", *text[3:6])


def _comparisons() -> list:
    import splink.comparison_library as cl

    return [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.EmailComparison("email"),
        cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        cl.LevenshteinAtThresholds("postcode", [1]),
    ]


def _blocking() -> list:
    from splink import block_on

    swapped = "l.first_name = r.surname and l.surname = r.first_name"
    return [
        block_on("first_name", "surname"),
        swapped,
        block_on("email"),
        block_on("phone"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode", "substr(surname, 1, 3)"),
    ]


def _train(linker, notes: list[str]) -> None:
    from splink import block_on

    deterministic = [block_on("first_name", "surname", "dob"), block_on("email")]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    for rule in (("first_name", "surname"), ("email",), ("dob", "postcode")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
        except ValueError as exc:  # an m driven to 0: keep the other sessions' estimates
            notes.append(f"EM on {'+'.join(rule)} skipped: {str(exc)[:80]}")


def main() -> None:
    from splink import DuckDBAPI, Linker, SettingsCreator
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    source, target = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    frame = cleaned(source)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=_blocking(),
        retain_intermediate_calculation_columns=False,
    )
    api = DuckDBAPI()
    data = api.register(frame.to_arrow())
    linker = Linker(data, settings, log_level=logging.ERROR)
    notes: list[str] = []
    _train(linker, notes)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    table = pl.from_arrow(clusters.as_pyarrow_table()).select("unique_id", "cluster_id")
    table.write_parquet(target)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    counted = count_comparisons_from_blocking_rules(
        data, blocking_rules=_blocking(), link_type="dedupe_only", record_sample_proportion=1.0
    )
    comparisons = counted[-1]["cumulative_comparison_count"] if counted else 0
    report = {"seconds": seconds, "peak": peak, "comparisons": comparisons, "notes": notes}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
