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

from crmclean.dedupe.coded_keys import KeyTable, encode_units, factorize, ranks
from crmclean.dedupe.name_keys import fold, name_words

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

INPUTS = ("email", "first_name", "last_name", "full_name")
KEYS = ("surnames_with_mail", "surname_words_with_mail")
_SHORTEST = 4
_ROW = "_mail_row"
_WORDS = "_mail_words"
_NAMED = "_mail_named"
Coded = tuple[pl.Series, pl.Series]


def _distinct(rows: pl.DataFrame, columns: list[pl.Expr], result: pl.Expr) -> Coded:
    """``result`` computed once per distinct combination of ``columns`` (each named): each
    row's number of its combination, and the results (lazily: a subexpression ``result`` reads
    twice runs once)."""
    distinct, index = factorize(rows.select(columns))
    return index, distinct.lazy().select(result).collect().to_series()


def _unique_words(words: pl.Expr) -> pl.Expr:
    return words.str.split(" ").list.unique(maintain_order=True).list.join(" ")


def _surnames(rows: pl.DataFrame, config: MatchConfig) -> Coded:
    """The distinct surname words of the name fields (space-separated; null for none): of the
    last name, else of the whole name after its first word where there is no first name; once
    per distinct last name and such whole name (each row's number of its value, and the
    values)."""
    last, named = _distinct(
        rows, [pl.col("last_name")], _unique_words(name_words(fold(pl.col("last_name")), config))
    )
    whole = name_words(fold(pl.col("full_name")), config).str.extract(r"^\S+ (.+)$")
    alone = pl.when(pl.col("first_name").is_null()).then(pl.col("full_name")).alias("full_name")
    unnamed, alone_words = _distinct(rows, [alone], _unique_words(whole))
    unit = pl.select(
        pl.when(named.is_not_null().gather(last)).then(last).otherwise(unnamed + named.len())
    ).to_series()
    return unit, named.clone().append(alone_words)


def _address_words(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """The surname words of the record's own address (see the module), as a list, of the rows
    (``_mail_row``) whose address is the person's own. The first name is folded once per
    distinct name and only the own addresses are split."""
    name = pl.coalesce("first_name", "full_name").alias("given")
    given = _distinct(rows, [name], fold(pl.col("given")))
    local = pl.col("email").str.to_lowercase().str.split("@").list.first()
    local = local.str.replace(r"\+.*$", "")
    mailed = rows.select(pl.col("email").is_not_null()).to_series().arg_true()
    frame = rows[mailed].select(
        local.alias("local"),
        given[1].gather(given[0].gather(mailed)).str.split(" ").alias("given"),
    )
    first = pl.col("given").list.first()
    own = pl.col("local").str.starts_with(first.str.slice(0, 1))
    own = own & ~pl.col("local").is_in(config.role_email_local_parts)
    words = pl.col("local").str.replace_all(r"[^a-z]+", " ").str.strip_chars().str.split(" ")
    single = pl.col(_WORDS).list.first()
    rest = (
        pl.when(single.str.starts_with(first) & (single.str.len_chars() > first.str.len_chars()))
        .then(single.str.slice(first.str.len_chars()))
        .otherwise(single.str.slice(1))
    )
    several = pl.col(_WORDS).list.set_difference(pl.col("given"))
    kept = pl.element().str.len_chars() >= _SHORTEST
    kept = kept & ~pl.element().is_in(list(config.name_suffixes))
    mine = frame.with_columns(mailed.alias(_ROW)).filter(own.fill_null(False))
    mine = mine.with_columns(words.alias(_WORDS))
    one = (pl.col(_WORDS).list.len() == 1).fill_null(False)
    found = pl.concat(  # each branch on its rows only (a when/then computes both on all)
        [
            mine.filter(one).select(_ROW, pl.concat_list(rest).alias(_WORDS)),
            mine.filter(~one).select(_ROW, several.alias(_WORDS)),
        ]
    ).sort(_ROW)
    return found.select(_ROW, pl.col(_WORDS).list.eval(pl.element().filter(kept)))


def coded_mail_name_keys(rows: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """:data:`KEYS` ``names`` for each row of ``rows`` (the :data:`INPUTS` columns), coded:
    the surnames once per distinct last name (or whole name), the address's words joined to
    them on the rows that have some."""
    unit, named = _surnames(rows, config)
    found = _address_words(rows, config).filter(pl.col(_WORDS).list.len() > 0)
    own = found[_ROW]
    surnames = named.gather(unit.gather(own)).str.split(" ").fill_null([]).alias(_NAMED)
    known = pl.concat_list(_NAMED, _WORDS).list.unique(maintain_order=True).list.join(" ")
    values = named.clone().append(found.with_columns(surnames).select(known).to_series())
    if own.len():
        unit = unit.scatter(own, pl.int_range(named.len(), values.len(), eager=True))
    seen, rank = ranks(unit)
    text = encode_units(rank, values.gather(seen).alias("surnames_with_mail"))
    words = text[1].str.split(" ").alias("surname_words_with_mail")
    coded: dict[str, Coded] = {
        "surnames_with_mail": text,
        "surname_words_with_mail": encode_units(text[0], words),
    }
    return KeyTable(
        pl.DataFrame([coded[key][0].alias(key) for key in names]),
        {key: coded[key][1] for key in names},
    )


def mail_name_keys(rows: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """:data:`KEYS` for each row of ``rows`` (the :data:`INPUTS` columns)."""
    return coded_mail_name_keys(rows, list(KEYS), config).decoded()
