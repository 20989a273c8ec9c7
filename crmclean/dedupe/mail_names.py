"""Surnames a person's own e-mail address carries that the name fields lack.

``Regina Aguilar`` at ``rreyes@solarandes.com`` is Regina Aguilar Reyes: one source kept her
first surname, her address (and another source) the second. An address is taken as the
person's own when its local part starts with the first name's initial; its words that are no
given name, initial or generation marker (``pedro.carvalho`` -> ``carvalho``), or the single
word without its leading first name or initial (``rreyes`` -> ``reyes``, ``pedrocarvalho`` ->
``carvalho``), of four letters or more, are added to the record's surnames:

- ``surnames_with_mail``       the words of ``surnames``, then those of the address  (text)
- ``surname_words_with_mail``  the same words                                         [list]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from crmclean.dedupe.coded_keys import factorize
from crmclean.dedupe.name_keys import fold, name_words

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

INPUTS = ("email", "first_name", "last_name", "full_name")
KEYS = ("surnames_with_mail", "surname_words_with_mail")
_SHORTEST = 4
_ROW = "_mail_row"
_WORDS = "_mail_words"
_NAMED = "_mail_named"


def _per_distinct(rows: pl.DataFrame, columns: list[pl.Expr], result: pl.Expr) -> pl.Series:
    """``result`` computed once per distinct combination of ``columns`` (each named), given back
    for every row of ``rows`` (lazily: a subexpression ``result`` reads twice runs once)."""
    distinct, index = factorize(rows.select(columns))
    return distinct.lazy().select(result).collect().to_series().gather(index)


def _unique_words(words: pl.Expr) -> pl.Expr:
    return words.str.split(" ").list.unique(maintain_order=True).list.join(" ")


def _surnames(rows: pl.DataFrame, config: MatchConfig) -> pl.Series:
    """The distinct surname words of the name fields (space-separated; null for none): of the
    last name, else of the whole name after its first word where there is no first name; once
    per distinct last name and such whole name."""
    named = _per_distinct(
        rows, [pl.col("last_name")], _unique_words(name_words(fold(pl.col("last_name")), config))
    )
    whole = name_words(fold(pl.col("full_name")), config).str.extract(r"^\S+ (.+)$")
    alone = pl.when(pl.col("first_name").is_null()).then(pl.col("full_name")).alias("full_name")
    alone_words = _per_distinct(rows, [alone], _unique_words(whole))
    return named.zip_with(named.is_not_null(), alone_words)


def _address_words(rows: pl.DataFrame, config: MatchConfig) -> pl.Series:
    """The surname words of the record's own address (see the module), as a list; null where
    the address is not the person's own. The first name is folded once per distinct name and
    only the own addresses are split."""
    name = pl.coalesce("first_name", "full_name").alias("given")
    given = _per_distinct(rows, [name], fold(pl.col("given")))
    local = pl.col("email").str.to_lowercase().str.split("@").list.first()
    local = local.str.replace(r"\+.*$", "")
    frame = rows.select(local.alias("local"), given.str.split(" ").alias("given"))
    first = pl.col("given").list.first()
    own = pl.col("local").str.starts_with(first.str.slice(0, 1))
    own = own & ~pl.col("local").is_in(config.role_email_local_parts)
    words = pl.col("local").str.replace_all(r"[^a-z]+", " ").str.strip_chars().str.split(" ")
    single = words.list.first()
    rest = (
        pl.when(single.str.starts_with(first) & (single.str.len_chars() > first.str.len_chars()))
        .then(single.str.slice(first.str.len_chars()))
        .otherwise(single.str.slice(1))
    )
    several = words.list.set_difference(pl.col("given"))
    found = pl.when(words.list.len() == 1).then(pl.concat_list(rest)).otherwise(several)
    kept = pl.element().str.len_chars() >= _SHORTEST
    kept = kept & ~pl.element().is_in(list(config.name_suffixes))
    mine = frame.with_row_index(_ROW).filter(own.fill_null(False))
    found_words = mine.select(_ROW, found.list.eval(pl.element().filter(kept)).alias(_WORDS))
    every = pl.int_range(rows.height, dtype=pl.UInt32, eager=True).alias(_ROW).to_frame()
    return every.join(found_words, on=_ROW, how="left", maintain_order="left")[_WORDS]


def mail_name_keys(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """:data:`KEYS` for each row of ``rows`` (the :data:`INPUTS` columns); the address's words
    are joined to the surnames only on the rows that have some."""
    frame = pl.DataFrame([_surnames(rows, config).alias(_NAMED), _address_words(rows, config)])
    frame = frame.with_row_index(_ROW)
    surnames = pl.col(_NAMED).str.split(" ").fill_null([])
    known = pl.concat_list(surnames, _WORDS).list.unique(maintain_order=True).list.join(" ")
    mixed = frame.filter(pl.col(_WORDS).list.len() > 0).select(_ROW, known.alias(_WORDS))
    text = frame.select(_ROW, _NAMED).join(mixed, on=_ROW, how="left", maintain_order="left")
    text = text.select(pl.coalesce(_WORDS, _NAMED).alias("surnames_with_mail"))
    words = pl.col("surnames_with_mail").str.split(" ").fill_null([])
    return text.with_columns(words.alias("surname_words_with_mail"))
