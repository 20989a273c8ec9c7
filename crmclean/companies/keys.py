"""The matching columns of a company, derived from its normalized fields (never loaded).

- ``company_key``: the name folded to ASCII words, each abbreviation written one way
  (``Cia``/``Companhia``), connectors and articles left out (``&``, ``and``, ``e``, ``de``), the
  legal form at the end stripped, before and after (``Padaria da Esquina Ltda ME`` ->
  ``padaria esquina``, ``Silva e Companhia`` -> ``silva``); the legal name's when there is no
  name;
- ``street_key``: the street without its numbers, street types written one way
  (``blvd``/``boulevard``, ``av``/``avenida``);
- ``street_number``: as typed, else the first number of the street.

Each is worked out once per distinct value, step by step over the distinct values.
"""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.company_keys import company_key
from crmclean.normalize.companies.vocabulary import CompanySpec, suffix_pattern
from crmclean.normalize.values.text import fold
from crmclean.rules import Rules

NAME_KEY, STREET_KEY, NUMBER = "company_key", "street_key", "street_number"
_NUMBER = r"\b(\d+[a-z]?)\b"
_V = "_value"


def _words(folded: pl.Expr, replace: dict[str, str], dropped: list[str]) -> pl.Expr:
    """Folded words each replaced by its one form, ``dropped`` words left out; null if none."""
    words = folded.str.split(" ").list.eval(
        pl.element().replace(replace).filter(~pl.element().is_in(dropped))
    )
    joined = words.list.join(" ")
    return pl.when(joined != "").then(joined)


def _per_distinct(values: pl.Series, steps: list[pl.Expr]) -> pl.Series:
    """``values`` through ``steps`` (each an expression over ``_value``), once per distinct
    value."""
    distinct = values.drop_nulls().unique().to_frame(_V)
    done = distinct.lazy()
    for step in steps:
        done = done.with_columns(step.alias(_V))
    result = done.collect()[_V]
    return values.replace_strict(distinct[_V], result, default=None, return_dtype=pl.String)


def name_keys(names: pl.Series, spec: CompanySpec, suffixes: str) -> pl.Series:
    """:data:`NAME_KEY` of each name (see the module)."""
    value = pl.col(_V)
    return _per_distinct(
        names,
        [
            pl.struct(folded=fold(value, " ").replace("", None)),
            pl.struct(
                pl.col(_V).struct.field("folded"),
                key=company_key(pl.col(_V).struct.field("folded"), suffixes),
            ),
            pl.struct(
                pl.col(_V).struct.field("folded"),
                key=_words(pl.col(_V).struct.field("key"), spec.abbreviations, spec.name_stopwords),
            ),
            pl.coalesce(
                company_key(pl.col(_V).struct.field("key"), suffixes),
                pl.col(_V).struct.field("folded"),
            ),
        ],
    )


def street_keys(streets: pl.Series, spec: CompanySpec) -> pl.Series:
    """:data:`STREET_KEY` of each street (see the module)."""
    unnumbered = fold(pl.col(_V), " ").str.replace_all(_NUMBER, " ").str.replace_all(" +", " ")
    return _per_distinct(
        streets, [unnumbered.str.strip_chars(), _words(pl.col(_V), spec.street_words, [])]
    )


def street_number(street: pl.Expr, number: pl.Expr) -> pl.Expr:
    """The typed number, else the first number in the street (``435 S La Cienega`` -> 435)."""
    typed = fold(number, "").replace("", None)
    return pl.coalesce(typed, fold(street, " ").str.extract(_NUMBER))


def with_keys(frame: pl.DataFrame, rules: Rules, spec: CompanySpec) -> pl.DataFrame:
    """``frame`` plus the matching columns of the module."""
    suffixes = suffix_pattern(rules)
    named = name_keys(frame["name"], spec, suffixes)
    legal = name_keys(frame["legal_name"], spec, suffixes)
    return frame.with_columns(
        pl.coalesce(named, legal).alias(NAME_KEY),
        street_keys(frame["street"], spec).alias(STREET_KEY),
        street_number(pl.col("street"), pl.col(NUMBER)).alias(NUMBER),
    )
