"""Brazilian tax ids: CPF and CNPJ (the alphanumeric CNPJ too) checked and formatted with
python-stdnum, once per distinct value.

``111.111.111-11`` passes the check digits but is no one's CPF: one repeated digit is rejected.
A CPF or CNPJ that lost its leading zeros in a spreadsheet gets them back when the check digits
then hold (the only way they can).
"""

from __future__ import annotations

import re

import polars as pl

from crmclean.normalize.distinct import map_distinct
from crmclean.normalize.findings import Step, by_rule, pairs
from crmclean.normalize.ids.fast_path import fast_path
from crmclean.normalize.places.states import country_or_default

_NOISE = re.compile(r"(?i)^\s*(?:cpf|cnpj|cpf/cnpj)\s*:?\s*|[\s./-]")
_ALNUM = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
SCHEMA = {"value": pl.String(), "rule": pl.String()}
LENGTHS = {"cpf": 11, "cnpj": 14}


def check(typed: str) -> tuple[str | None, str | None]:
    """``(stored value, rule)``: the formatted id, or the typed text with why it is not one."""
    from stdnum.br import cnpj, cpf  # imported by the first tax id checked (10 ms, with ssl)

    compact = _NOISE.sub("", typed).upper()
    if len(compact) in (11, 14) and len(set(compact)) == 1:
        return None, "tax_id.repeated_digits"
    for kind, restored in _candidates(compact):
        module = cpf if kind == "cpf" else cnpj
        if module.is_valid(restored):
            formatted = module.format(restored)
            rule = "tax_id.zero_restored" if restored != compact else "tax_id.formatted"
            return formatted, None if formatted == typed else rule
    return typed, "tax_id.invalid"


def _candidates(compact: str) -> list[tuple[str, str]]:
    """Ways to read ``compact``: a CPF, a CNPJ, or one of them missing leading zeros."""
    if compact.isdigit():
        lengths = [("cpf", 11)] if len(compact) <= 11 else []
        lengths += [("cnpj", 14)] if len(compact) >= 9 else []
        return [(kind, compact.zfill(n)) for kind, n in lengths if len(compact) >= n - 2]
    return [("cnpj", compact)] if _ALNUM.match(compact) else []


def normalize_tax_ids(frame: pl.DataFrame, default_region: str, field: str = "tax_id") -> Step:
    """CPF/CNPJ of Brazilian records checked and formatted; other countries' ids left alone."""
    brazilian = country_or_default(pl.col("country"), default_region) == "BR"
    subset = frame.select(pl.when(brazilian).then(pl.col(field)).alias(field))
    checked = map_distinct(subset, [field], check, SCHEMA, fast_path(field))
    after = pl.when(pl.lit(checked["rule"]).is_not_null() | pl.lit(checked["value"]).is_not_null())
    stored = after.then(pl.lit(checked["value"])).otherwise(pl.col(field))
    both = pairs(frame, pl.col(field), stored)
    findings = by_rule(both, field, pl.lit(checked["rule"]))
    return Step(frame.with_columns(both["after"].alias(field)), findings)
