"""Speed: the dedupe stage on 100k and 1M generated contacts, phase by phase, and Splink's time.

Contacts come from the demo generator (two blocks of 50,000 people, read and normalized once
and cached as Parquet), copied beyond that as namesakes living and working elsewhere (the same
names: name blocks grow as in a bigger CRM). Prints candidate pairs, pairs/s, seconds per phase
(keys, block, parameters, compare, EM, score, cluster, merge; wall and CPU, memory after each),
peak memory (RSS of this process) and Splink 5's time and peak memory on the same records, in a
process of its own stopped at ``--splink-limit`` seconds. Run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/dedupe.py --contacts 100000 1000000
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from multiprocessing import Queue
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from cases import demo_case
from splink_reference import splink_clusters

from crmclean.batch import GOLDEN_ID
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.cluster import assign_golden_ids
from crmclean.dedupe.cohesion import Scorer, cluster_check
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.decisions import DECISION, cannot_link
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.learn import em_sample, expectation_maximisation
from crmclean.dedupe.merge import golden_records
from crmclean.dedupe.params import estimate
from crmclean.dedupe.score import compared_pairs
from crmclean.dedupe.settle import settled_pairs
from crmclean.rules import Rules

BLOCK_PEOPLE = 50_000
CACHE = Path("/tmp/crmclean-bench-dedupe")


def _block(seed: int) -> pl.DataFrame:
    """One cached block of generated, read and normalized contacts."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"block_{seed}.parquet"
    if not path.exists():
        case = demo_case(BLOCK_PEOPLE, 1000 + seed, CACHE / f"raw_{seed}")
        case.batch.frame.write_parquet(path)
    return pl.read_parquet(path)


def _copy(frame: pl.DataFrame, copy: int) -> pl.DataFrame:
    """Another population like ``frame``: the same names, living and working elsewhere (its
    own cities, postal codes, companies, e-mails and phones) and its own lineage."""
    if copy == 0:
        return frame
    tag = f"{copy:02d}"
    letters = " " + chr(ord("a") + copy) * 3  # folded keys keep letters only (cities)
    emails = {
        name: pl.col(name).str.replace("@", f".{tag}@", literal=True)
        for name in ("email", "email_key")
        if name in frame.columns
    }
    places = ("phone", "mobile", "postal_code", "company", "company_key", "street")
    tagged = {name: pl.col(name) + tag for name in places if name in frame.columns}
    alternates = {
        "email_alt": pl.col("email_alt").list.eval(pl.element().str.replace("@", f".{tag}@")),
        "phone_alt": pl.col("phone_alt").list.eval(pl.element() + tag),
    }
    return frame.with_columns(
        **emails,
        **tagged,
        **alternates,
        city=pl.col("city") + letters,
        _source=pl.col("_source") + f"#{tag}",
    )


def contacts(count: int) -> pl.DataFrame:
    """``count`` normalized contacts: two generated blocks of 50,000 people (about 180,000
    contacts), copied as namesakes elsewhere beyond that."""
    base = pl.concat(
        [_block(0), _block(1).with_columns(pl.col("_source") + "#b")], how="diagonal_relaxed"
    )
    copies = -(-count // base.height)
    return pl.concat([_copy(base, copy) for copy in range(copies)]).head(count)


class Clock:
    """Wall and CPU seconds per phase, and the process's memory (RSS) after each."""

    def __init__(self) -> None:
        self.phases: dict[str, tuple[float, float, float]] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.phases[name] = (wall - self._wall, cpu - self._cpu, _rss_gb())
        self._wall, self._cpu = wall, cpu

    def line(self) -> str:
        return "  ".join(
            f"{name} {wall:.1f}s (cpu {cpu:.1f}s, rss {rss:.1f} GB)"
            for name, (wall, cpu, rss) in self.phases.items()
        )


def run_crmclean(frame: pl.DataFrame) -> tuple[Clock, int, int]:
    """The stage's phases one by one (as :func:`crmclean.dedupe.dedupe` runs them); the clock,
    the candidate pairs and the golden records."""
    rules = Rules()
    config = load_match_config(rules)
    clock = Clock()
    frame = frame.drop(GOLDEN_ID, strict=False).with_row_index(RECORD)
    table = key_table(frame, config.key_names, config)
    clock.lap("keys")
    pairs, _ = candidate_pairs(table, config)
    clock.lap("block")
    params = estimate(table, config)
    clock.lap("parameters")
    sample = compared_pairs(em_sample(pairs, config), table, config, params)
    params = expectation_maximisation(sample, config, params, table.height, pairs.height)
    del sample
    clock.lap("em")
    scored = settled_pairs(pairs, table, config, params)
    scored = scored.with_columns(pl.lit(None, pl.String).alias(DECISION))
    clock.lap("compare+score")
    checked = cluster_check(scored, Scorer(table, config, params)).pairs
    disputed = cannot_link(checked.with_columns(pl.lit(None, pl.String).alias(DECISION)), config)
    cannot = cannot_link(scored, config)
    matches = pl.concat([scored, checked], how="diagonal_relaxed").filter("match")
    clock.lap("check")
    clustered = assign_golden_ids(frame, matches, cannot, disputed).drop(RECORD)
    clock.lap("cluster")
    golden = golden_records(clustered, rules.model.names, config.survivorship)
    clock.lap("merge")
    return clock, pairs.height, golden.height


def _rss_gb() -> float:
    """The process's resident memory now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1024**3


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _splink_view(frame: pl.DataFrame) -> pl.DataFrame:
    """The records under the column names bench/splink_reference.py knows."""
    return frame.select(
        pl.int_range(pl.len()).cast(pl.String).alias("unique_id"),
        first_name=pl.col("first_name").str.to_lowercase(),
        surname=pl.col("last_name").str.to_lowercase(),
        city=pl.col("city").str.to_lowercase(),
        postcode="postal_code",
        email=pl.col("email").str.to_lowercase(),
        phone=pl.coalesce("mobile", "phone"),
    )


def _splink_child(path: str, results: Queue) -> None:
    """Splink on the records in ``path``, in a process of its own: its seconds and peak RSS."""
    _, seconds = splink_clusters(pl.read_parquet(path), (0.5,))
    results.put((seconds, _peak_gb()))


def run_splink(frame: pl.DataFrame, limit: float) -> tuple[float, float] | None:
    """Splink's seconds (train + predict + cluster) and its process's peak RSS on ``frame``;
    None when it was stopped at ``limit`` seconds."""
    with tempfile.TemporaryDirectory(prefix="crmclean-splink-") as directory:
        path = str(Path(directory) / "records.parquet")
        _splink_view(frame).write_parquet(path)
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        child = context.Process(target=_splink_child, args=(path, results))
        child.start()
        child.join(limit)
        if child.is_alive():
            child.terminate()
            child.join()
            return None
        return results.get(timeout=10) if child.exitcode == 0 else None


def report(count: int, splink_limit: float | None) -> None:
    frame = contacts(count)
    print(f"{frame.height:,} contacts", flush=True)
    print(f"    memory before dedupe (RSS): {_rss_gb():.2f} GB", flush=True)
    started = time.perf_counter()
    clock, pairs, golden = run_crmclean(frame)
    total = time.perf_counter() - started
    print(
        f"  crmclean: {total:.1f} s total, {pairs:,} candidate pairs "
        f"({pairs / total:,.0f} pairs/s), {golden:,} golden records"
    )
    print(f"    phases: {clock.line()}")
    print(f"    peak memory (RSS): {_peak_gb():.2f} GB", flush=True)
    if splink_limit is None:
        return
    result = run_splink(frame, splink_limit)
    if result is None:
        print(f"  splink 5 (duckdb): stopped at the {splink_limit:.0f} s limit (or failed)")
        return
    seconds, peak = result
    print(
        f"  splink 5 (duckdb): {seconds:.1f} s (train + predict + cluster), peak RSS "
        f"{peak:.2f} GB; crmclean {seconds / total:.1f}x faster",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--no-splink", action="store_true", help="crmclean only")
    parser.add_argument(
        "--splink-limit",
        type=float,
        default=900.0,
        help="stop Splink after this many seconds (default 900)",
    )
    args = parser.parse_args()
    for count in args.contacts:
        report(count, None if args.no_splink else args.splink_limit)


if __name__ == "__main__":
    main()
