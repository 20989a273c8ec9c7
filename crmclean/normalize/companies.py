"""Companies: a matching key without the legal form (``Acme Ltda.`` -> ``acme``)."""

from __future__ import annotations

import re

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.spec import load_spec
from crmclean.normalize.text import fold, fold_words
from crmclean.rules import Rules

SPEC = "normalize/companies.yaml"
KEY = "company_key"


class CompanySpec(BaseModel):
    """The contents of ``rules/normalize/companies.yaml``."""

    model_config = ConfigDict(extra="forbid")

    legal_suffixes: list[str] = Field(default_factory=list)
    legal_forms: list[str] = Field(default_factory=list)
    social_domains: list[str] = Field(default_factory=list)


def load(rules: Rules) -> CompanySpec:
    """The company vocabulary of a run."""
    return load_spec(rules, SPEC, CompanySpec)


def suffix_pattern(rules: Rules) -> str:
    """A regex for one or more legal suffixes ending a folded (space-separated) name."""
    spec = load(rules)
    words = sorted({w for w in fold_words(spec.legal_suffixes, " ") if w}, key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    return rf"(?:\s+(?:{alternatives}))+$" if words else r"[^\s\S]"


def company_key(company: pl.Expr, pattern: str) -> pl.Expr:
    """Folded lowercase ASCII name, legal suffixes removed; the folded name if nothing is left."""
    folded = fold(company, " ")
    key = folded.str.replace(pattern, "").str.strip_chars()
    folded = pl.when(folded != "").then(folded)
    return pl.when(key != "").then(key).otherwise(folded)


def with_key(frame: pl.DataFrame, rules: Rules, field: str = "company") -> pl.DataFrame:
    """``frame`` plus ``company_key``."""
    key = company_key(pl.col(field), suffix_pattern(rules))
    return frame.with_columns(select_distinct(frame, [field], {KEY: key})[KEY])
