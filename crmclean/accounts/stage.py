"""The company stage: company records matched into golden companies, golden contacts linked.

Runs after the contacts' dedupe. Company sources (``entity: companies``) are normalized and
matched by :mod:`crmclean.companies`; every golden contact is then linked to a golden company
(:mod:`crmclean.accounts.link`), and companies seen only on contacts join the golden ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from crmclean.accounts.link import (
    COMPANY_ID,
    CONFLICT,
    LINK,
    Links,
    compact_cnpj,
    link_contacts,
    without_golden,
)
from crmclean.batch import GOLDEN, GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.companies import dedupe_companies, normalize_companies
from crmclean.company_fields import ORIGIN
from crmclean.rules import Rules


@dataclass(frozen=True)
class CompanyResult:
    """What the stage produced.

    ``inputs``: lineage of every company record read; ``batch``: the company records kept,
    each with its ``company_id``, and the company rejects and findings; ``golden``: one row per
    golden company (``origin`` ``sources`` or ``contacts``); ``parents``: branch -> head office;
    ``links``: each golden contact's company (None when contacts were not merged).
    """

    inputs: pl.DataFrame
    batch: Batch
    golden: pl.DataFrame
    parents: pl.DataFrame
    links: Links | None
    contacts_lineage: pl.DataFrame  # ``_source, _source_id, golden_id`` of the linked contacts

    def to_dict(self) -> dict[str, Any]:
        created = self.golden.filter(pl.col(ORIGIN) == "contacts").height
        linked = None if self.links is None else self.links.contacts
        return {
            "records": self.batch.frame.height,
            "rejects": self.batch.rejects.height,
            "golden": self.golden.height,
            "created_from_contacts": created,
            "branches": self.parents.height,
            "contacts_linked": None if linked is None else linked[COMPANY_ID].is_not_null().sum(),
            "contacts_unlinked": None if linked is None else linked[COMPANY_ID].is_null().sum(),
            "link_conflicts": None if self.links is None else self.links.findings.height,
            "linked_by": None if linked is None else _methods(linked),
        }


def _methods(linked: pl.DataFrame) -> dict[str, int]:
    counts = linked.filter(pl.col(LINK).is_not_null())[LINK].value_counts(sort=True)
    return dict(zip(counts[LINK].to_list(), counts["count"].to_list(), strict=True))


def company_records(frame: pl.DataFrame) -> pl.DataFrame:
    """Canonical records of a companies source in the matcher's fields (a CNPJ in ``tax_id``
    becomes ``cnpj``; the website's domain, else the website, is the ``domain``)."""
    is_cnpj = compact_cnpj(pl.col("tax_id")).is_not_null()
    return frame.select(
        SOURCE,
        SOURCE_ID,
        pl.col("company").alias("name"),
        pl.coalesce("company_domain", "website").alias("domain"),
        pl.when(is_cnpj).then(pl.col("tax_id")).alias("cnpj"),
        pl.when(~is_cnpj).then(pl.col("tax_id")).alias("tax_id"),
        "phone",
        "street",
        "postal_code",
        "city",
        "state",
        "country",
    )


def company_stage(companies: Batch | None, contacts: Batch, rules: Rules) -> CompanyResult:
    """Match ``companies`` (None: no company source) and link ``contacts``' golden records."""
    read = companies or Batch(company_records(contacts.frame.clear()))
    records = company_records(read.frame) if companies else read.frame
    inputs = pl.concat(
        [records.select(SOURCE, SOURCE_ID), read.rejects.select(SOURCE, SOURCE_ID).unique()]
    )
    normalized, findings, rejects = normalize_companies(records, rules)
    matches = dedupe_companies(normalized, rules)
    batch = Batch(matches.frame, read.rejects, read.findings, read.stats)
    batch = batch.add_rejects(rejects).add_findings(findings)
    golden = matches.golden.with_columns(pl.lit("sources").alias(ORIGIN))
    links, lineage = None, pl.DataFrame(schema={SOURCE: pl.String, SOURCE_ID: pl.String})
    if contacts.golden is not None:
        lineage = contacts.frame.select(SOURCE, SOURCE_ID, GOLDEN_ID)
        links = link_contacts(contacts.golden, matches.golden, rules)
        golden = links.companies
        batch = batch.add_findings(links.findings)
    return CompanyResult(inputs, batch, golden, matches.parents, links, lineage)


def links_alone(result: CompanyResult | None, golden_ids: pl.Series) -> bool:
    """Whether none of the golden contacts ``golden_ids`` is linked to a company or has a link
    finding: then no other contact's link depends on them (a contact linked to no company
    creates none), and dropping them leaves every other link as it is."""
    if result is None or result.links is None:
        return True
    links, ids = result.links, golden_ids.implode()
    linked = links.contacts.filter(pl.col(GOLDEN_ID).is_in(ids) & pl.col(COMPANY_ID).is_not_null())
    noted = links.findings.filter(pl.col(SOURCE_ID).is_in(ids))
    return linked.is_empty() and noted.is_empty()


def without_contacts(
    result: CompanyResult | None, golden_ids: pl.Series, records: pl.DataFrame
) -> CompanyResult | None:
    """``result`` without the golden contacts ``golden_ids`` (each linked to no company, see
    :func:`links_alone`) and their ``records`` (``_source, _source_id``)."""
    if result is None or result.links is None:
        return result
    ids = golden_ids.implode()
    contacts = result.links.contacts.filter(~pl.col(GOLDEN_ID).is_in(ids))
    keys = [SOURCE, SOURCE_ID]
    lineage = result.contacts_lineage.join(records, on=keys, how="anti", maintain_order="left")
    links = replace(result.links, contacts=contacts)
    return replace(result, links=links, contacts_lineage=lineage)


def relinked_without(
    result: CompanyResult, contacts: Batch, golden_ids: pl.Series
) -> CompanyResult:
    """:func:`company_stage` over ``contacts``, the contacts ``result`` was made from less the
    golden contacts ``golden_ids`` and their records (the others as they were), from
    ``result``: the company records' matching kept, the links made again only where they can
    change (:func:`~crmclean.accounts.link.without_golden`)."""
    if result.links is None:
        return result
    links = without_golden(result.links, golden_ids)
    own = (pl.col(SOURCE) == GOLDEN) & (pl.col("rule") == CONFLICT)
    kept = result.batch.findings.filter(~(own & pl.col(SOURCE_ID).is_in(golden_ids.implode())))
    return replace(
        result,
        batch=replace(result.batch, findings=kept),
        golden=links.companies,
        links=links,
        contacts_lineage=contacts.frame.select(SOURCE, SOURCE_ID, GOLDEN_ID),
    )


def same_links(before: CompanyResult | None, after: CompanyResult | None) -> bool:
    """Whether both results link every golden contact to the same company, with the same
    link findings."""
    if before is None or after is None or before.links is None or after.links is None:
        return before is None and after is None
    contacts, findings = before.links.contacts, before.links.findings
    return contacts.equals(after.links.contacts) and findings.equals(after.links.findings)
