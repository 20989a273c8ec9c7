"""The findings the audit itself raises (the normalizers' own codes come from their table)."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from crmclean.normalize.codes import Severity

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class AuditCode(NamedTuple):
    """One kind of audit finding and the dimension it belongs to."""

    code: str
    rule: str
    severity: Severity
    dimension: str
    description: str


AUDIT_CODES: tuple[AuditCode, ...] = (
    AuditCode("RJ01", "record.rejected", "error", "completeness",
              "Record with nothing to identify it; it cannot be used."),
    AuditCode("CM01", "contact.unreachable", "warning", "completeness",
              "No e-mail, phone or mobile: the contact cannot be reached."),
    AuditCode("DU01", "record.duplicate", "warning", "uniqueness",
              "Another record of the same person exists (same golden record)."),
    AuditCode("CS01", "value.spelled_differently", "info", "consistency",
              "The same value is written several ways; not the usual spelling."),
    AuditCode("TM01", "record.stale", "warning", "timeliness",
              "No update or activity for longer than the stale period."),
    AuditCode("TM02", "date.future", "warning", "timeliness", "A date lies in the future."),
    AuditCode("TM03", "record.undated", "info", "timeliness",
              "No creation, update or activity date: freshness unknown."),
    AuditCode("CP01", "consent.missing", "warning", "compliance",
              "No marketing consent recorded (LGPD/GDPR)."),
    AuditCode("CP02", "consent.opted_out_marketable", "error", "compliance",
              "Opted out of e-mail but still marked for marketing."),
    AuditCode("CP03", "record.past_retention", "warning", "compliance",
              "No sign of life for longer than the retention period."),
)  # fmt: skip

BY_CODE: dict[str, AuditCode] = {code.code: code for code in AUDIT_CODES}


def table() -> pl.DataFrame:
    """The audit codes as a frame: ``code, rule, severity, dimension, description``."""
    return pl.DataFrame(list(AUDIT_CODES), schema=list(AuditCode._fields), orient="row")
