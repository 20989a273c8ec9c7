"""Matching keys: folded, comparable forms of the fields, as polars expressions.

Each key is registered by name in :data:`KEYS`; ``rules/match.yaml`` names the keys its blocking
rules and comparisons use. List keys (:data:`LIST_KEYS`) hold every value of a record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import jellyfish
import polars as pl

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

RECORD = "_record"

KeyBuilder = Callable[["MatchConfig"], pl.Expr]
_NO_TEXT: pl.Expr = pl.lit([], dtype=pl.List(pl.String))


def fold(expr: pl.Expr, keep: str = "a-z") -> pl.Expr:
    """ASCII, lowercase, runs of other characters turned into one space; empty -> null."""
    folded = (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(f"[^{keep}]+", " ")
        .str.strip_chars()
    )
    return pl.when(folded != "").then(folded)


def _whole_name() -> pl.Expr:
    parts = pl.concat_str(
        "first_name", "middle_name", "last_name", separator=" ", ignore_nulls=True
    )
    return fold(pl.coalesce(pl.col("full_name"), parts))


def _suffix_pattern(config: MatchConfig) -> str:
    """A regex matching any generation suffix as a whole word (nothing when there are none)."""
    words = "|".join(sorted(config.name_suffixes))
    return rf"\b(?:{words})\b" if words else r"[^\s\S]"


def _without_suffixes(folded: pl.Expr, config: MatchConfig) -> pl.Expr:
    """Folded text without its generation suffixes; null when nothing is left."""
    kept = folded.str.replace_all(_suffix_pattern(config), " ").str.replace_all(" +", " ")
    kept = kept.str.strip_chars()
    return pl.when(kept != "").then(kept)


def _last_word(folded: pl.Expr) -> pl.Expr:
    return folded.str.extract(r"(\S+)$")


def _metaphone(values: pl.Series) -> pl.Series:
    """Metaphone code of each value, computed once per distinct value."""
    distinct = values.drop_nulls().unique()
    codes = [jellyfish.metaphone(value) or None for value in distinct]
    return values.replace_strict(distinct, codes, default=None, return_dtype=pl.String)


def _sound_of(key: KeyBuilder) -> KeyBuilder:
    """A key holding the metaphone code of another key."""
    return lambda config: key(config).map_batches(_metaphone, return_dtype=pl.String)


def name_key(config: MatchConfig) -> pl.Expr:
    """The whole name folded to ASCII letters, generation suffixes (Jr, Filho) left out."""
    return _without_suffixes(_whole_name(), config)


def first_name_key(config: MatchConfig) -> pl.Expr:
    """The first word of the folded first name, a known nickname replaced (``ze`` -> ``jose``)."""
    return fold(pl.col("first_name")).str.extract(r"^(\S+)").replace(config.nicknames)


def last_name_key(config: MatchConfig) -> pl.Expr:
    """The last word of the folded last name that is not a generation suffix.

    Without a last name, the last word of a whole name of two words or more.
    """
    surname = fold(pl.col("last_name"))
    named = pl.coalesce(_last_word(_without_suffixes(surname, config)), _last_word(surname))
    words = name_key(config)
    return pl.coalesce(named, pl.when(words.str.contains(" ")).then(_last_word(words)))


def generation_key(config: MatchConfig) -> pl.Expr:
    """The generation marker of a name (``junior`` for Jr/Filho); "" for none, null without name."""
    whole = _whole_name()
    named = pl.concat_str(whole, fold(pl.col("name_suffix")), separator=" ", ignore_nulls=True)
    marker = named.str.extract_all(_suffix_pattern(config)).list.last()
    generation = marker.replace_strict(config.name_suffixes, default=None, return_dtype=pl.String)
    return pl.when(whole.is_not_null()).then(generation.fill_null(""))


def postal_code_key(config: MatchConfig) -> pl.Expr:
    """The postal code, lowercase letters and digits only (``01310-100`` -> ``01310100``)."""
    return fold(pl.col("postal_code"), keep="a-z0-9").str.replace_all(" ", "")


def emails_key(config: MatchConfig) -> pl.Expr:
    """Every e-mail of a record except role addresses (``contato@``, ``info@``, or flagged
    ``email_is_role`` by normalize); the primary one in its matching form (``email_key``)."""
    local = pl.element().str.split("@").list.first()
    personal = pl.element().filter(~local.is_in(config.role_email_local_parts))
    role = pl.col("email_is_role").fill_null(False)
    primary = pl.when(~role).then(pl.coalesce("email_key", "email"))
    every = pl.concat_list(primary, pl.col("email_alt").fill_null(_NO_TEXT))
    return every.list.eval(personal.drop_nulls().unique(maintain_order=True))


def work_emails_key(config: MatchConfig) -> pl.Expr:
    """The personal e-mails of a record at a company domain (not a free-mail provider)."""
    domain = pl.element().str.split("@").list.last()
    return emails_key(config).list.eval(
        pl.element().filter(~domain.is_in(config.free_email_domains))
    )


def email_key(config: MatchConfig) -> pl.Expr:
    """The first e-mail of a record that is not a role address."""
    return emails_key(config).list.first()


def phones_key(config: MatchConfig) -> pl.Expr:
    """Every phone number of a record: phone, mobile and the alternates."""
    every = pl.concat_list("phone", "mobile", pl.col("phone_alt").fill_null(_NO_TEXT))
    return every.list.drop_nulls().list.unique(maintain_order=True)


KEYS: dict[str, KeyBuilder] = {
    "name": name_key,
    "first_name": first_name_key,
    "first_initial": lambda config: first_name_key(config).str.slice(0, 1),
    "first_name_phonetic": _sound_of(first_name_key),
    "last_name": last_name_key,
    "last_name_phonetic": _sound_of(last_name_key),
    "first_last": lambda config: pl.concat_str(
        first_name_key(config), last_name_key(config), separator=" "
    ),
    "generation": generation_key,
    "email": email_key,
    "emails": emails_key,
    "work_emails": work_emails_key,
    "phones": phones_key,
    "mobile": lambda config: pl.col("mobile"),
    "company": lambda config: fold(pl.coalesce("company_key", "company"), keep="a-z0-9"),
    "postal_code": postal_code_key,
    "city": lambda config: fold(pl.col("city")),
    "street": lambda config: fold(pl.col("street"), keep="a-z0-9"),
    "tax_id": lambda config: (
        pl.col("tax_id").str.replace_all(r"[^0-9A-Za-z]", "").str.to_lowercase()
    ),
    "birth_date": lambda config: pl.col("birth_date").str.replace_all(r"[^0-9]", ""),
}
LIST_KEYS = frozenset({"emails", "work_emails", "phones"})


# Columns normalize derives for matching; a frame without them (older frames, unit tests) reads
# them as all null.
OPTIONAL: dict[str, pl.DataType] = {
    "email_key": pl.String(),
    "email_is_role": pl.Boolean(),
    "company_key": pl.String(),
    "name_suffix": pl.String(),
    "birth_date": pl.String(),  # not in the contact model; some CRMs and benchmarks carry it
}


def matching_keys(frame: pl.DataFrame, names: list[str], config: MatchConfig) -> pl.DataFrame:
    """The record index and the named keys of every record (``frame`` carries ``_record``)."""
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in OPTIONAL.items() if c not in frame]
    keys = frame.lazy().with_columns(missing)
    return keys.select(RECORD, *(KEYS[name](config).alias(name) for name in names)).collect()
