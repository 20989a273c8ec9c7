"""The normalize stage: every field to its canonical form, with a finding per change."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import polars as pl

from crmclean.batch import Batch
from crmclean.normalize.countries import normalize_country
from crmclean.normalize.dates import normalize_dates
from crmclean.normalize.emails import normalize_emails
from crmclean.normalize.findings import Step, concat
from crmclean.normalize.flags import normalize_flags
from crmclean.normalize.identity import unidentifiable
from crmclean.normalize.person import normalize_names
from crmclean.normalize.phones import normalize_phones
from crmclean.normalize.text import clean_fields
from crmclean.rules import Rules


def normalize(batch: Batch, rules: Rules) -> Batch:
    """Clean text, then countries, e-mails, phones, names, dates and yes/no fields.

    A record left with no name, e-mail, phone or company moves to ``rejects``.
    """
    model = rules.model
    single = [name for name, spec in model.fields.items() if not spec.multi]
    frame, found = batch.frame, []
    steps: list[Callable[[pl.DataFrame], Step]] = [
        partial(clean_fields, fields=single),
        partial(normalize_country, rules=rules),
        normalize_emails,
        partial(normalize_phones, default_region=rules.default_region),
        partial(normalize_names, rules=rules, fields=model.of_type("name")),
        partial(normalize_dates, fields=model.of_type("date"), default_region=rules.default_region),
        partial(normalize_flags, rules=rules, fields=model.of_type("bool")),
    ]
    for step in steps:
        frame, step_findings = step(frame)
        found.append(step_findings)
    kept, rejects = unidentifiable(frame, batch.frame)
    findings = concat(found)
    result = batch.with_frame(kept).add_rejects(rejects).add_findings(findings)
    return result.add_stats("normalize", **_stats(findings, rejects.height))


def _stats(findings: pl.DataFrame, rejected: int) -> dict[str, int]:
    rule = pl.col("rule")
    counts = findings.select(
        values_changed=pl.col("before").ne_missing(pl.col("after")).sum(),
        invalid_emails=(rule == "email.invalid").sum(),
        invalid_phones=(rule.str.starts_with("phone.") & (pl.col("severity") == "warning")).sum(),
    )
    return {**counts.row(0, named=True), "rejected": rejected}
