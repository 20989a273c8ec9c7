"""Matching columns from the stored e-mail: ``email_key`` and ``email_is_role``.

The stored address is never rewritten; the key folds what a provider treats as the same mailbox
(``J.Silva+news@googlemail.com`` -> ``jsilva@gmail.com``), so the matcher can compare keys.
Vocabularies are in ``rules/normalize/emails.yaml``.
"""

from __future__ import annotations

import polars as pl

from crmclean.dedupe.coded_keys import factorize
from crmclean.normalize.emails.vocabulary import EmailSpec, domain, local_part, role_pattern

KEY, ROLE = "email_key", "email_is_role"


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


def with_keys(frame: pl.DataFrame, spec: EmailSpec, field: str = "email") -> pl.DataFrame:
    """``frame`` plus ``email_key`` and ``email_is_role`` (null when there is no address) of
    its primary address, made once per distinct address."""
    distinct, index = factorize(frame.select(field))
    lower = distinct.select(pl.col(field).str.to_lowercase())[field]
    role = pl.when(pl.col(field).is_not_null()).then(pl.col(field).str.contains(role_pattern(spec)))
    keys = pl.DataFrame([email_key(lower, spec).alias(KEY), lower.to_frame().select(role)[field]])
    return frame.with_columns(keys[KEY].gather(index), keys[field].gather(index).alias(ROLE))
