"""Matching keys of companies (``rules/match_company.yaml``), registered in
:data:`crmclean.dedupe.keys.KEYS` like the contacts' keys.

They read the columns :mod:`crmclean.companies.keys` derives (``company_key``, ``street_key``,
``street_number``) and the normalized ``domain``, ``cnpj``, ``tax_id`` and ``country``:

- ``company_name``    the name key (``padaria esquina``)
- ``company_words``   its words                                                     [list]
- ``company_weighted`` its words each with its weight, ``log2`` of how many names there are
                      over how many hold the word (``ritz:6.8 carlton:6.8 cafe:3.1``): a rare
                      word weighs more than ``comercial`` or ``restaurant``
- ``company_compact`` the name key run together (``norteandes``: ``Norte Andes`` too)
- ``company_prefix``  the first four letters of the name run together, doubled letters
                      written once (a typo further on, ``Tixxqui`` / ``Tixqui``)
- ``company_initials`` the initials of a name key of several words, or a one-word key of 2 to
                      5 letters as it is (``ibm`` for ``IBM`` and ``International Business
                      Machines``): to block a name with its acronym
- ``address``         ``number|street`` (``435|s la cienega blvd``)
- ``domains``         the company's web/e-mail domain, free-mail providers left out      [list]
- ``national_id``     the CNPJ's 14 digits, else ``country:tax id``
- ``cnpj_root``       the CNPJ's first 8 digits: the company (the last 6: its establishment)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

Build = Callable[[pl.DataFrame, "MatchConfig"], pl.DataFrame]
_NAME = pl.col("company_key")


def _initials(key: pl.Expr) -> pl.Expr:
    words = key.str.split(" ")
    initials = words.list.eval(pl.element().str.slice(0, 1)).list.join("")
    short = key.str.contains(r"^[a-z]{2,5}$")
    return pl.when(words.list.len() > 1).then(initials).when(short).then(key)


def single_letters(text: pl.Expr) -> pl.Expr:
    for letter in "abcdefghijklmnopqrstuvwxyz":
        text = text.str.replace_all(f"{letter}{letter}+", letter)
    return text


def _names(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    return rows.select(
        company_name=_NAME,
        company_words=_NAME.str.split(" ").list.unique(maintain_order=True),
        company_compact=_NAME.str.replace_all(" ", ""),
        company_prefix=single_letters(_NAME.str.replace_all(" ", "")).str.slice(0, 4),
        company_initials=_initials(_NAME),
    )


def _weighted(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """``company_weighted`` (see the module): built over every record, since a word's weight
    depends on how many records hold it."""
    words = rows.select(_NAME.str.split(" ").list.unique(maintain_order=True).alias("w"))
    flat = words.with_row_index("_r").explode("w").drop_nulls("w")
    holders = flat.group_by("w").agg(pl.len().alias("n"))
    names = max(int(words["w"].is_not_null().sum()), 2)
    weight = (pl.lit(names) / pl.col("n")).log(2).clip(lower_bound=0.5).round(1)
    weighted = flat.join(holders, on="w", maintain_order="left").select(
        "_r", pl.format("{}:{}", "w", weight).alias("w")
    )
    joined = weighted.group_by("_r", maintain_order=True).agg(pl.col("w").str.join(" "))
    index = pl.DataFrame({"_r": pl.int_range(rows.height, eager=True, dtype=pl.UInt32)})
    every = index.join(joined, on="_r", how="left", maintain_order="left")
    return every.select(company_weighted="w")


def _address(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    number = pl.col("street_number").fill_null("")
    both = pl.concat_str(number, pl.lit("|"), pl.col("street_key"))
    return rows.select(address=pl.when(pl.col("street_key").is_not_null()).then(both))


def _domains(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    domain = pl.col("domain").str.to_lowercase().str.strip_chars()
    kept = pl.when(~domain.is_in(config.free_email_domains)).then(domain)
    return rows.select(domains=pl.concat_list(kept).list.drop_nulls())


def _ids(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    cnpj = pl.col("cnpj").str.replace_all(r"[^0-9A-Za-z]", "").str.to_uppercase()
    cnpj = pl.when(cnpj.str.len_chars() == 14).then(cnpj)
    other = pl.col("tax_id").str.replace_all(r"[^0-9A-Za-z]", "").str.to_uppercase()
    other = pl.concat_str(pl.col("country").fill_null(""), pl.lit(":"), other.replace("", None))
    return rows.select(national_id=pl.coalesce(cnpj, other), cnpj_root=cnpj.str.slice(0, 8))


_NAME_KEYS = (("company_key",), _names, True)
_ID_KEYS = (("cnpj", "tax_id", "country"), _ids, True)
KEYS: dict[str, tuple[tuple[str, ...], Build, bool]] = {
    "company_name": _NAME_KEYS,
    "company_words": _NAME_KEYS,
    "company_compact": _NAME_KEYS,
    "company_initials": _NAME_KEYS,
    "company_prefix": _NAME_KEYS,
    "company_weighted": (("company_key",), _weighted, False),
    "address": (("street_number", "street_key"), _address, True),
    "domains": (("domain",), _domains, True),
    "national_id": _ID_KEYS,
    "cnpj_root": _ID_KEYS,
}
LIST_KEYS = frozenset({"company_words", "domains"})
OPTIONAL = ("street_number", "street_key", "domain", "cnpj")
