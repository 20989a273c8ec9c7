"""All-lower-case company names cased like names (``padaria da esquina ltda`` -> ``Padaria da
Esquina Ltda``), the legal forms at the end written as ``legal_forms`` in
``rules/normalize/companies.yaml`` spells them (``S.A.``, ``EIRELI``). Names typed with any
capital are kept as typed. Once per distinct value."""

from __future__ import annotations

import polars as pl

from crmclean.normalize.companies.vocabulary import CompanySpec, load
from crmclean.normalize.distinct import FastPath, map_distinct
from crmclean.normalize.findings import Step, by_rule, changed, pairs
from crmclean.normalize.names.vocabulary import NameRules, recase
from crmclean.rules import Rules


def case_company(value: str, vocab: NameRules, forms: dict[str, str]) -> str:
    """An all-lower-case name cased; any other value as it is."""
    if value != value.lower() or value == value.upper():
        return value
    words = recase(value, vocab).split(" ")
    typed = value.split(" ")
    end = len(words)
    while end > 1 and typed[end - 1] in forms:
        end -= 1
    return " ".join([*words[:end], *(forms[word] for word in typed[end:])])


def normalize_companies(frame: pl.DataFrame, rules: Rules, field: str = "company") -> Step:
    """Recase the all-lower-case values of ``field``, a finding CM03 for each."""
    vocab, spec = NameRules.load(rules), load(rules)
    forms = legal_forms(spec)

    def one(value: str) -> tuple[str]:
        return (case_company(value, vocab, forms),)

    cased = pl.col(field) != pl.col(field).str.to_lowercase()
    caseless = pl.col(field) == pl.col(field).str.to_uppercase()
    kept = FastPath(when=cased | caseless, then={field: pl.col(field)})
    after = map_distinct(frame, [field], one, {field: pl.String()}, kept)[field]
    both = pairs(frame, pl.col(field), after)
    rule = pl.when(changed()).then(pl.lit("company.recased"))
    return Step(frame.with_columns(after.alias(field)), by_rule(both, field, rule))


def legal_forms(spec: CompanySpec) -> dict[str, str]:
    """Lower-case spelling -> how the legal form is written."""
    return {form.lower(): form for form in spec.legal_forms}
