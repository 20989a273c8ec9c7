"""The company part of a load plan: rows of ``companies`` and ``company_sources``, and each
golden contact's ``company_id``.

A run without company results leaves both tables alone; one with them replaces the golden
companies it touches (those it holds, and those its company records belonged to before).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from crmclean.batch import GOLDEN, GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.company_fields import FIELDS, ORIGIN
from crmclean.company_fields import PARENT_ID as PARENT
from crmclean.load.changes import TableChange
from crmclean.load.existing import TargetReader
from crmclean.load.frames import table_frame
from crmclean.load.reading import frame_schema
from crmclean.load.schema import (
    COMPANY_FIELDS,
    COMPANY_ID,
    PENDING,
    RUN_ID,
    SOURCE_COUNT,
    Tables,
)

if TYPE_CHECKING:
    from crmclean.accounts.stage import CompanyResult

CONTACTS = "contacts"  # the source name of contacts in company_sources
TABLES = ("companies", "company_sources")
_FINAL = "_final_golden_id"


def in_target_ids(companies: CompanyResult | None, final: pl.DataFrame) -> CompanyResult | None:
    """``companies`` with its links renamed to the golden ids the load gives (``final``:
    ``_source, _source_id, golden_id`` after matching against the target; ``batch``:
    the batch's records with the golden ids dedupe gave)."""
    if companies is None or companies.links is None:
        return companies
    links = companies.links
    if companies.contacts_lineage.equals(final.select(SOURCE, SOURCE_ID, GOLDEN_ID)):
        renamed = None  # the company stage saw these very golden ids: nothing to rename
        findings = links.findings
    else:
        renamed = _renames(companies.contacts_lineage, final)
        findings = links.findings.join(renamed, left_on=SOURCE_ID, right_on=GOLDEN_ID)
        findings = findings.with_columns(pl.col(_FINAL).alias(SOURCE_ID)).drop(_FINAL)
    return replace(
        companies,
        links=replace(
            links,
            contacts=_renamed(links.contacts, renamed),
            lineage=_renamed(links.lineage, renamed),
            findings=findings.unique([SOURCE_ID, "code"], keep="first", maintain_order=True),
        ),
    )


def lineage_in_target(companies: CompanyResult | None, final: pl.DataFrame) -> CompanyResult | None:
    """``companies`` with only the lineage of the companies created from contacts renamed as
    :func:`in_target_ids` renames it: all the company tables need."""
    if companies is None or companies.links is None:
        return companies
    links = companies.links
    members = companies.contacts_lineage.join(links.lineage, on=GOLDEN_ID, how="semi")
    lineage = _renamed(links.lineage, _renames(members, final))
    return replace(companies, links=replace(links, lineage=lineage))


def _renames(lineage: pl.DataFrame, final: pl.DataFrame) -> pl.DataFrame:
    """``golden_id, _final_golden_id``: the golden id each contact of ``lineage`` had in the
    company stage, and the one the load gives it."""
    ids = final.select(SOURCE, SOURCE_ID, pl.col(GOLDEN_ID).alias(_FINAL))
    return lineage.join(ids, on=[SOURCE, SOURCE_ID]).select(GOLDEN_ID, _FINAL).unique()


def _renamed(frame: pl.DataFrame, renamed: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` with each golden id renamed (None: as it is), one row per golden id (the
    first by company id), the golden id last."""
    if renamed is None:
        moved = frame.select(pl.exclude(GOLDEN_ID), GOLDEN_ID)
    else:
        moved = frame.join(renamed, on=GOLDEN_ID).drop(GOLDEN_ID).rename({_FINAL: GOLDEN_ID})
    return moved.sort(COMPANY_ID, nulls_last=True).unique(GOLDEN_ID, keep="first")


def with_company_ids(golden: pl.DataFrame, companies: CompanyResult | None) -> pl.DataFrame:
    """Golden contacts with the ``company_id`` they were linked to (null without one)."""
    golden = golden.drop(COMPANY_ID, strict=False)
    if companies is None or companies.links is None:
        return golden.with_columns(pl.lit(None, dtype=pl.String).alias(COMPANY_ID))
    links = companies.links.contacts.select(GOLDEN_ID, COMPANY_ID)
    return golden.join(links, on=GOLDEN_ID, how="left", maintain_order="left")


def crosswalk(companies: CompanyResult) -> pl.DataFrame:
    """``_source, _source_id, company_id``: every company record, then every contact a
    company was created from (source ``contacts``, id the golden contact's)."""
    records = companies.batch.frame.select(SOURCE, SOURCE_ID, COMPANY_ID)
    if companies.links is None:
        return records
    created = companies.links.lineage.select(
        pl.lit(CONTACTS).alias(SOURCE), pl.col(GOLDEN_ID).alias(SOURCE_ID), COMPANY_ID
    )
    return pl.concat([records, created])


def company_side_rows(companies: CompanyResult | None) -> tuple[pl.DataFrame, Batch]:
    """``(keys, side)``: the lineage of every company record read (and ``golden, <id>`` of every
    linked golden contact), and a batch holding the company records' rejects and findings
    (their normalizers' changes, keyed by the company source and record id) and the contacts'
    link conflicts (``LK01``, keyed ``golden, <golden id>``), for the ``rejects`` and
    ``findings`` tables."""
    side = Batch(pl.DataFrame())
    if companies is None:
        return pl.DataFrame(schema={SOURCE: pl.String, SOURCE_ID: pl.String}), side
    keys = companies.inputs.select(SOURCE, SOURCE_ID).unique()
    own = companies.batch.findings.join(keys, on=[SOURCE, SOURCE_ID], how="semi")
    side = side.add_rejects(companies.batch.rejects).add_findings(own)
    if companies.links is None:
        return keys, side
    linked = companies.links.contacts.select(
        pl.lit(GOLDEN).alias(SOURCE), pl.col(GOLDEN_ID).alias(SOURCE_ID)
    )
    return pl.concat([keys, linked]), side.add_findings(companies.links.findings)


def golden_rows(companies: CompanyResult, records: pl.DataFrame) -> pl.DataFrame:
    """The golden companies with records as ``companies`` rows: fields, parent, origin,
    record count (``records``: a ``company_id`` per member, company record or contact)."""
    golden = companies.golden
    fields = [f for f in COMPANY_FIELDS if f in golden.columns and f not in (ORIGIN, PARENT)]
    frame = golden.select(COMPANY_ID, *(pl.col(f).cast(pl.String) for f in fields), ORIGIN)
    parents = companies.parents.select(COMPANY_ID, PARENT)
    counts = records.group_by(COMPANY_ID).agg(pl.len().cast(pl.Int64).alias(SOURCE_COUNT))
    # a company created from contacts that all left (quarantined) has no records: not loaded
    return frame.join(parents, on=COMPANY_ID, how="left").join(counts, on=COMPANY_ID)


def _held_fields(golden: pl.DataFrame, held: pl.DataFrame, kept: pl.DataFrame) -> pl.DataFrame:
    """``golden`` with the target's fields for the companies created from contacts that keep
    members this run did not read (an incremental run sees only the contacts it touched, so
    the name and domain the target made from all of them stay)."""
    partial = held.filter(pl.col(ORIGIN) == "contacts").join(kept, on=COMPANY_ID, how="semi")
    fields = [f for f in FIELDS if f in golden.columns and f in partial.columns]
    if partial.is_empty() or not fields:
        return golden
    return golden.update(partial.select(COMPANY_ID, *fields), on=COMPANY_ID)


def no_company_rows(tables: Tables) -> dict[str, pl.DataFrame]:
    """Empty ``companies`` and ``company_sources`` frames: a run that leaves them alone."""
    return {name: pl.DataFrame(schema=frame_schema(tables.data[name])) for name in TABLES}


def company_rows(
    reader: TargetReader, companies: CompanyResult | None
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """``(existing, desired)`` rows of ``companies`` and ``company_sources`` for the keys
    the run touches."""
    tables = reader.tables
    if companies is None:
        return no_company_rows(tables), no_company_rows(tables)
    records = crosswalk(companies)
    lineage = records.select(pl.col(SOURCE).alias("source"), pl.col(SOURCE_ID).alias("source_id"))
    before = reader.rows("company_sources", lineage)
    touched = pl.concat([records.select(COMPANY_ID), before.select(COMPANY_ID)]).unique()
    kept = reader.rows("company_sources", touched).join(
        lineage, on=list(lineage.columns), how="anti"
    )
    members = pl.concat([records.select(COMPANY_ID), kept.select(COMPANY_ID)])
    held = reader.rows("companies", touched)
    golden = _held_fields(golden_rows(companies, members), held, kept)
    existing = {"companies": held, "company_sources": before}
    desired = {
        "companies": table_frame(golden, tables.data["companies"], PENDING),
        "company_sources": table_frame(records, tables.data["company_sources"], PENDING),
    }
    return existing, desired


def companies_after(reader: TargetReader, change: TableChange) -> pl.DataFrame:
    """The golden companies the target will hold once ``change`` (of ``companies``) is applied."""
    held = reader.rows("companies")
    kept = held.join(change.replace, on=COMPANY_ID, how="anti") if change.replace.height else held
    return pl.concat([kept, change.insert])


def split_company_rows(
    reader: TargetReader, golden_id: str, new_id: str
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """``(existing, desired)`` company rows of an unmerge: when ``golden_id`` is lineage of a
    company created from contacts, the split-out golden record ``new_id`` is too."""
    keys = pl.DataFrame({"source": [CONTACTS], "source_id": [golden_id]})
    lineage = reader.rows("company_sources", keys)
    if lineage.is_empty():
        return no_company_rows(reader.tables), no_company_rows(reader.tables)
    company = reader.rows("companies", lineage.select(COMPANY_ID))
    added = lineage.with_columns(pl.lit(new_id).alias("source_id"))
    existing = {"companies": company, "company_sources": lineage}
    desired = {
        "companies": company.with_columns(pl.col(SOURCE_COUNT) + 1, pl.lit(PENDING).alias(RUN_ID)),
        "company_sources": pl.concat([lineage, added]).with_columns(pl.lit(PENDING).alias(RUN_ID)),
    }
    return existing, desired
