"""The company matching key: the folded name without its legal form (``Acme Ltda.`` -> ``acme``)."""

from __future__ import annotations

import polars as pl

from crmclean.normalize.companies.vocabulary import suffix_pattern
from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.values.text import fold
from crmclean.rules import Rules

KEY = "company_key"


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
