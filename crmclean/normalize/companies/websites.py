"""Website -> ``company_domain``: the registrable domain (``https://www.loja.acme.com.br/x`` ->
``acme.com.br``), from the Public Suffix List bundled with publicsuffixlist (no network)."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

import polars as pl
from publicsuffixlist import PublicSuffixList

from crmclean.normalize.companies import vocabulary as companies
from crmclean.normalize.distinct import map_distinct, select_distinct
from crmclean.normalize.findings import AFTER, BEFORE, Step, by_rule, pairs
from crmclean.rules import Rules

DOMAIN = "company_domain"
_HOST = r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?([^/:?#\s]+)"


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def host(website: pl.Expr) -> pl.Expr:
    """The host of a URL or bare domain, lowercase, without ``www.`` or a final dot."""
    found = website.str.strip_chars().str.to_lowercase().str.extract(_HOST)
    return found.str.strip_chars_end(".").str.replace(r"^www[0-9]*\.", "")


def registrable(hostname: str) -> tuple[str | None]:
    """The registrable domain of a host; None for IPs, bare suffixes and non-domains."""
    labels = hostname.split(".")
    if len(labels) < 2 or not any(char.isalpha() for char in labels[-1]):
        return (None,)
    try:
        ascii_host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return (None,)
    return (_suffixes().privatesuffix(ascii_host),)


def company_domain(
    frame: pl.DataFrame, field: str = "website", social: Collection[str] = ()
) -> Step:
    """``company_domain`` from the website where it is empty; a finding either way. A page on
    a ``social`` site (``instagram.com/acme``) gives none."""
    hosts = select_distinct(frame, [field], {"host": host(pl.col(field))})
    found = map_distinct(hosts, ["host"], registrable, {DOMAIN: pl.String()})[DOMAIN]
    profile = found.is_in(list(social)).fill_null(False)
    domains = found.zip_with(~profile, pl.Series([None] * len(found), dtype=pl.String))
    typed = pl.col(DOMAIN) if DOMAIN in frame.columns else pl.lit(None, pl.String)
    updated = frame.with_columns(pl.coalesce(typed, pl.lit(domains)).alias(DOMAIN))
    had = frame.with_columns(typed.is_not_null().alias("_had"))["_had"]
    both = pairs(frame, pl.col(field), domains).with_columns(had=had, social=profile)
    rule = (
        pl.when(pl.col("social"))
        .then(pl.lit("website.social"))
        .when(BEFORE.is_not_null() & AFTER.is_null())
        .then(pl.lit("website.invalid"))
        .when(AFTER.is_not_null() & ~pl.col("had"))
        .then(pl.lit("website.domain"))
    )
    return Step(updated, by_rule(both, DOMAIN, rule))


def clean_websites(frame: pl.DataFrame, rules: Rules) -> Step:
    """The stage step: :func:`company_domain` with the run's social sites."""
    return company_domain(frame, social=companies.load(rules).social_domains)
