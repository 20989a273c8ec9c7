"""Countries to ISO 3166-1 alpha-2: codes and English names from pycountry, the rest from
``countries.yaml``."""

from __future__ import annotations

from functools import cache
from typing import Annotated

import polars as pl
import pycountry
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.findings import BEFORE, Step, by_rule, changed, pairs
from crmclean.normalize.spec import load_spec
from crmclean.normalize.values.text import fold, fold_words
from crmclean.rules import Rules

SPEC = "normalize/countries.yaml"
Alpha2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class CountrySpec(BaseModel):
    """``countries``: ISO alpha-2 code -> names and unofficial codes for it."""

    model_config = ConfigDict(extra="forbid")

    countries: dict[Alpha2, list[str]] = Field(default_factory=dict)


def vocabulary(rules: Rules) -> dict[str, str]:
    """Folded spelling -> alpha-2 code: ISO codes and English names, then the YAML names."""
    spec = load_spec(rules, SPEC, CountrySpec)
    entries = [(name, code) for code, names in spec.countries.items() for name in names]
    keys = fold_words([name for name, _ in entries])
    return {**dict(_iso_codes()), **dict(zip(keys, [code for _, code in entries], strict=True))}


@cache
def _iso_codes() -> tuple[tuple[str, str], ...]:
    """Alpha-2 and alpha-3 codes and the English names pycountry knows."""
    entries = []
    for country in pycountry.countries:
        spellings = (country.alpha_2, country.alpha_3, country.name)
        spellings += tuple(getattr(country, key, "") for key in ("common_name", "official_name"))
        entries += [(spelling, country.alpha_2) for spelling in spellings if spelling]
    keys = fold_words([key for key, _ in entries])
    return tuple(zip(keys, [code for _, code in entries], strict=True))


def to_code(country: pl.Expr, lookup: dict[str, str]) -> pl.Expr:
    """The alpha-2 code of a (clean) country value, null when not recognized."""
    return fold(country).replace_strict(lookup, default=None, return_dtype=pl.String)


def normalize_country(frame: pl.DataFrame, rules: Rules, field: str = "country") -> Step:
    """Recognized countries become alpha-2 codes; the others stay as typed, with a finding."""
    to_codes = {field: to_code(pl.col(field), vocabulary(rules))}
    code = select_distinct(frame, [field], to_codes).to_series()
    both = pairs(frame, pl.col(field), pl.coalesce(code, pl.col(field)))
    rule = (
        pl.when(BEFORE.is_not_null() & pl.lit(code).is_null())
        .then(pl.lit("country.unknown"))
        .when(changed())
        .then(pl.lit("country.coded"))
    )
    return Step(frame.with_columns(both["after"].alias(field)), by_rule(both, field, rule))
