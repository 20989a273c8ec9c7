"""Companies: the second entity, normalized and matched with the contacts' engine.

    frame, findings, rejects = normalize_companies(frame, rules)
    matches = dedupe_companies(frame, rules)   # .frame .golden .pairs .parents

Fields: :mod:`crmclean.companies.fields`; rules: ``rules/match_company.yaml`` and
``rules/normalize/companies.yaml``.
"""

from crmclean.companies.match import CompanyMatches, dedupe_companies
from crmclean.companies.normalize import normalize_companies

__all__ = ["CompanyMatches", "dedupe_companies", "normalize_companies"]
