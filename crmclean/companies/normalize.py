"""Company records to their canonical form, reusing the contact normalizers field by field.

Names and legal names cased (``padaria da esquina ltda`` -> ``Padaria da Esquina Ltda``), the
domain reduced to its registrable part (``https://www.loja.acme.com.br/x`` -> ``acme.com.br``),
the CNPJ checked and formatted, phones in E.164 (others in ``phone_alt``), countries, states,
postal codes and cities as for contacts; then the matching columns of
:mod:`crmclean.companies.keys`. A record left with no name, legal name, domain, CNPJ, tax id or
phone goes to ``rejects``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import polars as pl

from crmclean.batch import REJECT_SCHEMA, SOURCE, SOURCE_ID
from crmclean.companies.fields import FIELDS, from_batch_lineage, to_batch_lineage
from crmclean.companies.keys import with_keys
from crmclean.normalize.companies import vocabulary
from crmclean.normalize.companies.casing import normalize_companies as case_names
from crmclean.normalize.companies.websites import DOMAIN, company_domain
from crmclean.normalize.findings import Step, concat
from crmclean.normalize.ids.tax_ids import normalize_tax_ids
from crmclean.normalize.phones import words as phone_words
from crmclean.normalize.phones.columns import normalize_phones
from crmclean.normalize.places.cities import normalize_city
from crmclean.normalize.places.countries import normalize_country
from crmclean.normalize.places.postal import normalize_postal
from crmclean.normalize.places.states import normalize_state
from crmclean.normalize.values.text import clean_fields
from crmclean.rules import Rules

IDENTIFYING = ("name", "legal_name", "domain", "cnpj", "tax_id", "phone")
RULE = "company.unidentifiable"
EXPECTED = "a name, legal name, domain, CNPJ, tax id or phone"


def _domain(frame: pl.DataFrame, social: list[str]) -> Step:
    """``domain`` (a website, a bare domain or an e-mail address) -> its registrable domain."""
    step = company_domain(frame.drop(DOMAIN, strict=False), "domain", social)
    found = step.findings.with_columns(field=pl.lit("domain"))
    return Step(step.frame.with_columns(pl.col(DOMAIN).alias("domain")).drop(DOMAIN), found)


def steps(rules: Rules) -> list[Callable[[pl.DataFrame], Step]]:
    """The normalizers of a company record, in order (countries first: the others read them)."""
    region, spec = rules.default_region, vocabulary.load(rules)
    return [
        partial(clean_fields, fields=FIELDS),
        partial(normalize_country, rules=rules),
        partial(normalize_state, rules=rules, default_region=region),
        partial(normalize_postal, rules=rules, default_region=region),
        partial(normalize_city, rules=rules),
        partial(normalize_tax_ids, default_region=region, field="cnpj"),
        partial(
            normalize_phones, default_region=region, fields=("phone",), spec=phone_words.load(rules)
        ),
        partial(case_names, rules=rules, field="name"),
        partial(case_names, rules=rules, field="legal_name"),
        partial(_domain, social=spec.social_domains),
    ]


def _rejects(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(kept, rejects)``: the records with something to identify them, and the others."""
    keep = frame.select(pl.any_horizontal(pl.col(IDENTIFYING).is_not_null())).to_series()
    rejects = frame.filter(~keep).select(
        SOURCE,
        SOURCE_ID,
        stage=pl.lit("normalize"),
        column=pl.lit("*"),
        rule=pl.lit(RULE),
        expected=pl.lit(EXPECTED),
        actual=pl.lit("nothing usable"),
    )
    return frame.filter(keep), rejects.select(list(REJECT_SCHEMA))


def normalize_companies(
    frame: pl.DataFrame, rules: Rules
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(frame, findings, rejects)``: the companies normalized with their matching columns,
    every value a normalizer changed, and the records nothing identifies."""
    work, found = to_batch_lineage(frame), []
    for step in steps(rules):
        work, findings = step(work)
        found.append(findings)
    kept, rejects = _rejects(with_keys(work, rules, vocabulary.load(rules)))
    return from_batch_lineage(kept, frame), concat(found), rejects
