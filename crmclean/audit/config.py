"""Audit settings: ``rules/audit.yaml``, deep-merged with the user's ``--config`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crmclean.errors import UserError
from crmclean.model import format_validation_error, load_yaml
from crmclean.rules import Rules

DIMENSIONS = ("completeness", "validity", "uniqueness", "consistency", "timeliness", "compliance")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Grades(_Strict):
    good: float = 90
    fair: float = 70


class Completeness(_Strict):
    fields: list[str]
    reach: list[str]


class Validity(_Strict):
    types: list[str]


class Uniqueness(_Strict):
    top_clusters: int = Field(default=10, ge=0)
    records_shown: int = Field(default=10, ge=1)


class Consistency(_Strict):
    fields: list[str]
    top_values: int = Field(default=8, ge=0)
    spellings_shown: int = Field(default=6, ge=1)
    company_suffixes: list[str] = []


class Timeliness(_Strict):
    stale_months: int = Field(default=24, ge=1)
    dates: list[str]
    future_dates: list[str]


class Compliance(_Strict):
    consent_field: str
    opt_out_field: str
    marketing_field: str | None = None
    marketing_values: list[str] = []
    retention_months: int = Field(default=60, ge=1)
    retention_dates: list[str]


class AuditConfig(_Strict):
    """Every audit setting; see ``rules/audit.yaml`` for the meaning of each."""

    version: int = 1
    weights: dict[str, float]
    grades: Grades = Grades()
    completeness: Completeness
    validity: Validity
    uniqueness: Uniqueness = Uniqueness()
    consistency: Consistency
    timeliness: Timeliness
    compliance: Compliance
    examples: int = Field(default=3, ge=0)

    def weight(self, dimension: str) -> float:
        return self.weights.get(dimension, 0.0)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it, nested mappings merged key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check(config: AuditConfig, rules: Rules, source: str) -> AuditConfig:
    unknown = [d for d in config.weights if d not in DIMENSIONS]
    if unknown or any(w < 0 for w in config.weights.values()):
        raise UserError(
            f"weights must be >= 0 and name only {', '.join(DIMENSIONS)}; got {config.weights}",
            file=source,
        )
    fields = set(rules.model.names)
    named = [*config.completeness.fields, *config.completeness.reach, *config.consistency.fields]
    missing = sorted({f for f in named if f not in fields})
    if missing:
        raise UserError(f"fields {missing} are not in the contact model", file=source)
    return config


def load_audit_config(rules: Rules, path: Path | None = None) -> AuditConfig:
    """The bundled (or rules-folder) settings, overridden by ``path`` when given."""
    data = rules.load("audit.yaml")
    source = str(rules.path("audit.yaml"))
    if path is not None:
        override = load_yaml(path) or {}
        if not isinstance(override, dict):
            raise UserError("expected a mapping of audit settings", file=str(path))
        data, source = merge(data, override), str(path)
    try:
        return _check(AuditConfig.model_validate(data), rules, source)
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=source) from None
