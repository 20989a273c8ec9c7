"""Matching columns from the stored e-mail: ``email_key`` and ``email_is_role``.

The stored address is never rewritten; the key folds what a provider treats as the same mailbox
(``J.Silva+news@googlemail.com`` -> ``jsilva@gmail.com``), so the matcher can compare keys.
Vocabularies are in ``rules/normalize/emails.yaml``.
"""

from __future__ import annotations

import re

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "normalize/emails.yaml"
KEY, ROLE = "email_key", "email_is_role"


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


def email_key(lower: pl.Series, spec: EmailSpec) -> pl.Series:
    """Lowercase addresses as the provider delivers them: aliases, dots and ``+tags`` folded
    (null without an ``@``). Worked in rounds, on the addresses that change only."""
    text, local, host = pl.col(KEY), pl.col("local"), pl.col("host")
    parts = lower.alias(KEY).to_frame().with_columns(local=local_part(text), host=domain(text))
    folds = (
        host.is_in(list(spec.domain_aliases))
        | (host.is_in(spec.subaddressing) & local.str.contains("+", literal=True))
        | (host.is_in(spec.dots_ignored) & local.str.contains(".", literal=True))
    )
    rows = parts.select(folds.fill_null(False).arg_true()).to_series()
    untagged = local.str.replace(r"\+.*$", "")
    dotless = local.str.replace_all(".", "", literal=True)
    folded = (
        parts[rows]
        .lazy()
        .with_columns(host.replace(spec.domain_aliases))
        .with_columns(
            pl.when(host.is_in(spec.subaddressing) & (untagged != ""))
            .then(untagged)
            .otherwise(local)
            .alias("local")
        )
        .with_columns(
            pl.when(host.is_in(spec.dots_ignored) & (dotless != ""))
            .then(dotless)
            .otherwise(local)
            .alias("local")
        )
        .select(pl.format("{}@{}", local, host).alias(KEY))
        .collect()
    )[KEY]
    plain = parts.select(pl.when(host.is_not_null()).then(text))[KEY]
    return plain.scatter(rows, folded) if len(rows) else plain


def role_pattern(spec: EmailSpec) -> str:
    """A regex for a lowercase address whose local part (before any ``+tag``) is a role word,
    or starts with a role word followed by ``.``, ``_`` or ``-`` (``vendas.sp@``)."""
    roles = sorted({word.lower() for word in spec.role_local_parts}, key=len, reverse=True)
    whole = "|".join(re.escape(word) for word in roles)
    first = "|".join(re.escape(word) for word in roles if not re.search(r"[._-]", word))
    exact = rf"^(?:{whole})(?:\+.*)?@[^@]*$"
    return rf"{exact}|^(?:{first})[._-][^+]*(?:\+.*)?@[^@]*$" if first else exact


def with_keys(frame: pl.DataFrame, spec: EmailSpec, field: str = "email") -> pl.DataFrame:
    """``frame`` plus ``email_key`` and ``email_is_role`` (null when there is no address) of
    its primary address."""
    lower = frame.select(pl.col(field).str.to_lowercase())[field]
    role = pl.when(pl.col(field).is_not_null()).then(pl.col(field).str.contains(role_pattern(spec)))
    return frame.with_columns(
        email_key(lower, spec).alias(KEY), lower.to_frame().select(role)[field].alias(ROLE)
    )
