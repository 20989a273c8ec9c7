"""``crmclean demo``: generate the messy sample and run the whole job on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crmclean import pipeline
from crmclean.demo.generate import DemoCase, generate_demo
from crmclean.demo.orders import AS_OF, CUSTOMER_SOURCE
from crmclean.demo.truth import pairwise_scores
from crmclean.pipeline import Progress, RunResult
from crmclean.rules import Rules
from crmclean.segments import AS_OF_OPTION, OrderSource
from crmclean.sources import SourceSpec
from crmclean.write import write_table

DATABASE = "crm.db"


@dataclass(frozen=True)
class DemoRun:
    """The generated case, the run over it and how well duplicates were found."""

    case: DemoCase
    result: RunResult
    database: Path
    crosswalk: Path
    accuracy: dict[str, float | int]


def run_demo(
    directory: Path, *, people: int = 400, seed: int = 7, progress: Progress = lambda _s: None
) -> DemoRun:
    """Write the sample into ``directory`` and migrate it into ``directory/crm.db``."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / DATABASE
    database.unlink(missing_ok=True)
    case = generate_demo(directory, people=people, seed=seed)
    accounts = [] if case.accounts is None else [case.accounts]
    sources = [SourceSpec(path=p) for p in [*case.sources, *accounts]]
    orders = () if case.orders is None else (OrderSource(case.orders, None, CUSTOMER_SOURCE),)
    rules = Rules(options={AS_OF_OPTION: AS_OF})  # segments as of the day the files were exported
    target = f"sqlite:///{database}"
    options = pipeline.RunOptions(target=target, orders=orders)
    result = pipeline.run(sources, rules, options, progress=progress)
    crosswalk = write_table(result.crosswalk(), directory / "crosswalk.csv")
    write_table(result.batch.rejects, directory / "rejects.csv")
    write_table(result.batch.findings, directory / "findings.csv")
    truth = pl.read_csv(case.truth, infer_schema=False)
    accuracy = pairwise_scores(result.crosswalk(), truth)
    return DemoRun(case, result, database, crosswalk, accuracy)
