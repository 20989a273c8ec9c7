"""The audit as one JSON document (schema ``crmclean-audit``, version 1; see docs/audit.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from crmclean import __version__
from crmclean.audit.config import AuditConfig
from crmclean.audit.findings import Finding, ordered
from crmclean.audit.measure import Measure
from crmclean.audit.score import grade, overall
from crmclean.model import ContactModel

SCHEMA = "crmclean-audit"
SCHEMA_VERSION = 1


def _dimension(measure: Measure, config: AuditConfig) -> dict[str, Any]:
    return {
        "score": measure.score,
        "grade": grade(measure.score, config),
        "weight": config.weight(measure.dimension),
        "checked": measure.checked,
        "failed": measure.failed,
        "metrics": measure.metrics,
    }


def field_rows(measures: dict[str, Measure], model: ContactModel) -> list[dict[str, Any]]:
    """Per canonical field: fill count and rate; values present, invalid and validity rate."""
    completeness = measures["completeness"].metrics
    records = completeness["records"]
    validity = measures["validity"].metrics["fields"]
    rows = []
    for name, filled in completeness["filled"].items():
        checked = validity.get(name)
        present, invalid = (checked["present"], checked["invalid"]) if checked else (None, None)
        rows.append({
            "field": name,
            "type": model.fields[name].type,
            "filled": filled,
            "fill_rate": round(filled / records, 4) if records else None,
            "present": present,
            "invalid": invalid,
            "validity": round(1 - invalid / present, 4) if present else None,
        })  # fmt: skip
    return rows


def build_document(
    measures: list[Measure],
    *,
    config: AuditConfig,
    model: ContactModel,
    sources: list[str],
    as_of: date,
    masked: bool,
) -> dict[str, Any]:
    """Everything the reports show, as plain JSON types."""
    by_name = {m.dimension: m for m in measures}
    findings: list[Finding] = ordered([f for m in measures for f in m.findings])
    score = overall(measures, config)
    completeness = by_name["completeness"].metrics
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "as_of": as_of.isoformat(),
        "sources": sources,
        "masked": masked,
        "records": {
            "audited": completeness["records"],
            "rejected": completeness["rejected"],
            "read": completeness["records"] + completeness["rejected"],
        },
        "score": {"overall": score, "grade": grade(score, config)},
        "weights": {m.dimension: config.weight(m.dimension) for m in measures},
        "dimensions": {m.dimension: _dimension(m, config) for m in measures},
        "fields": field_rows(by_name, model),
        "findings": [f.to_dict() for f in findings],
        "comparison": None,
        "trend": [],
    }
