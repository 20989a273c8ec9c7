"""The audit's companies section: duplicate companies, contacts without a company, companies
without contacts, free-mail domains used as company domains."""

from __future__ import annotations

from typing import Any

import polars as pl

from crmclean.accounts.link import COMPANY_ID, REASON, is_free_mail, link_contacts
from crmclean.accounts.spec import load
from crmclean.accounts.stage import CompanyResult
from crmclean.batch import GOLDEN_ID, READ_STATS, SOURCE, SOURCE_ID, Batch
from crmclean.company_fields import ORIGIN
from crmclean.rules import Rules

_SHOWN = 10  # examples per list


def company_section(
    companies: CompanyResult | None, contacts: Batch, rules: Rules
) -> dict[str, Any] | None:
    """The section, or None when the run read no company source.

    Contacts are linked record by record (an audit builds no golden contacts)."""
    if companies is None or companies.batch.frame.is_empty():
        return None
    records = contacts.frame.with_columns(
        pl.concat_str(SOURCE, SOURCE_ID, separator=":").alias(GOLDEN_ID)
    )
    links = companies.links or link_contacts(records, companies.golden, rules)
    golden = companies.golden.filter(pl.col(ORIGIN) == "sources")
    sizes = companies.batch.frame.group_by(COMPANY_ID).len()
    duplicated = sizes.filter(pl.col("len") > 1)
    linked = links.contacts.filter(pl.col(COMPANY_ID).is_not_null())
    alone = golden.join(linked.select(COMPANY_ID).unique(), on=COMPANY_ID, how="anti")
    domain = pl.col("domain").cast(pl.String).str.to_lowercase()
    free = golden.filter(is_free_mail(domain, load(rules).free_mail_domains).fill_null(False))
    reasons = links.contacts.filter(pl.col(COMPANY_ID).is_null())[REASON].value_counts(sort=True)
    rejected = companies.batch.rejects.select(SOURCE, SOURCE_ID).unique().height
    return {
        "sources": _sources(companies.batch),
        "read": companies.inputs.height,
        "rejected": rejected,
        "records": companies.batch.frame.height,
        "golden": golden.height,
        "duplicate_companies": {
            "golden": duplicated.height,
            "records": int(duplicated["len"].sum()) - duplicated.height,
        },
        "contacts": links.contacts.height,
        "contacts_without_company": {
            "count": links.contacts.height - linked.height,
            "by_reason": dict(zip(reasons[REASON], reasons["count"], strict=True)),
        },
        "companies_without_contacts": {
            "count": alone.height,
            "examples": alone["name"].head(_SHOWN).to_list(),
        },
        "free_mail_company_domains": {
            "count": free.height,
            "examples": free.select("name", "domain").head(_SHOWN).to_dicts(),
        },
        "link_conflicts": links.findings.height,
    }


def _sources(batch: Batch) -> dict[str, int]:
    """Each company source's records read (as the contact sources' ``read:<source>``)."""
    reads = {k: v for k, v in batch.stats.items() if k.startswith(READ_STATS)}
    return {k.removeprefix(READ_STATS): v.get("rows", 0) for k, v in reads.items()}


def text_lines(doc: dict[str, Any]) -> list[str]:
    """The section in a few lines of the text report (none without company sources)."""
    section = doc.get("companies")
    if not section:
        return []
    duplicates = section["duplicate_companies"]
    unlinked = section["contacts_without_company"]
    reasons = ", ".join(f"{n:,} {why}" for why, n in unlinked["by_reason"].items())
    sources = "; ".join(f"{name} {n:,}" for name, n in section.get("sources", {}).items())
    read = section.get("read", section["records"])
    return [
        f"Companies: {read:,} records read ({sources + '; ' if sources else ''}"
        f"{section.get('rejected', 0):,} unusable), {section['golden']:,} companies; "
        f"{duplicates['golden']:,} have duplicates ({duplicates['records']:,} extra records)",
        f"  {unlinked['count']:,} of {section['contacts']:,} contacts without a company"
        + (f" ({reasons})" if reasons else ""),
        f"  {section['companies_without_contacts']['count']:,} companies without contacts; "
        f"{section['free_mail_company_domains']['count']:,} with a free-mail domain; "
        f"{section['link_conflicts']:,} contacts whose evidence disagrees",
    ]
