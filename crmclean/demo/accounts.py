"""The demo's accounts export: the employers of the demo's people as a Salesforce Account
file, some entered twice (another legal-form spelling, capitals, a ``www.`` website)."""

from __future__ import annotations

from pathlib import Path
from random import Random

import polars as pl

from crmclean.demo.people import Company, Person

FILE_NAME = "salesforce_accounts.csv"
_TWICE = 0.2  # share of companies entered twice


def _employers(people: list[Person]) -> list[Company]:
    """Every company someone works or worked at, once, in first-seen order."""
    seen: dict[str, Company] = {}
    for person in people:
        for job in (person.job, person.next_job):
            if job is not None:
                seen.setdefault(job.company.domain, job.company)
    return list(seen.values())


def _row(number: int, company: Company, variant: bool) -> dict[str, str]:
    name = company.legal_name.upper() if variant else company.legal_name
    phone = company.switchboard
    return {
        "Id": f"0015e00000Demo{number:04d}",
        "Name": name,
        "Website": f"www.{company.domain}" if variant else f"https://{company.domain}/",
        "Phone": f"({phone.area}) {phone.local[:-4]}-{phone.local[-4:]}",
        "Type": "Customer - Direct",
        "BillingCity": "",
        "AccountNumber": f"A-{number:05d}",
        "IsDeleted": "0",
    }


def write_accounts(people: list[Person], path: Path, seed: int) -> Path:
    """Write the accounts export to ``path``; the same people and seed give the same file."""
    rng = Random(seed)
    rows: list[dict[str, str]] = []
    for company in _employers(people):
        rows.append(_row(len(rows) + 1, company, variant=False))
        if rng.random() < _TWICE:
            rows.append(_row(len(rows) + 1, company, variant=True))
    pl.DataFrame(rows).write_csv(path)
    return path
