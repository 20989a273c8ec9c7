"""The region a record's numbers are read in when they carry no country code of their own.

In this order: the record's country; the country of its e-mail's domain (a ccTLD: ``.pt``,
``.co.uk``; not one sold to anyone, like ``.io`` or ``.co`` alone); the country most of its
source's records give (a Portuguese export fills the gaps with PT); then the run's default.
The e-mail's country is the weakest hint (a company's domain says little of where each of its
people is): a number invalid there is read in the region the other hints give.
A number typed with ``+`` already gave the record its country (see ``country_hints``).
"""

from __future__ import annotations

import phonenumbers
import polars as pl

from crmclean.batch import SOURCE
from crmclean.normalize.distinct import select_distinct

EMAIL, COUNTRY = "email", "country"
# ccTLDs other than the ISO code of their country
CCTLD_REGIONS = {"uk": "GB"}
# A share of a source's records with a country: its commonest one fills the others' gaps when
# it is at least this.
DOMINANT_SHARE = 0.5
_KNOWN = sorted(phonenumbers.SUPPORTED_REGIONS)
_SECOND_LEVEL = r"(?:com|net|org|gov|edu|co|ac|gob|gv)"


def email_region(email: pl.Expr, generic: list[str]) -> pl.Expr:
    """The region of an e-mail's ccTLD; a ``generic`` one only under a second level that is
    not ("x.co" says nothing, "x.com.co" is Colombian)."""
    return domain_region(_domain(email), generic)


def _domain(email: pl.Expr) -> pl.Expr:
    return email.str.strip_chars().str.to_lowercase().str.extract(r"@([^@\s]+)$")


def domain_region(domain: pl.Expr, generic: list[str]) -> pl.Expr:
    """:func:`email_region` of an e-mail's (lowercase) domain."""
    under = domain.str.extract(rf"\.{_SECOND_LEVEL}\.([a-z]{{2}})$")
    alone = domain.str.extract(r"\.([a-z]{2})$")
    tld = pl.coalesce(under, pl.when(~alone.is_in(generic)).then(alone))
    return _supported(tld.replace(CCTLD_REGIONS).str.to_uppercase())


def source_region(frame: pl.DataFrame, country: pl.Expr) -> pl.Expr:
    """The country most records of each source give, when at least :data:`DOMINANT_SHARE` of
    those with a country give it."""
    if SOURCE not in frame.columns:
        return pl.lit(None, pl.String)
    counted = (
        frame.select(pl.col(SOURCE), _supported(country).alias("_c"))
        .drop_nulls()
        .group_by(SOURCE, "_c")
        .len()
        .with_columns(share=pl.col("len") / pl.col("len").sum().over(SOURCE))
        .filter(pl.col("share") >= DOMINANT_SHARE)
        .sort("len", "_c", descending=[True, False])
        .unique(SOURCE, keep="first")
    )
    lookup = dict(zip(counted[SOURCE], counted["_c"], strict=True))
    return pl.col(SOURCE).replace_strict(lookup, default=None, return_dtype=pl.String)


def record_region(
    frame: pl.DataFrame,
    default: str,
    generic: list[str],
    country_column: str = COUNTRY,
    by_email: bool = True,
) -> pl.Expr:
    """The region of each record's numbers, by the order of the module docstring
    (``by_email=False``: without the e-mail's hint, the region a number the e-mail's region
    calls invalid is read in again)."""
    columns = set(frame.columns)
    country = pl.col(country_column) if country_column in columns else pl.lit(None, pl.String)
    email = email_region(pl.col(EMAIL), generic) if by_email and EMAIL in columns else None
    hints = [_supported(country), email, source_region(frame, country)]
    return pl.coalesce(*(h for h in hints if h is not None), pl.lit(default))


def record_regions(
    frame: pl.DataFrame, default: str, generic: list[str], country_column: str = COUNTRY
) -> tuple[pl.Series, pl.Series]:
    """:func:`record_region` with the e-mail's hint and without it, sharing their work: the
    source's commonest country is counted once, and the e-mail's region is found once per
    distinct domain (a few thousand where e-mails are nearly all distinct)."""
    fallback = frame.select(
        record_region(frame, default, generic, country_column, by_email=False)
    ).to_series()
    if EMAIL not in frame.columns:
        return fallback, fallback
    domains = frame.select(_domain(pl.col(EMAIL)))
    by_email = select_distinct(domains, [EMAIL], {EMAIL: domain_region(pl.col(EMAIL), generic)})
    country = pl.col(country_column) if country_column in frame.columns else pl.lit(None, pl.String)
    hints = (_supported(country), pl.lit(by_email.to_series()), pl.lit(fallback))
    return frame.select(pl.coalesce(*hints)).to_series(), fallback


def _supported(region: pl.Expr) -> pl.Expr:
    return pl.when(region.is_in(_KNOWN)).then(region)
