"""The e-mail vocabulary (``rules/normalize/emails.yaml``) and the address parts every e-mail
rule reads: local part, domain, role mailboxes."""

from __future__ import annotations

import re

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "normalize/emails.yaml"


class EmailSpec(BaseModel):
    """The contents of ``rules/normalize/emails.yaml``."""

    model_config = ConfigDict(extra="forbid")

    role_local_parts: list[str] = Field(default_factory=list)
    domain_aliases: dict[str, str] = Field(default_factory=dict)
    dots_ignored: list[str] = Field(default_factory=list)
    subaddressing: list[str] = Field(default_factory=list)
    typo_domains: dict[str, str] = Field(default_factory=dict)
    typo_tlds: dict[str, str] = Field(default_factory=dict)
    known_domains: list[str] = Field(default_factory=list)
    correct_typo_domains: bool = True


def load(rules: Rules) -> EmailSpec:
    """The e-mail vocabulary of a run (a user's copy first)."""
    return load_spec(rules, SPEC, EmailSpec)


def local_part(email: pl.Expr) -> pl.Expr:
    """What comes before the last ``@`` (null without one; no capture groups: they are slow)."""
    return pl.when(email.str.contains("@", literal=True)).then(email.str.replace(r"@[^@]*$", ""))


def domain(email: pl.Expr) -> pl.Expr:
    """What comes after the last ``@`` (null without one)."""
    return pl.when(email.str.contains("@", literal=True)).then(email.str.replace(r"^.*@", ""))


def role_pattern(spec: EmailSpec) -> str:
    """A regex for a lowercase address whose local part (before any ``+tag``) is a role word,
    or starts with a role word followed by ``.``, ``_`` or ``-`` (``vendas.sp@``)."""
    roles = sorted({word.lower() for word in spec.role_local_parts}, key=len, reverse=True)
    whole = "|".join(re.escape(word) for word in roles)
    first = "|".join(re.escape(word) for word in roles if not re.search(r"[._-]", word))
    exact = rf"^(?:{whole})(?:\+.*)?@[^@]*$"
    return rf"{exact}|^(?:{first})[._-][^+]*(?:\+.*)?@[^@]*$" if first else exact
