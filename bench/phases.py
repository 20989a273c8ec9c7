"""The dedupe stage on a neutral file, phase by phase: seconds, CPU, page faults and peak RSS.

Reads a file written by ``bench/neutral.py`` (or the public contacts_100k), runs read, map and
normalize once and caches the normalized frame (``race.cache_for``: the temporary directory),
then times the dedupe stage's phases in this process: keys, blocking, parameters, EM, compare
and score (settled, by chunks; ``--all-pairs`` keeps every pair in full), cluster check,
clusters, merge. Each phase's line has its CPU seconds (user + system, every thread of the
process), its minor page faults (``ru_minflt``: pages the kernel mapped in, many of them freed
and faulted in again) and the peak RSS reached inside it (a sampling thread). Polars' allocator
runs with the ``crmclean`` command's options (``crmclean/allocator.py``) unless
``_RJEM_MALLOC_CONF`` is set. Prints candidate pairs and the pairwise F1 against ``entity_id``;
with ``--comparisons``, then the seconds of each comparison over every candidate pair.
Run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/phases.py /tmp/neutral_1m.parquet
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from crmclean.allocator import OPTIONS, VARIABLE

os.environ.setdefault(VARIABLE, OPTIONS)  # as the command does, before polars loads

import polars as pl
from race import _mapping, cache_for, pairwise

from crmclean import pipeline
from crmclean.batch import GOLDEN_ID
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.chunks import by_chunk, floor_of, scored_chunks
from crmclean.dedupe.cluster import assign_golden_ids
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.cohesion import Scorer, cluster_check
from crmclean.dedupe.compare import compare
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.decisions import DECISION, cannot_link
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.learn import em_sample, expectation_maximisation
from crmclean.dedupe.merge import golden_records
from crmclean.dedupe.params import estimate
from crmclean.dedupe.score import compared_pairs
from crmclean.pipeline import RunOptions
from crmclean.rules import Rules
from crmclean.sources import SourceSpec


def _rss() -> int:
    """This process's resident memory in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _usage() -> tuple[float, float, int]:
    """This process's user and system CPU seconds and minor page faults so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime, usage.ru_minflt


class Meter:
    """Seconds, CPU, minor faults and peak RSS per phase (RSS sampled every 20 ms)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss())

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.peak = _rss()
        user, system, faults = _usage()
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        self.peak = max(self.peak, _rss())
        user_after, system_after, faults_after = _usage()
        cpu = user_after - user + system_after - system
        print(
            f"  {name:<14} {seconds:7.2f} s  cpu {cpu:6.2f} s (sys {system_after - system:5.2f})  "
            f"faults {(faults_after - faults) / 1e6:5.2f}M  peak {self.peak / 1024**3:5.2f} GB  "
            f"after {_rss() / 1024**3:5.2f} GB",
            flush=True,
        )


def normalized(records: Path, rules: Rules) -> pl.DataFrame:
    """The file read, mapped and normalized as ``crmclean dedupe`` does (cached). Rechunked:
    the stage hands dedupe one chunk a column, a parquet file reads in several, and frames
    whose columns are chunked unlike each other copy themselves on every select."""
    cache = cache_for(records, ".normalized.parquet")
    if not cache.exists():
        source = SourceSpec(path=records, mapping=_mapping(cache.parent))
        result = pipeline.run([source], rules, RunOptions(), stop_before="dedupe")
        result.batch.frame.write_parquet(cache)
    return pl.read_parquet(cache).rechunk()


def comparison_seconds(pairs: pl.DataFrame, table: KeyTable, config: MatchConfig) -> None:
    """Print the seconds of each comparison (a key and method compared once) over ``pairs``,
    slowest first."""
    seconds: dict[tuple[str, str], float] = {}
    for spec in config.comparisons:
        if (spec.key, spec.method) not in seconds:
            started = time.perf_counter()
            compare(pairs, table, spec.key, spec.method)
            seconds[spec.key, spec.method] = time.perf_counter() - started
    names = {(s.key, s.method): s.name for s in reversed(config.comparisons)}
    for (key, method), spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"  {names[key, method]:<16} {key + '/' + method:<32} {spent:6.2f} s")


def links(
    scored: pl.DataFrame, checked: pl.DataFrame, apart: pl.DataFrame, config: MatchConfig
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Every scored pair (blocking's and the cluster check's ``checked``), the pairs kept apart
    and those disputed, as the dedupe stage builds them before clustering."""
    every = pl.concat(
        [scored.with_columns(pl.lit(False).alias("cluster_check")), checked],
        how="diagonal_relaxed",
    ).with_columns(pl.lit(None, dtype=pl.String).alias(DECISION))
    by_check = pl.col("cluster_check")
    cannot = pl.concat([cannot_link(every.filter(~by_check), config), apart])
    return every, cannot, cannot_link(every.filter(by_check), config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--all-pairs", action="store_true", help="keep every pair in full")
    parser.add_argument(
        "--comparisons", action="store_true", help="then time each comparison over every pair"
    )
    args = parser.parse_args()
    rules = Rules()
    config = load_match_config(rules)
    frame = normalized(args.file, rules)
    meter = Meter()
    print(f"{args.file.name}: {frame.height:,} records, RSS {_rss() / 1024**3:.2f} GB")
    started = time.perf_counter()
    with meter.phase("keys"):
        keyed = add_keys(frame, rules).with_row_index(RECORD)
        table = key_table(keyed, config.key_names, config)
    with meter.phase("blocking"):
        pairs, _ = candidate_pairs(table, config)
    with meter.phase("parameters"):
        params = estimate(table, config)
    with meter.phase("em"):
        sample = compared_pairs(em_sample(pairs, config), table, config, params)
        params = expectation_maximisation(sample, config, params, table.height, pairs.height)
        known = by_chunk(sample, pairs)  # as the command: each piece freed once its chunk is
        del sample  # scored, the sample itself not held meanwhile
    with meter.phase("compare+score"):
        floor = 0.0 if args.all_pairs else floor_of(config)
        scored, apart = scored_chunks(pairs, table, config, params, known, floor)
    with meter.phase("cluster check"):
        cohesion = cluster_check(scored, Scorer(table, config, params), pairs)
    with meter.phase("clusters"):
        every, cannot, disputed = links(scored, cohesion.pairs, apart, config)
        clustered = assign_golden_ids(keyed, every.filter("match"), cannot, disputed)
    with meter.phase("merge"):
        golden_records(clustered.drop(RECORD), rules.model.names, config.survivorship, None)
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"  total {total:.1f} s, {pairs.height:,} candidate pairs, {every.height:,} scored, "
        f"peak RSS {peak / 1024**3:.2f} GB"
    )
    truth = pl.read_parquet(args.file, columns=["unique_id", "entity_id"])
    found = clustered.select(
        pl.col("_source_id").cast(pl.Int64).alias("unique_id"), pl.col(GOLDEN_ID).alias("cluster")
    )
    scores = pairwise(found, truth)
    print(f"  P {scores['precision']:.4f} R {scores['recall']:.4f} F1 {scores['f1']:.4f}")
    if args.comparisons:
        comparison_seconds(pairs, table, config)


if __name__ == "__main__":
    main()
