"""The ``crmclean`` command's resident memory over time, labelled by the function running.

Runs the command of this tree (``python bench/cli_memory.py dedupe FILE --mapping m.yaml
--crosswalk cw.csv --json``) with a thread sampling RSS every 50 ms and glibc's own heap
(``mallinfo2``: what Python, numpy and rapidfuzz hold, apart from polars' jemalloc), and prints
per labelled function its time span and the peak RSS inside it, then the command's CPU seconds
and peak. ``--wrap`` names more functions to label (``module.function``, comma-separated).
Polars' allocator options are the command's (``crmclean/allocator.py``) unless
``_RJEM_MALLOC_CONF`` is set. Run it under the shared lock at 1M rows.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from crmclean.allocator import OPTIONS, VARIABLE

os.environ.setdefault(VARIABLE, OPTIONS)  # as the command does, before polars loads

STAGES = (
    "crmclean.pipeline.read_stage,crmclean.pipeline.map_stage,"
    "crmclean.pipeline.normalize_stage,crmclean.dedupe.matching.key_table,"
    "crmclean.dedupe.matching.candidate_pairs,crmclean.dedupe.matching.estimate,"
    "crmclean.dedupe.matching.expectation_maximisation,crmclean.dedupe.matching.scored_chunks,"
    "crmclean.dedupe.matching.cluster_check,crmclean.dedupe.assign_golden_ids,"
    "crmclean.dedupe.golden_records,crmclean.dedupe.merge_log,crmclean.api.write_table"
)


_MALLINFO = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks")


class MallInfo(ctypes.Structure):
    """glibc's ``struct mallinfo2``."""

    _fields_ = [(name, ctypes.c_size_t) for name in (*_MALLINFO, "fordblks", "keepcost")]


class Trace:
    """RSS and glibc's heap sampled every 50 ms, each sample with the label running."""

    def __init__(self) -> None:
        self.label = "start"
        self.samples: list[tuple[float, int, int, str]] = []
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo
        self._mallinfo = libc.mallinfo2
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        started = time.perf_counter()
        while True:
            with open("/proc/self/statm") as statm:
                rss = int(statm.read().split()[1]) * resource.getpagesize()
            info = self._mallinfo()
            glibc = info.arena + info.hblkhd
            self.samples.append((time.perf_counter() - started, rss, glibc, self.label))
            time.sleep(0.05)

    def labelled(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            outer, self.label = self.label, function.__name__
            try:
                return function(*args, **kwargs)
            finally:
                self.label = outer

        return run

    def report(self) -> None:
        spans: dict[str, list[float]] = {}
        for at, rss, glibc, label in self.samples:
            span = spans.setdefault(label, [at, at, 0.0, 0.0])
            span[1] = at
            if rss > span[2]:
                span[2], span[3] = rss, glibc
        print(f"{'seconds':>15} {'peak GB':>8} {'glibc':>6}  label", file=sys.stderr)
        for label, (first, last, rss, glibc) in spans.items():
            line = f"{first:6.1f}-{last:6.1f}s {rss / 1e9:8.3f} {glibc / 1e9:6.3f}  {label}"
            print(line, file=sys.stderr)


def wrap(trace: Trace, names: str) -> None:
    """Label each ``module.function`` of ``names``, where it is defined and where imported."""
    for name in filter(None, names.split(",")):
        module_name, function_name = name.rsplit(".", 1)
        original = getattr(importlib.import_module(module_name), function_name)
        labelled = trace.labelled(original)
        for module in list(sys.modules.values()):
            if getattr(module, function_name, None) is original:
                setattr(module, function_name, labelled)


def main(argv: list[str]) -> None:
    names = STAGES
    if argv[:1] == ["--wrap"]:
        names, argv = f"{STAGES},{argv[1]}", argv[2:]
    from crmclean.cli import main as command

    trace = Trace()
    wrap(trace, names)
    sys.argv = ["crmclean", *argv]
    try:
        command()
    finally:
        trace.report()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = f"CPU user {usage.ru_utime:.1f} s, system {usage.ru_stime:.1f} s"
        print(f"{cpu}, peak RSS {usage.ru_maxrss / 1e6:.3f} GB", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
