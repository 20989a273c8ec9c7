"""Companies and their contacts in a CRM's import files: HubSpot companies plus contacts
associated by ``crmclean company id``; Salesforce Account plus Contact linked by the
``Crmclean_Company_Id__c`` external id."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl

from crmclean.export import load_template, shape
from crmclean.load.existing import crmclean_target, present_columns
from crmclean.load.reading import read_rows
from crmclean.load.schema import COMPANY_ID
from crmclean.rules import Rules
from crmclean.write import write_csv

LinkedFormat = Literal["hubspot", "salesforce"]
# --to -> (contacts template, companies template, association column added to contacts)
TEMPLATES: dict[LinkedFormat, tuple[str, str, str | None]] = {
    "hubspot": ("hubspot", "hubspot_companies", "crmclean company id"),
    "salesforce": ("salesforce_contact", "salesforce_account", None),
}


def read_companies(target: str, rules: Rules) -> pl.DataFrame:
    """The target's golden companies (none in a target loaded before companies existed)."""
    with crmclean_target(target, rules) as (conn, tables):
        present = present_columns(conn, tables).get("companies", set())
        if not present:
            return pl.DataFrame(schema={COMPANY_ID: pl.String})
        return read_rows(conn, tables.data["companies"], present)


def export_linked(
    contacts: pl.DataFrame, companies: pl.DataFrame, to: LinkedFormat, out: Path, company_out: Path
) -> tuple[int, int]:
    """Write ``contacts`` to ``out`` and ``companies`` to ``company_out``, linked; returns the
    rows of each."""
    contact_template, company_template, association = TEMPLATES[to]
    if COMPANY_ID not in contacts.columns:
        contacts = contacts.with_columns(pl.lit(None, dtype=pl.String).alias(COMPANY_ID))
    people = shape(contacts.sort("golden_id"), load_template(contact_template))
    if association is not None:
        people = people.with_columns(contacts.sort("golden_id")[COMPANY_ID].alias(association))
    firms = shape(_heads_first(companies), load_template(company_template))
    for frame, path, template in (
        (people, out, contact_template),
        (firms, company_out, company_template),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame, path, bom=load_template(template).bom)
    return people.height, firms.height


def _heads_first(companies: pl.DataFrame) -> pl.DataFrame:
    """Head offices before their branches (an import links a child to a parent it has seen)."""
    if "parent_id" not in companies.columns:
        return companies.sort(COMPANY_ID)
    return companies.sort(pl.col("parent_id").is_not_null(), COMPANY_ID)
