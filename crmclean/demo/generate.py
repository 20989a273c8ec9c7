"""Generate the demo migration case: three messy sources and the truth behind them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from random import Random

import polars as pl

from crmclean.demo.accounts import FILE_NAME as ACCOUNTS_FILE
from crmclean.demo.accounts import write_accounts
from crmclean.demo.orders import CUSTOMER_SOURCE, write_orders
from crmclean.demo.people import Job, Person
from crmclean.demo.population import make_people
from crmclean.demo.rows import Appearance
from crmclean.demo.sources import SOURCES, Source, TruthRow, write_source
from crmclean.demo.vocab import Weighted, load_vocab

TRUTH_FILE = "truth.csv"
_SOURCE_COUNTS = Weighted({1: 45, 2: 40, 3: 15})  # in how many sources a person appears
_TWICE = 0.04  # share of a source's people entered twice there


@dataclass(frozen=True)
class DemoCase:
    """The files of a generated case and their sizes."""

    directory: Path
    sources: list[Path]
    truth: Path
    people: int
    records: int
    orders: Path | None = None
    accounts: Path | None = None  # the employers, as a Salesforce Account export


def generate_demo(directory: Path, *, people: int = 400, seed: int = 7) -> DemoCase:
    """Write the three sources, ``truth.csv`` (``source,source_id,person_id``), the orders
    file (``pedidos.csv``, customers named by their CRM id) and the accounts export of the
    people's employers to ``directory``.

    The same ``people`` and ``seed`` always give byte-identical files.
    """
    rng = Random(seed)
    vocab = load_vocab()
    population = make_people(people, rng, vocab)
    plan = plan_appearances(rng, population)
    directory.mkdir(parents=True, exist_ok=True)
    truth: list[TruthRow] = []
    for source in SOURCES:
        truth += write_source(rng, vocab, source, plan[source.stem], directory / source.file_name)
    truth_path = directory / TRUTH_FILE
    frame = pl.DataFrame(truth, schema=["source", "source_id", "person_id"], orient="row")
    frame.write_csv(truth_path)
    sources = [directory / source.file_name for source in SOURCES]
    crm_ids = [source_id for source, source_id, _ in truth if source == CUSTOMER_SOURCE]
    orders = write_orders(directory, crm_ids, seed)
    accounts = write_accounts(population, directory / ACCOUNTS_FILE, seed)
    return DemoCase(directory, sources, truth_path, people, len(truth), orders, accounts)


def plan_appearances(rng: Random, people: list[Person]) -> dict[str, list[Appearance]]:
    """Which records each source holds: 1-3 sources per person, a few people twice in one."""
    plan: dict[str, list[Appearance]] = {source.stem: [] for source in SOURCES}
    for person in people:
        for source in _pick_sources(rng):
            jobs = _jobs_seen(person, source)
            if rng.random() < _TWICE:
                jobs.append(jobs[-1])
            plan[source.stem] += [Appearance(person, job) for job in jobs]
    return plan


def _pick_sources(rng: Random) -> list[Source]:
    count = _SOURCE_COUNTS.draw(rng)
    left = list(SOURCES)
    chosen: list[Source] = []
    for _ in range(count):
        source = rng.choices(left, weights=[s.share for s in left])[0]
        left.remove(source)
        chosen.append(source)
    return chosen


def _jobs_seen(person: Person, source: Source) -> list[Job | None]:
    """The job(s) a source's records show: a moved person may be there before and after."""
    if person.next_job is None or source.jobs == "old":
        return [person.job]
    if source.jobs == "new":
        return [person.next_job]
    return [person.job, person.next_job]
