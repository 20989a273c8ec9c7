"""States to codes (``São Paulo`` -> ``SP``, ``California`` -> ``CA``) for the countries that
write them so; names from pycountry, variants from ``addresses.yaml``."""

from __future__ import annotations

from functools import cache

import polars as pl
import pycountry
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.findings import BEFORE, Step, by_rule, changed, pairs
from crmclean.normalize.spec import load_spec
from crmclean.normalize.values.text import fold, fold_words
from crmclean.rules import Rules

SPEC = "normalize/addresses.yaml"


class AddressSpec(BaseModel):
    """The contents of ``rules/normalize/addresses.yaml``."""

    model_config = ConfigDict(extra="forbid")

    state_codes: list[str] = Field(default_factory=list)
    states: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    postal_zero_states: dict[str, list[str]] = Field(default_factory=dict)
    postal_formats: dict[str, list[tuple[str, str]]] = Field(default_factory=dict)


def load(rules: Rules) -> AddressSpec:
    """The address vocabulary of a run."""
    return load_spec(rules, SPEC, AddressSpec)


def vocabulary(spec: AddressSpec) -> dict[str, str]:
    """``"BR:saopaulo"`` -> ``"SP"``: country plus folded spelling -> state code."""
    entries = [entry for country in spec.state_codes for entry in _pycountry_states(country)]
    for country, codes in spec.states.items():
        entries += [(country, name, code) for code, names in codes.items() for name in names]
    keys = fold_words([name for _, name, _ in entries])
    return {f"{c}:{k}": code for (c, _, code), k in zip(entries, keys, strict=True)}


@cache
def _pycountry_states(country: str) -> tuple[tuple[str, str, str], ...]:
    """(country, spelling, code) for each top-level subdivision: its code and its name."""
    found = []
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        if sub.parent_code is None:
            code = sub.code.split("-", 1)[1]
            found += [(country, code, code), (country, sub.name, code)]
    return tuple(found)


def country_or_default(country: pl.Expr, default_region: str) -> pl.Expr:
    """The record's country code, the default region when it has none."""
    return pl.coalesce(country, pl.lit(default_region))


def normalize_state(
    frame: pl.DataFrame, rules: Rules, default_region: str, field: str = "state"
) -> Step:
    """Known states become codes; unknown ones of coded countries stay, with a finding."""
    spec = load(rules)
    country = country_or_default(pl.col("country"), default_region)
    key = pl.format("{}:{}", country, fold(pl.col(field)))
    code = key.replace_strict(vocabulary(spec), default=None, return_dtype=pl.String)
    coded = country.is_in(spec.state_codes)
    flags = select_distinct(frame, ["country", field], {"coded": coded, "code": code})
    both = pairs(frame, pl.col(field), pl.coalesce(pl.lit(flags["code"]), pl.col(field)))
    rule = (
        pl.when(BEFORE.is_not_null() & pl.lit(flags["coded"]) & pl.lit(flags["code"]).is_null())
        .then(pl.lit("state.unknown"))
        .when(changed())
        .then(pl.lit("state.coded"))
    )
    return Step(frame.with_columns(both["after"].alias(field)), by_rule(both, field, rule))
