"""CPU seconds of chosen normalize steps on a neutral file, best of ``--rounds``.

Reads a file written by ``bench/neutral.py``, maps it as ``crmclean dedupe`` does and runs the
steps before the first chosen one (cached in the temporary directory: ``race.cache_for``),
then times each chosen step in turn on the previous one's output, with polars' allocator
options as the ``crmclean`` command sets them (``crmclean/allocator.py``; a user's own
``_RJEM_MALLOC_CONF`` wins). With ``--out DIR`` it writes each step's frame and findings
there, to compare two trees' outputs. Compare two trees by alternating them under the shared
lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/normalize_steps.py \\
        /tmp/neutral_1m.parquet --steps phone,name
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from crmclean.allocator import OPTIONS, VARIABLE

os.environ.setdefault(VARIABLE, OPTIONS)  # as the command does, before polars loads

import polars as pl
from race import _mapping, cache_for

from crmclean import pipeline
from crmclean.normalize.stage import steps
from crmclean.pipeline import RunOptions
from crmclean.rules import Rules
from crmclean.sources import SourceSpec


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def before(records: Path, rules: Rules, first: str) -> pl.DataFrame:
    """The mapped file after every step before ``first`` (cached)."""
    cache = cache_for(records, f".before-{first}.parquet")
    if not cache.exists():
        source = SourceSpec(path=records, mapping=_mapping(cache.parent))
        frame = pipeline.run([source], rules, RunOptions(), stop_before="normalize").batch.frame
        for name, step in steps(rules):
            if name == first:
                break
            frame, _ = step(frame)
        frame.write_parquet(cache)
    # One chunk per column, as the map stage hands the frame over: a parquet file reads in
    # several, and a step adding a one-chunk column would make every later select copy the
    # whole frame to line the chunks up (13.3 s CPU for the steps at 1M instead of 8.3).
    return pl.read_parquet(cache).rechunk()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--steps", default="phone,name", help="comma-separated, in stage order")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, help="write each step's frame and findings here")
    args = parser.parse_args()
    rules = Rules()
    named = dict(steps(rules))
    chosen = [name for name, _ in steps(rules) if name in args.steps.split(",")]
    frame = before(args.file, rules, chosen[0])
    for name in chosen:
        times = []
        for _ in range(args.rounds):
            start = _cpu()
            out, found = named[name](frame)
            times.append(_cpu() - start)
        best, count = min(times), found.height
        print(f"  {name:<12} {best:6.2f} s CPU  best of {args.rounds}  findings {count:,}")
        if args.out:
            out.write_parquet(args.out / f"{name}_frame.parquet")
            found.write_parquet(args.out / f"{name}_findings.parquet")
        frame = out


if __name__ == "__main__":
    main()
