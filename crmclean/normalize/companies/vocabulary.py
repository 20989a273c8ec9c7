"""The company vocabulary (``rules/normalize/companies.yaml``): legal forms and suffixes,
social-media domains, and the words company matching folds (abbreviations, connectors,
street types)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.spec import load_spec
from crmclean.normalize.values.text import fold_words
from crmclean.rules import Rules

SPEC = "normalize/companies.yaml"


class CompanySpec(BaseModel):
    """The contents of ``rules/normalize/companies.yaml``."""

    model_config = ConfigDict(extra="forbid")

    legal_suffixes: list[str] = Field(default_factory=list)
    legal_forms: list[str] = Field(default_factory=list)
    social_domains: list[str] = Field(default_factory=list)
    abbreviations: dict[str, str] = Field(default_factory=dict)
    name_stopwords: list[str] = Field(default_factory=list)
    street_words: dict[str, str] = Field(default_factory=dict)


def load(rules: Rules) -> CompanySpec:
    """The company vocabulary of a run."""
    return load_spec(rules, SPEC, CompanySpec)


def suffix_pattern(rules: Rules) -> str:
    """A regex for one or more legal suffixes ending a folded (space-separated) name."""
    spec = load(rules)
    words = sorted({w for w in fold_words(spec.legal_suffixes, " ") if w}, key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    return rf"(?:\s+(?:{alternatives}))+$" if words else r"[^\s\S]"
