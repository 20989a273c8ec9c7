"""The Python API behind every command: one function per command, importable by users.

>>> from crmclean.api import dedupe_files
>>> from crmclean.sources import SourceSpec
>>> result = dedupe_files([SourceSpec("a.csv")], crosswalk="crosswalk.csv")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from crmclean import pipeline
from crmclean.pipeline import Progress, RunResult
from crmclean.rules import Rules
from crmclean.sources import SourceSpec
from crmclean.write import write_table


def _quiet(_stage: str) -> None:
    """No progress output."""


def dedupe_files(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    crosswalk: Path | str,
    golden: Path | str | None = None,
    rejects: Path | str | None = None,
    progress: Progress = _quiet,
) -> RunResult:
    """Read, map, normalize and deduplicate ``sources``; write the crosswalk and golden records."""
    result = pipeline.run(sources, rules or Rules(), stop_before="validate", progress=progress)
    batch = result.batch
    write_table(result.crosswalk(), Path(crosswalk))
    if golden is not None and batch.golden is not None:
        write_table(batch.golden, Path(golden))
    if rejects is not None:
        write_table(batch.rejects, Path(rejects))
    return result


def clean_files(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    out: Path | str,
    findings: Path | str | None = None,
    progress: Progress = _quiet,
) -> RunResult:
    """Read, map and normalize ``sources``; write the canonical records (and the findings)."""
    result = pipeline.run(sources, rules or Rules(), stop_before="dedupe", progress=progress)
    write_table(result.batch.frame, Path(out))
    if findings is not None:
        write_table(result.batch.findings, Path(findings))
    return result


def migrate(
    sources: list[SourceSpec],
    rules: Rules | None = None,
    *,
    target: str,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> RunResult:
    """The whole job into ``target``; with ``dry_run`` everything but the load (the plan)."""
    stop = "load" if dry_run else "end"
    return pipeline.run(
        sources,
        rules or Rules(),
        target=None if dry_run else target,
        stop_before=stop,
        progress=progress,
    )
