"""Matching keys: folded, comparable forms of the fields.

Each key is registered by name in :data:`KEYS` with the group that builds it: the name keys
together (:mod:`crmclean.dedupe.name_keys`), each text key alone, the e-mail and phone lists
together. Groups of text keys are built once per *distinct* combination of the columns they
read and gathered back to the records, so folding and regexes cost per distinct value.
``rules/match.yaml`` names the keys its blocking rules and comparisons use. List keys
(:data:`LIST_KEYS`) hold every value of a record.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import polars as pl

from crmclean.dedupe import company_match_keys as companies
from crmclean.dedupe.coded_keys import (
    KeyTable,
    encode,
    encode_firsts,
    encode_flat,
    encode_numbered_flat,
    encode_text,
    encode_units,
    factorize,
)
from crmclean.dedupe.coded_names import coded_name_keys
from crmclean.dedupe.mail_names import INPUTS as MAIL_NAME_INPUTS
from crmclean.dedupe.mail_names import KEYS as MAIL_NAME_KEYS
from crmclean.dedupe.mail_names import coded_mail_name_keys, mail_name_keys
from crmclean.dedupe.name_keys import NAME_INPUTS, NAME_KEYS, fold, name_keys
from crmclean.dedupe.phone_kinds import LANDLINE, is_landline

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

__all__ = [
    "KEYS",
    "LIST_KEYS",
    "RECORD",
    "fold",
    "group_table",
    "grouped_key_table",
    "is_key",
    "joined_tables",
    "key_groups",
    "key_table",
    "matching_keys",
    "with_optional",
]

RECORD = "_record"
_DISTINCT = "_distinct"
_ROW, _VALUE, _NUMBER = "_key_row", "_key_value", "_key_number"
_NO_TEXT: pl.Expr = pl.lit([], dtype=pl.List(pl.String))

Build = Callable[[pl.DataFrame, "MatchConfig"], pl.DataFrame | pl.LazyFrame]
Coded = Callable[[pl.DataFrame, list[str], "MatchConfig"], KeyTable]


@dataclass(frozen=True)
class KeyGroup:
    """Keys built together from the same columns; ``per_distinct`` groups are built once per
    distinct combination of their ``inputs``. A build returning a query (a ``LazyFrame``)
    computes only the keys selected of it. A group with a ``coded`` build has it code the
    keys selected (as :func:`encode` of ``build`` would)."""

    inputs: tuple[str, ...]
    build: Build
    per_distinct: bool = True
    coded: Coded | None = None


def _text_key(inputs: tuple[str, ...], name: str, expr: Callable[[], pl.Expr]) -> KeyGroup:
    return _text_keys(inputs, {name: expr})


def _text_keys(inputs: tuple[str, ...], made: dict[str, Callable[[], pl.Expr]]) -> KeyGroup:
    """Text keys of the same columns built together: the distinct rows of ``inputs`` found
    once for all of them (``postal_code`` and ``postal_area``, ``birth_date`` and
    ``birth_year``: each used to hash every value of the column on its own)."""
    return KeyGroup(
        inputs,
        lambda rows, config: rows.lazy().select(expr().alias(name) for name, expr in made.items()),
    )


def _shared_values(flat: pl.DataFrame, rows: pl.DataFrame, config: MatchConfig) -> pl.Series:
    """The numbers (``_key_number``, :func:`_numbered`) of the values of ``flat``
    (:func:`_every_value`'s) that records of different people hold: no first
    letter of a name word is shared by more than half the named records holding the value
    (nicknames replaced; a swapped name, or one record with the first name and another with the
    last, still share theirs), or no holder's given name is more than half the holders'
    (:func:`_other_given`: a parent and a child, two siblings on a family's landline share the
    surname only). A team's mailbox or a switchboard, learned from the data. Only a value two
    records hold or more can be shared: the names of other holders are not read, and each
    distinct name is read once. Values are told apart by their numbers: integers grouped and
    joined, not text."""
    held = flat.select(pl.col(_ROW).alias(_DISTINCT), pl.col(_NUMBER).alias("_value"))
    several = _named_apart(held.filter(pl.len().over("_value") > 1), rows)
    names, index = factorize(rows[several[_DISTINCT]].select(_HOLDER_NAMES))
    holders = several.hstack(_holder_initials(names, config)[index]).drop_nulls("_initial")
    counts = holders.group_by("_value").agg(pl.len().alias("_holders"))
    letters = holders.explode("_initial").unique([_DISTINCT, "_value", "_initial"])
    shared = letters.group_by("_value", "_initial").agg(pl.len().alias("_sharing"))
    best = shared.group_by("_value").agg(pl.col("_sharing").max())
    verdict = counts.join(best, on="_value", how="left")
    team = pl.col("_sharing").fill_null(0) * 2 <= pl.col("_holders")
    family = verdict.filter(~team & (pl.col("_holders") <= _HOUSEHOLD))["_value"]
    return pl.concat([verdict.filter(team)["_value"], _other_given(holders, family, rows)])


def _named_apart(several: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The holders (``_distinct``, ``_value``) of ``several`` whose value's holders are not
    all of one name (the same whole, first and last name): holders of one name share every
    initial and their first word, so their value is no shared one and their initials are not
    read (neutral 1M: 36k of the 52k numbers two records hold or more)."""
    _, name = factorize(rows[several[_DISTINCT]].select(_HOLDER_NAMES))
    number = pl.col("_name")
    apart = number.min().over("_value") < number.max().over("_value")
    return several.with_columns(name.alias("_name")).filter(apart).drop("_name")


def _holder_initials(names: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """Per distinct name (``_HOLDER_NAMES``): the initials of the whole name, of the first name
    and of the surname (:func:`_initials`), the first name's words and its first word. Each
    name folded and split once, its initials read from those words (folded per initial, 92k
    distinct names of the neutral file took 0.37 s CPU, least of 3; 0.23 folded once)."""
    words = names.select(
        *(fold(pl.col(c)).str.split(" ") for c in _HOLDER_NAMES),
        pl.col("full_name").is_not_null().alias("_whole"),
    )
    whole = pl.when("_whole").then("full_name").otherwise("first_name")
    return words.select(
        _initials(whole, config).alias("_initial"),
        _initials(pl.col("first_name"), config).alias("_given"),
        _initials(pl.col("last_name"), config).alias("_surname"),
        pl.col("first_name").alias("_words"),
    ).with_columns(pl.col("_words").list.first().alias("_first"))


_HOLDER_NAMES = ("full_name", "first_name", "last_name")  # read once per distinct name
# The most holders a family's landline is read for given names (4 to 64 give the same probe
# and outside CRM 5k figures, bench/match_errors.py seeds 2024).
_HOUSEHOLD = 16


def _initials(words: pl.Expr, config: MatchConfig) -> pl.Expr:
    """The first letters of ``words`` (a folded name split), as written and nicknames replaced."""
    written = words.list.eval(pl.element().str.slice(0, 1))
    replaced = words.list.eval(pl.element().replace(config.nicknames).str.slice(0, 1))
    return written.list.concat(replaced).list.unique()


def _other_given(holders: pl.DataFrame, values: pl.Series, rows: pl.DataFrame) -> pl.Series:
    """Of ``values``, those no holder's given name may be more than half its holders': two
    holders may be one person when (:func:`_alike`) their first names share an initial, or one
    first name's initial starts a word of the other's name that is not a surname initial both
    hold (a typo, a nickname, an initial, a swapped name, a first name split otherwise keep it;
    Horacio and Almudena Hoyos do not), or when a word of each first name are the two words of
    some record's first name (:func:`_given_pairs`: Maria / Aparecida of Maria Aparecida); a
    holder without a first name may be anyone."""
    kept = holders.filter(pl.col("_value").is_in(values.implode()))
    pairs = _alike_pairs(kept.join(kept, on="_value", suffix="_other"))
    other = f"{_DISTINCT}_other"
    unlike = pairs.filter(~pl.col("_alike")).select(
        "_value", _DISTINCT, other, "_words", "_words_other"
    )
    words = unlike.explode("_words").explode("_words_other")
    compound = _given_pairs(rows) if words.height else words.select("_words", "_words_other")
    words = (
        words.join(compound, on=["_words", "_words_other"], how="semi")
        .select("_value", _DISTINCT, other, _compound=pl.lit(True))
        .unique()
    )
    pairs = pairs.join(words, on=["_value", _DISTINCT, other], how="left")
    alike = pl.col("_alike") | pl.col("_compound").fill_null(False)
    same = pairs.group_by("_value", _DISTINCT).agg(alike.sum().alias("_alike"), pl.len())
    best = same.group_by("_value").agg(pl.col("_alike").max(), pl.col("len").first())
    return best.filter(pl.col("_alike") * 2 <= pl.col("len"))["_value"]


def _alike_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` with ``_alike`` (:func:`_alike`), in another order: two holders of one first
    word (or one without a first name) are alike, only the others' initials are compared."""
    first, other = pl.col("_first"), pl.col("_first_other")
    same = pairs.select(first.is_null() | other.is_null() | (first == other)).to_series()
    undecided = pairs.filter(~same).with_columns(_alike().alias("_alike"))
    return pl.concat([pairs.filter(same).with_columns(pl.lit(True).alias("_alike")), undecided])


def _alike() -> pl.Expr:
    """Two holders' initials (``_given``, ``_initial``, ``_surname`` and the ``_other``'s) may
    be one person's given name; see :func:`_other_given`."""
    given, given_other = (pl.col(c).fill_null(_NO_TEXT) for c in ("_given", "_given_other"))
    surnames = (pl.col(c).fill_null(_NO_TEXT) for c in ("_surname", "_surname_other"))
    family = next(surnames).list.set_intersection(next(surnames))

    def within(letters: pl.Expr, name: pl.Expr) -> pl.Expr:
        return letters.list.set_intersection(name).list.len() > 0

    return (
        (given.list.len() == 0)
        | (given_other.list.len() == 0)
        | _first_letter_typo(pl.col("_first"), pl.col("_first_other")).fill_null(False)
        | within(given, given_other)
        | within(given, pl.col("_initial_other").list.set_difference(family))
        | within(given_other, pl.col("_initial").list.set_difference(family))
    )


def _first_letter_typo(first: pl.Expr, other: pl.Expr) -> pl.Expr:
    """Two first words that differ in their first letter only: another one (Ria / Lia), one
    left out or added (Ntoine, Wcarmen) or the first two swapped (Obris / Boris)."""
    rest, rest_other = first.str.slice(1), other.str.slice(1)
    swapped = first.str.slice(1, 1) + first.str.slice(0, 1) + first.str.slice(2)
    return ((rest == rest_other) | (rest == other) | (rest_other == first) | (swapped == other)) & (
        first.str.len_chars() > 2
    )


def _given_pairs(rows: pl.DataFrame) -> pl.DataFrame:
    """``_words, _words_other``: two words of one first name (either order) somewhere in
    ``rows``: a compound given name one record keeps in part, another in the other part."""
    first = rows.select(pl.col("first_name").unique())
    names = first.select(fold(pl.col("first_name")).unique().str.split(" ").alias("_words"))
    several = names.filter(pl.col("_words").list.len() > 1).with_columns(
        pl.col("_words").alias("_words_other")
    )
    both = several.explode("_words").explode("_words_other")
    return both.filter(pl.col("_words") != pl.col("_words_other")).unique()


def _email_table(rows: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """``emails``: every e-mail of a record except role addresses (``contato@``, ``info@``, or
    flagged ``email_is_role`` by normalize) and team mailboxes (:func:`_shared_values`), the
    primary one in its matching form (``email_key``), ``+tags`` folded on every domain;
    ``work_emails``: those at a company domain (not a free-mail provider);
    ``personal_emails``: those at a free-mail provider; ``email``: the first of ``emails``;
    ``work_email``: the first of ``work_emails``; ``work_domain``: its domain. Coded from the
    addresses laid out flat (:func:`_every_value`), no list of text built per record."""
    role = pl.col("email_is_role").fill_null(False)
    primary = pl.when(~role).then(pl.coalesce("email_key", "email"))
    flat, values = _numbered(
        _every_value(
            rows,
            (primary,),
            ("email_alt",),
            lambda address: address.str.replace(r"\+[^@]*@", "@"),
            lambda address: (
                ~address.str.split("@").list.first().is_in(config.role_email_local_parts)
            ),
        )
    )
    flat = flat.filter(~pl.col(_NUMBER).is_in(_shared_values(flat, rows, config).implode()))
    free = pl.col(_VALUE).str.split("@").list.last().is_in(config.free_email_domains)
    flat = flat.with_columns(free.alias("_free"))
    work = flat.filter(~pl.col("_free"))
    domains = work[_VALUE].str.split("@").list.last()
    made = {
        "emails": lambda: _encode_numbered(flat, values, rows.height),
        "work_emails": lambda: _encode_numbered(work, values, rows.height),
        "personal_emails": lambda: _encode_numbered(flat.filter("_free"), values, rows.height),
        "email": lambda: encode_firsts(flat[_ROW], flat[_VALUE], rows.height),
        "work_email": lambda: encode_firsts(work[_ROW], work[_VALUE], rows.height),
        "work_domain": lambda: encode_firsts(work[_ROW], domains, rows.height),
    }
    return _table({key: made[key]() for key in names})


def _numbered(flat: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """``flat`` (:func:`_every_value`'s) with ``_key_number``, each value's number among its
    distinct values (returned, in order of first appearance): the text is hashed once, shared
    values are found and left out, and the lists coded, by those numbers (neutral 1M, least of
    5 and of 7: e-mail keys 0.82-0.86 -> 0.71-0.72 s CPU, phone keys 1.35-1.57 -> 1.13-1.17,
    with :func:`_holder_initials` folding once)."""
    numbers, values = encode_text(flat[_VALUE])
    return flat.with_columns(numbers.alias(_NUMBER)), values


def _encode_numbered(
    flat: pl.DataFrame, values: pl.Series, height: int
) -> tuple[pl.Series, pl.Series]:
    """:func:`encode_flat` of the values of ``flat`` (numbered by :func:`_numbered`)."""
    return encode_numbered_flat(flat[_ROW], flat[_NUMBER], values, height)


def _table(coded: dict[str, tuple[pl.Series, pl.Series]]) -> KeyTable:
    """A :class:`KeyTable` of each key's codes and values."""
    return KeyTable(
        pl.DataFrame([codes.alias(key) for key, (codes, _) in coded.items()]),
        {key: values.alias(key) for key, (_, values) in coded.items()},
    )


def _every_value(
    rows: pl.DataFrame,
    columns: tuple[pl.Expr, ...],
    lists: tuple[str, ...],
    value: Callable[[pl.Expr], pl.Expr] = lambda text: text,
    kept: Callable[[pl.Expr], pl.Expr] = lambda text: text.is_not_null(),
) -> pl.DataFrame:
    """Each row's values of ``columns`` then of the lists ``lists``, in that order, each as
    ``value`` makes it, those ``kept`` (never null) once, laid out flat: ``_key_row`` (the
    row's number, ascending) and ``_key_value``, a row per value (a stable sort puts them in
    order), no list built per row; the missing values left out first (most rows have no
    alternate)."""
    indexed = rows.with_row_index(_ROW)
    parts = [indexed.select(_ROW, column.alias(_VALUE)).drop_nulls(_VALUE) for column in columns]
    parts += [
        indexed.select(_ROW, pl.col(name).alias(_VALUE))
        .explode(_VALUE, keep_nulls=False)
        .drop_nulls(_VALUE)
        for name in lists
    ]
    made = pl.concat(parts).with_columns(value(pl.col(_VALUE)))
    flat = made.filter(kept(pl.col(_VALUE)) & pl.col(_VALUE).is_not_null())
    return _once(flat.sort(_ROW, maintain_order=True))


def _once(flat: pl.DataFrame) -> pl.DataFrame:
    """``flat`` (``_key_row`` ascending) with each row's values once, the first kept, in order:
    only the rows holding several values are searched for repeats (most hold one: making
    every row unique costs several times more)."""
    row = pl.col(_ROW)
    several = flat.select(((row == row.shift(1)) | (row == row.shift(-1))).fill_null(False))
    at = several.to_series().arg_true()
    repeated = flat[at].select(pl.struct(_ROW, _VALUE).is_first_distinct().not_()).to_series()
    if not repeated.any():
        return flat
    return flat.filter(pl.repeat(True, flat.height, eager=True).scatter(at.filter(repeated), False))


def _phone_table(rows: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """``phones``: every number of a record (phone, mobile, alternates, and the digits of those
    normalize could not read: ``phone_unread``) once, except shared lines (a switchboard, a
    family's landline: :func:`_shared_values`); ``phone_tails``: their last eight digits (the
    same number with or without its country code, read in another region, or a Brazilian
    mobile without its 9th digit); ``mobile``: the mobile number (not a landline there:
    :func:`_landline`), else a phone number its numbering plan says is a mobile (whatever
    column held it), unless it is a shared line. Coded from the numbers laid out flat
    (:func:`_every_value`), no list of text built per record."""
    scalars = (pl.col("phone"), pl.col("mobile"))
    flat, values = _numbered(_every_value(rows, scalars, ("phone_alt", "phone_unread")))
    shared = _shared_values(flat, rows, config)
    flat = flat.filter(~pl.col(_NUMBER).is_in(shared.implode()))
    made = {
        "phones": lambda: _encode_numbered(flat, values, rows.height),
        "phone_tails": lambda: _phone_tails(flat, rows.height),
        "mobile": lambda: encode_text(_mobile(rows, values.gather(shared))),
    }
    return _table({key: made[key]() for key in names})


def _phone_tails(flat: pl.DataFrame, height: int) -> tuple[pl.Series, pl.Series]:
    """``phone_tails`` coded: the last eight digits of each number of ``flat``, once a row."""
    tail = pl.col(_VALUE).str.replace_all(r"[^0-9]", "").str.slice(-8)
    once = _once(flat.select(_ROW, tail).filter(pl.col(_VALUE).str.len_chars() == 8))
    return encode_flat(once[_ROW], once[_VALUE], height)


def _mobile(rows: pl.DataFrame, shared: pl.Series) -> pl.Series:
    """``mobile`` of every row (see :func:`_phone_table`)."""
    landline = _landline(rows)
    mobile = pl.coalesce(
        pl.when(~pl.lit(landline)).then("mobile"),
        pl.when(pl.col("phone_type") == "mobile").then("phone"),
    )
    return rows.select(pl.when(~mobile.is_in(shared)).then(mobile).alias("mobile")).to_series()


def _landline(rows: pl.DataFrame) -> pl.Series:
    """Per record: its mobile is a fixed line, as the phone normalizer typed it
    (``mobile_type``); mobiles it did not type (a target's golden records, frames normalized
    before it did) are typed here (:func:`~crmclean.dedupe.phone_kinds.is_landline`)."""
    typed = rows.select(
        (pl.col("mobile_type") == LANDLINE).fill_null(False).alias("_fixed"),
        (pl.col("mobile").is_not_null() & pl.col("mobile_type").is_null()).alias("_untyped"),
    )
    untyped = typed["_untyped"].arg_true()
    if untyped.is_empty():
        return typed["_fixed"]
    return typed["_fixed"].scatter(untyped, is_landline(rows["mobile"].gather(untyped)))


def postal_area() -> pl.Expr:
    """The district of a postal code: a UK-style outward code (``TQ13`` of ``TQ13 8DF``), else
    the code without its last three characters (a CEP's first five digits, a ZIP's first two)."""
    compact = fold(pl.col("postal_code"), keep="a-z0-9").str.replace_all(" ", "")
    outward = compact.str.extract(r"^([a-z]{1,2}[0-9][0-9a-z]?)[0-9][a-z]{2}$")
    shorter = pl.when(compact.str.len_chars() > 4).then(compact.str.head(-3))
    return pl.coalesce(outward, shorter)


def _company_key(rows: pl.DataFrame, config: MatchConfig) -> pl.LazyFrame:
    """``company``: the company name folded to letters and digits; without one, the name its
    e-mail's domain gives (``jnascimento@nortealfa100.es`` -> ``nortealfa``: the first label
    without digits; none at a free-mail provider). A team mailbox's domain names the employer
    too (``equipe@sul145.com``). ``company_start``: see :func:`_company_start`."""
    domain = pl.col("email").str.to_lowercase().str.split("@").list.get(1, null_on_oob=True)
    label = domain.str.split(".").list.first().str.replace_all(r"[^a-z]", "")
    work = ~domain.is_in(config.free_email_domains)
    named = fold(pl.coalesce("company_key", "company"), keep="a-z0-9")
    company = pl.coalesce(named, pl.when(work & (label.str.len_chars() >= 3)).then(label))
    return rows.lazy().select(company=company).with_columns(company_start=_company_start())


def _company_start() -> pl.Expr:
    """The first four letters of ``company`` run together, doubled letters written once."""
    return companies.single_letters(pl.col("company").str.replace_all(" ", "")).str.slice(0, 4)


def _company_keys(rows: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """:func:`_company_key` coded: ``company`` once per distinct input row, ``company_start``
    once per distinct company."""
    distinct, index = factorize(rows)
    company = encode(_company_key(distinct, config).select("company").collect())
    codes = company.codes["company"].gather(index)
    values = company.values["company"]
    keys = {"company": (codes, values)}
    if "company_start" in names:
        start = values.to_frame().select(_company_start().alias("company_start")).to_series()
        keys["company_start"] = encode_units(codes, start)
    return KeyTable(
        pl.DataFrame([keys[key][0].alias(key) for key in names]),
        {key: keys[key][1] for key in names},
    )


_EMAIL_KEYS = ("emails", "work_emails", "personal_emails", "email", "work_email", "work_domain")
_PHONE_KEYS = ("phones", "phone_tails", "mobile")
_NAMES = KeyGroup(NAME_INPUTS, name_keys, coded=coded_name_keys)
_COMPANY = KeyGroup(("company_key", "company", "email"), _company_key, coded=_company_keys)
_EMAILS = KeyGroup(
    ("email", "email_key", "email_is_role", "email_alt", "first_name", "last_name", "full_name"),
    lambda rows, config: _email_table(rows, list(_EMAIL_KEYS), config).decoded(),
    False,
    _email_table,
)
_PHONES = KeyGroup(
    (
        "phone",
        "mobile",
        "phone_alt",
        "phone_unread",
        "phone_type",
        "mobile_type",
        "first_name",
        "last_name",
        "full_name",
    ),
    lambda rows, config: _phone_table(rows, list(_PHONE_KEYS), config).decoded(),
    False,
    _phone_table,
)
_COMPANY_GROUPS = {spec: KeyGroup(*spec) for spec in companies.KEYS.values()}
_POSTAL = _text_keys(
    ("postal_code",),
    {
        "postal_code": lambda: fold(pl.col("postal_code"), keep="a-z0-9").str.replace_all(" ", ""),
        "postal_area": postal_area,
    },
)
_BIRTH = _text_keys(
    ("birth_date",),
    {
        "birth_date": lambda: pl.col("birth_date").str.replace_all(r"[^0-9]", "").replace("", None),
        "birth_year": lambda: pl.col("birth_date").str.extract(r"^\s*([0-9]{4})\b"),
    },
)

KEYS: dict[str, KeyGroup] = {
    **dict.fromkeys(NAME_KEYS, _NAMES),
    # the e-mail makes nearly every input row distinct; the builder works per distinct name
    **dict.fromkeys(
        MAIL_NAME_KEYS, KeyGroup(MAIL_NAME_INPUTS, mail_name_keys, False, coded_mail_name_keys)
    ),
    **dict.fromkeys(_EMAIL_KEYS, _EMAILS),
    **dict.fromkeys(_PHONE_KEYS, _PHONES),
    **dict.fromkeys(("company", "company_start"), _COMPANY),
    **dict.fromkeys(("postal_code", "postal_area"), _POSTAL),
    "postal_unread": _text_key(
        ("postal_unread",), "postal_unread", lambda: pl.col("postal_unread")
    ),
    "city": _text_key(("city",), "city", lambda: fold(pl.col("city"))),
    "street": _text_key(("street",), "street", lambda: fold(pl.col("street"), keep="a-z0-9")),
    "tax_id": _text_key(
        ("tax_id",),
        "tax_id",
        lambda: pl.col("tax_id").str.replace_all(r"[^0-9A-Za-z]", "").str.to_lowercase(),
    ),
    **dict.fromkeys(("birth_date", "birth_year"), _BIRTH),
    "birth_place": _text_key(("birth_place",), "birth_place", lambda: fold(pl.col("birth_place"))),
    "job_title": _text_key(("job_title",), "job_title", lambda: fold(pl.col("job_title"))),
    "gender": _text_key(("gender",), "gender", lambda: fold(pl.col("gender"))),
    **{name: _COMPANY_GROUPS[spec] for name, spec in companies.KEYS.items()},
}
EXTRA = "extra."


@cache
def key_group(name: str) -> KeyGroup:
    """The group that builds key ``name``: a registered key, or ``extra.<column>``: a source
    column no field maps (kept in ``extra``), trimmed and lowercased (a member id, a customer
    number)."""
    if not name.startswith(EXTRA):
        return KEYS[name]
    column = name.removeprefix(EXTRA).replace("'", "\\'")
    value = pl.col("extra").str.json_path_match(f"$['{column}']").str.strip_chars()
    text = value.str.to_lowercase()
    return _text_key(("extra",), name, lambda: pl.when(text != "").then(text))


def is_key(name: str) -> bool:
    """A registered key or an ``extra.<column>`` key."""
    return name in KEYS or (name.startswith(EXTRA) and len(name) > len(EXTRA))


LIST_KEYS = frozenset(
    {
        "emails",
        "work_emails",
        "personal_emails",
        "work_locals",
        "phones",
        "phone_tails",
        "name_pairs",
        "surname_words",
        "surname_words_with_mail",
    }
    | companies.LIST_KEYS
)


# Columns normalize derives for matching; a frame without them (older frames, unit tests) reads
# them as all null.
OPTIONAL: dict[str, pl.DataType] = {
    "email_key": pl.String(),
    "email_is_role": pl.Boolean(),
    "company_key": pl.String(),
    "name_suffix": pl.String(),
    "birth_date": pl.String(),  # older frames and unit tests may lack it
    "birth_place": pl.String(),
    "job_title": pl.String(),
    "gender": pl.String(),
    "extra": pl.String(),
    "first_name": pl.String(),  # person names, absent on companies (phone keys read them)
    "full_name": pl.String(),
    "last_name": pl.String(),
    "phone_type": pl.String(),
    "mobile_type": pl.String(),  # absent from frames normalized before it was added
    "phone_unread": pl.List(pl.String()),  # likewise
    "postal_unread": pl.String(),  # likewise
    **dict.fromkeys(companies.OPTIONAL, pl.String()),  # company columns, absent on contacts
}


def _coded(rows: pl.DataFrame, group: KeyGroup, names: list[str], config: MatchConfig) -> KeyTable:
    """The group's keys ``names`` for every row of ``rows``, coded; built on the distinct
    input rows (and their codes gathered back) when the group is ``per_distinct``."""
    if group.coded is not None:
        return group.coded(rows, names, config)
    if not group.per_distinct:
        return encode(group.build(rows, config).lazy().select(names).collect())
    distinct, index = factorize(rows)
    table = encode(group.build(distinct, config).lazy().select(names).collect())
    return KeyTable(table.codes.select(pl.all().gather(index)), table.values)


def key_table(frame: pl.DataFrame, names: list[str], config: MatchConfig) -> KeyTable:
    """The named keys of every record, coded (``frame`` holds record ``i`` at row ``i``). The
    groups are built side by side, one thread per core (polars runs outside the GIL): most of
    their string work is single-threaded."""
    source = with_optional(frame)
    return grouped_key_table(
        lambda inputs: source.select(inputs), names, config, threads=os.cpu_count() or 1
    )


def with_optional(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the :data:`OPTIONAL` columns it lacks, all null."""
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in OPTIONAL.items() if c not in frame]
    return frame.with_columns(missing) if missing else frame


def grouped_key_table(
    read: Callable[[tuple[str, ...]], pl.DataFrame],
    names: list[str],
    config: MatchConfig,
    threads: int = 1,
) -> KeyTable:
    """:func:`key_table` with each group's input columns (every record, in order) got from
    ``read`` when the group is built: out of core (one thread), only one group's columns are
    held at a time."""

    def coded(group: KeyGroup) -> KeyTable:
        return group_table(group, read(group.inputs), names, config)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        tables = list(pool.map(coded, key_groups(names)))
    return joined_tables(tables, names)


def key_groups(names: list[str]) -> list[KeyGroup]:
    """The groups that build keys ``names``, each once, in the order of their first key."""
    return list(dict.fromkeys(key_group(name) for name in names))


def group_table(
    group: KeyGroup, rows: pl.DataFrame, names: list[str], config: MatchConfig
) -> KeyTable:
    """The keys of ``names`` that ``group`` builds, of every row of ``rows`` (its inputs)."""
    return _coded(rows, group, [name for name in names if key_group(name) is group], config)


def joined_tables(tables: list[KeyTable], names: list[str]) -> KeyTable:
    """The key tables of groups (of the same records) as one, its keys in the order of ``names``."""
    codes = pl.concat([table.codes for table in tables], how="horizontal")
    values = {key: column for table in tables for key, column in table.values.items()}
    return KeyTable(codes.select(names), values)


def matching_keys(frame: pl.DataFrame, names: list[str], config: MatchConfig) -> pl.DataFrame:
    """The record index and the named keys of every record as text (``frame`` carries
    ``_record``, record ``i`` at row ``i``)."""
    keys = key_table(frame, names, config).decoded()
    return frame.select(RECORD).hstack(keys)
