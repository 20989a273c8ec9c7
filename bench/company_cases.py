"""Labelled company sets for bench/accuracy.py: the companies as a user gives them to
``normalize_companies``, the same records for Splink (``unique_id`` = row index, lowercase
text) and the truth (``source, source_id, person_id`` = the true company)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from b2b_companies import generate
from cases import PUBLIC

_SPLINK = {"name": "name", "street": "street", "city": "city", "postcode": "postal_code",
           "phone": "phone", "domain": "domain", "tax_id": "cnpj"}  # fmt: skip


@dataclass(frozen=True)
class CompanyCase:
    """One labelled company set."""

    name: str
    frame: pl.DataFrame
    splink: pl.DataFrame
    truth: pl.DataFrame


def _splink_view(frame: pl.DataFrame) -> pl.DataFrame:
    """The raw records under the column names bench/splink_companies.py knows."""
    used = {ours: theirs for ours, theirs in _SPLINK.items() if theirs in frame.columns}
    view = frame.select(
        pl.int_range(pl.len()).cast(pl.String).alias("unique_id"),
        *(pl.col(theirs).str.to_lowercase().alias(ours) for ours, theirs in used.items()),
    )
    return view.select(c for c in view.columns if view[c].null_count() < view.height)


def restaurants_case() -> CompanyCase:
    """The Fodor's/Zagat restaurants (dedupeio/dedupe, MIT): name, address, city."""
    raw = pl.read_csv(PUBLIC / "restaurants_fodors_zagat.csv", infer_schema=False)
    frame = raw.select(
        source=pl.lit("restaurants"),
        source_id="record_id",
        name="name",
        street="address",
        city="city",
        country=pl.lit("US"),
    )
    truth = frame.select("source", "source_id", person_id=raw["cluster"])
    return CompanyCase("restaurants (Fodor's/Zagat)", frame, _splink_view(frame), truth)


def b2b_case(companies: int, seed: int) -> CompanyCase:
    """bench/b2b_companies.py's generated B2B set (branches, sisters, namesakes, acronyms)."""
    raw = generate(companies, seed)
    frame = raw.drop("company")
    truth = raw.select("source", "source_id", person_id="company")
    return CompanyCase(f"b2b {companies:,} companies", frame, _splink_view(frame), truth)
