"""A record without a country gets one from what it says elsewhere, before the project's
default region is assumed: its state (a UF, a US state, ... when only one country has it:
``PA`` is both Pará and Pennsylvania), the calling code of a phone typed with ``+`` (``+1``,
``+55``, ``+351``), or a postal code of an unmistakable shape (CEP ``01310-100``, ZIP+4
``10001-1234``, a UK postcode). The hints present must agree; finding CO03 says which were used.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.findings import Step, by_rule
from crmclean.normalize.phones.metadata import LEADING_CODES, MAIN_REGION, metadata
from crmclean.normalize.places.states import load, vocabulary
from crmclean.normalize.values.text import fold
from crmclean.rules import Rules

COUNTRY, STATE, POSTAL = "country", "state", "postal_code"
PHONES = ("phone", "mobile")
POSTAL_SHAPES = {
    "BR": r"(?i)^(?:cep\s*:?\s*)?[0-9]{5}-[0-9]{3}$",
    "US": r"^[0-9]{5}-[0-9]{4}$",
    "GB": r"(?i)^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
}
_HINTS = ("__by_state", "__by_phone", "__by_postal")
_PHONE_TEXT = "__phone_text"


def state_countries(rules: Rules) -> dict[str, str]:
    """Folded state spelling -> the one country that has it (shared spellings left out)."""
    found: dict[str, set[str]] = defaultdict(set)
    for key in vocabulary(load(rules)):
        country, _, spelling = key.partition(":")
        found[spelling].add(country)
    return {spelling: next(iter(c)) for spelling, c in found.items() if len(c) == 1}


def _leading_countries() -> dict[str, str | None]:
    """Every three leading digits -> the main region of the calling code they start with."""
    regions = {code: MAIN_REGION[code] for code in MAIN_REGION if metadata(MAIN_REGION[code])}
    return {head: regions.get(code) if code else None for head, code in LEADING_CODES.items()}


_LEADING_COUNTRIES = _leading_countries()


def hinted_countries(by_state: dict[str, str]) -> pl.Enum:
    """Every country a hint can point to (``by_state``: :func:`state_countries`), as an enum:
    the hints are coalesced and compared as integers, not as texts."""
    called = (country for country in _LEADING_COUNTRIES.values() if country)
    return pl.Enum(sorted({*by_state.values(), *called, *POSTAL_SHAPES}))


def calling_country(phone: pl.Expr, countries: pl.Enum) -> pl.Expr:
    """The country of a number typed with ``+``: its calling code's main region."""
    typed = phone.str.strip_chars_start()
    digits = typed.str.slice(1, 8).str.replace_all(r"[^0-9]", "").str.slice(0, 3)
    country = digits.replace_strict(_LEADING_COUNTRIES, default=None, return_dtype=countries)
    return pl.when(typed.str.starts_with("+")).then(country)


def _calling_countries(phones: pl.Series, countries: pl.Enum) -> pl.Series:
    """:func:`calling_country` of each number, found once (the hint and the text shown both
    read it) and only for the numbers typed with ``+``."""
    typed = phones.to_frame("p").select(pl.col("p").str.strip_chars_start().str.starts_with("+"))
    plus = typed.to_series().fill_null(False).arg_true()
    called = calling_country(pl.col("p"), countries)
    found = phones.gather(plus).to_frame("p").select(called).to_series()
    return pl.repeat(None, len(phones), dtype=countries, eager=True).scatter(plus, found)


def postal_country(postal: pl.Expr, countries: pl.Enum) -> pl.Expr:
    """The country whose postal codes alone have this shape."""
    chain: Then | ChainedThen = pl.when(pl.lit(False)).then(pl.lit(None, countries))
    for country, shape in POSTAL_SHAPES.items():
        chain = chain.when(postal.str.contains(shape)).then(pl.lit(country, countries))
    return chain.otherwise(pl.lit(None, countries))


def _hints(frame: pl.DataFrame, rules: Rules) -> list[pl.Expr | pl.Series]:
    """The country each kind of hint points to (null without one), as :func:`hinted_countries`."""
    columns = set(frame.columns)
    lookup = state_countries(rules)
    countries = hinted_countries(lookup)
    by_state: pl.Expr | pl.Series = pl.lit(None, countries)
    if STATE in columns:
        spelling = fold(pl.col(STATE)).replace_strict(lookup, default=None, return_dtype=countries)
        by_state = select_distinct(frame, [STATE], {STATE: spelling})[STATE]
    phones = [p for p in PHONES if p in columns]
    called = {p: _calling_countries(frame[p], countries) for p in phones}
    by_phone = pl.coalesce(*(pl.lit(called[p]) for p in phones), pl.lit(None, countries))
    text = (pl.when(pl.lit(called[p]).is_not_null()).then(pl.col(p)) for p in phones)
    nowhere = pl.lit(None, countries)
    by_postal = postal_country(pl.col(POSTAL), countries) if POSTAL in columns else nowhere
    hints = zip((by_state, by_phone, by_postal), _HINTS, strict=True)
    return [*(h.alias(name) for h, name in hints), pl.coalesce(*text, None).alias(_PHONE_TEXT)]


def infer_country(frame: pl.DataFrame, rules: Rules) -> Step:
    """``country`` filled from the hints where it is empty and the hints agree (CO03)."""
    if COUNTRY not in frame.columns:
        return Step(frame, by_rule(_no_rows(frame), COUNTRY, pl.lit(None, pl.String)))
    empty = frame.select(pl.col(COUNTRY).is_null().arg_true())[COUNTRY]
    if empty.is_empty():
        return Step(frame, by_rule(_no_rows(frame), COUNTRY, pl.lit(None, pl.String)))
    needed = [c for c in (SOURCE, SOURCE_ID, STATE, POSTAL, *PHONES) if c in frame.columns]
    every = len(empty) == frame.height  # no record has a country: no gather, no scatter
    subset = frame.select(needed) if every else frame.select(needed)[empty]
    subset = subset.with_columns(_hints(subset, rules))
    after = _agreed(subset).cast(pl.String)
    country = after if every else frame[COUNTRY].clone().scatter(empty, after)
    guessed = subset.filter(after.is_not_null()).select(  # the hints said only where used
        SOURCE,
        SOURCE_ID,
        after.drop_nulls(),
        pl.concat_str(
            _said("state", _HINTS[0], STATE),
            _said("phone", _HINTS[1], _PHONE_TEXT),
            _said("postal code", _HINTS[2], POSTAL),
            separator="; ",
            ignore_nulls=True,
        ).alias("before"),
    )
    rule = pl.lit("country.inferred")
    return Step(frame.with_columns(country.alias(COUNTRY)), by_rule(guessed, COUNTRY, rule))


def _agreed(hints: pl.DataFrame) -> pl.Series:
    """The country the hints of each row point to when those present agree (else null),
    found lazily: the first hint is read by every comparison and computed once."""
    found = [pl.col(name) for name in _HINTS]
    first = pl.coalesce(found)
    agree = pl.all_horizontal(hint.is_null() | (hint == first) for hint in found)
    return hints.lazy().select(pl.when(agree).then(first).alias("after")).collect().to_series()


def _said(label: str, hint: str, typed: str) -> pl.Expr:
    """``"state SP"`` when that hint was found (null otherwise)."""
    return pl.when(pl.col(hint).is_not_null()).then(pl.lit(label + " ") + pl.col(typed))


def _no_rows(frame: pl.DataFrame) -> pl.DataFrame:
    nothing = pl.lit(None, pl.String)
    return frame.head(0).select(SOURCE, SOURCE_ID, before=nothing, after=nothing)
