"""Matching columns from the stored e-mail: ``email_key`` and ``email_is_role``.

The stored address is never rewritten; the key folds what a provider treats as the same mailbox
(``J.Silva+news@googlemail.com`` -> ``jsilva@gmail.com``), so the matcher can compare keys.
Vocabularies are in ``rules/normalize/emails.yaml``.
"""

from __future__ import annotations

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "normalize/emails.yaml"
KEY, ROLE = "email_key", "email_is_role"
_LOCAL, _HOST = "__local", "__host"


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


def load(rules: Rules) -> EmailSpec:
    """The e-mail vocabulary of a run (a user's copy first)."""
    return load_spec(rules, SPEC, EmailSpec)


def local_part(email: pl.Expr) -> pl.Expr:
    """What comes before the last ``@``."""
    return email.str.extract(r"^(.*)@[^@]*$")


def domain(email: pl.Expr) -> pl.Expr:
    """What comes after the last ``@``."""
    return email.str.extract(r"@([^@]*)$")


def email_key(local: pl.Expr, host: pl.Expr, spec: EmailSpec) -> pl.Expr:
    """The address as the provider delivers it: dots and ``+tags`` folded; null if none.

    ``local`` and ``host`` are the lowercase parts, the host with its aliases replaced.
    """
    untagged = local.str.replace(r"\+.*$", "")
    tagless = pl.when(host.is_in(spec.subaddressing) & (untagged != "")).then(untagged)
    local = tagless.otherwise(local)
    dotless = local.str.replace_all(".", "", literal=True)
    local = pl.when(host.is_in(spec.dots_ignored) & (dotless != "")).then(dotless).otherwise(local)
    return pl.when(local.is_not_null() & host.is_not_null()).then(pl.format("{}@{}", local, host))


def is_role(local: pl.Expr, spec: EmailSpec) -> pl.Expr:
    """True for a shared mailbox (``contato@``, ``vendas.sp@``); ``local`` is lowercase."""
    untagged = local.str.replace(r"\+.*$", "")
    roles = [word.lower() for word in spec.role_local_parts]
    first = untagged.str.extract(r"^([^._-]+)")
    return (untagged.is_in(roles) | first.is_in(roles)).fill_null(False)


def with_keys(frame: pl.DataFrame, spec: EmailSpec, field: str = "email") -> pl.DataFrame:
    """``frame`` plus ``email_key`` and ``email_is_role`` (null when there is no address) of
    its primary address, computed in rounds so each part is worked out once."""
    lower = pl.col(field).str.to_lowercase()
    local, host = pl.col(_LOCAL), pl.col(_HOST)
    return (
        frame.lazy()
        .with_columns(
            local_part(lower).alias(_LOCAL),
            domain(lower).replace(spec.domain_aliases).alias(_HOST),
        )
        .with_columns(
            email_key(local, host, spec).alias(KEY),
            pl.when(pl.col(field).is_not_null()).then(is_role(local, spec)).alias(ROLE),
        )
        .drop(_LOCAL, _HOST)
        .collect()
    )
