"""The dedupe stage out of core on a neutral file of N rows: seconds and peak RSS per phase, F1.

Generates ``neutral_<N>.parquet`` with ``bench/neutral.py`` (seed 7) in ``--dir`` unless it is
there, then reads, maps and normalizes it in slices of ``--batch`` rows, in a child process,
into ``normalized/part-N.parquet`` and ``findings/part-N.parquet`` (cached; slices give the
frame and findings of one pass: ``tests/test_outofcore.py``). With ``--file``, that file's
normalized cache written by ``bench/phases.py`` (the in-memory stage's input) instead. Then
runs :func:`crmclean.dedupe.outofcore.dedupe_parquet` in this process and prints the seconds
and peak RSS (sampled every 20 ms) of each phase and of the steps inside matching, the
process's peak RSS, and the pairwise precision, recall and F1 of the golden ids against
``entity_id``. Run it under the lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/outofcore.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from race import _mapping, cache_for, pairwise

from crmclean import dedupe, pipeline
from crmclean.batch import GOLDEN_ID, SOURCE
from crmclean.dedupe import matching
from crmclean.dedupe.outofcore import PART_RECORDS, dedupe_parquet
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

GB = 1024**3


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


class PhaseMeter:
    """Called with each phase's name as it starts: prints the previous phase's seconds and
    peak RSS (sampled every 20 ms). Ends the process when RSS passes ``limit`` bytes (the
    machine is shared)."""

    def __init__(self, limit: float) -> None:
        self.peak, self.name, self.started = _rss(), "", time.perf_counter()
        self.limit = limit
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, _rss())
            if self.peak > self.limit:
                print(f"  {self.name}: RSS {self.peak / GB:.2f} GB over the limit", flush=True)
                os._exit(3)
            time.sleep(0.02)

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.name:
            self.peak = max(self.peak, _rss())
            print(
                f"  {self.name:<14} {now - self.started:7.1f} s  peak {self.peak / GB:5.2f} GB"
                f"  after {_rss() / GB:5.2f} GB",
                flush=True,
            )
        self.name, self.started, self.peak = name, now, _rss()


def meter_inside(meter: PhaseMeter) -> None:
    """Report the phases inside matching too: each step the dedupe stage calls through
    :mod:`crmclean.dedupe.matching` (and the clustering) starts a phase."""
    steps = {
        matching: {
            "candidate_pairs": "blocking",
            "estimate": "params+em",
            "scored_chunks": "compare+score",
            "cluster_check": "cluster check",
        },
        dedupe: {"assign_golden_ids": "clusters"},
    }
    for module, names in steps.items():
        for name, label in names.items():
            setattr(module, name, _metered(meter, label, getattr(module, name)))


def _metered(meter: PhaseMeter, name: str, step: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        meter(name)
        return step(*args, **kwargs)

    return run


def normalize_slices(raw: Path, folder: Path, batch: int) -> None:
    """The raw file read, mapped and normalized ``batch`` rows at a time, written as Parquet
    (``_source`` the raw file's stem, as one read of the whole file gives)."""
    rules, rows = Rules(), pl.scan_parquet(raw).select(pl.len()).collect().item()
    for name in ("slices", "normalized", "findings"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    mapping = _mapping(folder)
    for part, start in enumerate(range(0, rows, batch)):
        piece = folder / "slices" / f"part-{part:04d}.parquet"
        pl.scan_parquet(raw).slice(start, batch).collect().write_parquet(piece)
        source = SourceSpec(path=piece, mapping=mapping)
        result = pipeline.run([source], rules, stop_before="dedupe").batch
        stem = pl.lit(raw.stem).alias(SOURCE)
        result.frame.with_columns(stem).write_parquet(folder / "normalized" / piece.name)
        result.findings.with_columns(stem).write_parquet(folder / "findings" / piece.name)
        piece.unlink()
        print(f"  normalized rows {start:,}..{min(start + batch, rows):,}", flush=True)


def prepare(rows: int, folder: Path, batch: int) -> Path:
    """The neutral file generated and normalized by slices (each step skipped when done)."""
    raw = folder / f"neutral_{rows}.parquet"
    here = Path(__file__).parent
    if not raw.exists():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate = [sys.executable, str(here / "neutral.py"), "--rows", str(rows), "--out"]
        subprocess.run([*generate, str(raw)], check=True)
        print(f"generated {raw} in {time.perf_counter() - started:.1f} s", flush=True)
    work = folder / f"n{rows}"
    if not (work / "normalized").exists():
        started = time.perf_counter()
        child = [sys.executable, __file__, "--normalize", str(raw), "--dir", str(work)]
        subprocess.run([*child, "--batch", str(batch)], check=True)
        print(f"normalized by slices in {time.perf_counter() - started:.1f} s", flush=True)
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/outofcore"))
    parser.add_argument("--batch", type=int, default=1_000_000, help="rows per normalize slice")
    parser.add_argument("--part-records", type=int, default=PART_RECORDS)
    parser.add_argument(
        "--file", type=Path, help="a neutral file normalized whole by bench/phases.py instead"
    )
    parser.add_argument("--max-gb", type=float, default=15.5, help="stop past this RSS")
    parser.add_argument("--normalize", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.normalize is not None:
        normalize_slices(args.normalize, args.dir, args.batch)
        return
    if args.file is not None:
        raw, work = args.file, args.dir / args.file.stem
        files, findings = [cache_for(args.file, ".normalized.parquet")], None
    else:
        raw = prepare(args.rows, args.dir, args.batch)
        work = args.dir / f"n{args.rows}"
        files = sorted((work / "normalized").glob("part-*.parquet"))
        findings = sorted((work / "findings").glob("part-*.parquet"))
    print(f"{raw.name}: {len(files)} normalized files, RSS {_rss() / GB:.2f} GB", flush=True)
    meter, started = PhaseMeter(args.max_gb * GB), time.perf_counter()
    meter_inside(meter)
    spilled = dedupe_parquet(
        files,
        work / "out",
        Rules(),
        findings=findings,
        part_records=args.part_records,
        progress=meter,
    )
    meter("")
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    stats = spilled.stats
    print(
        f"  total {total:.1f} s, {stats['records']:,} records, "
        f"{stats['candidate_pairs']:,} candidate pairs, {stats['golden']:,} golden records "
        f"in {len(spilled.golden)} parts, peak RSS {peak / GB:.2f} GB",
        flush=True,
    )
    truth = pl.read_parquet(raw, columns=["unique_id", "entity_id"])
    found = pl.read_parquet(spilled.crosswalk).select(
        pl.col("_source_id").cast(pl.Int64).alias("unique_id"), pl.col(GOLDEN_ID).alias("cluster")
    )
    scores = pairwise(found, truth)
    print(f"  P {scores['precision']:.4f} R {scores['recall']:.4f} F1 {scores['f1']:.4f}")


if __name__ == "__main__":
    main()
