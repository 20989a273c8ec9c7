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

from crmclean.dedupe.name_keys import fold, name_words

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

INPUTS = ("email", "first_name", "last_name", "full_name")
KEYS = ("surnames_with_mail", "surname_words_with_mail")
_SHORTEST = 4


def _address_words(config: MatchConfig) -> pl.Expr:
    """The surname words of the record's own address (see the module), as a list."""
    given = fold(pl.coalesce("first_name", "full_name")).str.split(" ")
    first = given.list.first()
    local = pl.col("email").str.to_lowercase().str.split("@").list.first()
    local = local.str.replace(r"\+.*$", "")
    own = local.str.starts_with(first.str.slice(0, 1)) & ~local.is_in(config.role_email_local_parts)
    words = local.str.replace_all(r"[^a-z]+", " ").str.strip_chars().str.split(" ")
    single = words.list.first()
    rest = (
        pl.when(single.str.starts_with(first) & (single.str.len_chars() > first.str.len_chars()))
        .then(single.str.slice(first.str.len_chars()))
        .otherwise(single.str.slice(1))
    )
    several = words.list.set_difference(given)
    found = pl.when(words.list.len() == 1).then(pl.concat_list(rest)).otherwise(several)
    kept = pl.element().str.len_chars() >= _SHORTEST
    kept = kept & ~pl.element().is_in(list(config.name_suffixes))
    return pl.when(own).then(found.list.eval(pl.element().filter(kept)))


def mail_name_keys(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """:data:`KEYS` for each row of ``rows`` (the :data:`INPUTS` columns)."""
    whole = name_words(fold(pl.col("full_name")), config).str.extract(r"^\S+ (.+)$")
    named = name_words(fold(pl.col("last_name")), config)
    surnames = pl.coalesce(named, pl.when(pl.col("first_name").is_null()).then(whole))
    surnames = surnames.str.split(" ")
    known = pl.concat_list(surnames.fill_null([]), _address_words(config).fill_null([]))
    words = known.list.drop_nulls().list.unique(maintain_order=True)
    text = words.list.join(" ")
    return rows.select(
        surnames_with_mail=pl.when(text != "").then(text),
        surname_words_with_mail=words,
    )
