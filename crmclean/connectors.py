"""Connector specs (``connectors/*.yaml``): how a known system's export maps to the model.

A spec names the headers that identify the system (``detect``) and maps its columns to
canonical fields. When a file's headers match a spec, its mapping is used first and the
remaining headers are auto-mapped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crmclean import resources
from crmclean.errors import UserError
from crmclean.headers import fold_header
from crmclean.model import ContactModel, format_validation_error, load_yaml


class ConnectorSpec(BaseModel):
    """One source system's export format."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str
    kind: Literal["file"] = "file"
    detect: list[str] = Field(min_length=1)
    fields: dict[str, str]

    def matches(self, headers: list[str]) -> bool:
        """All ``detect`` headers are present (ignoring case, accents and punctuation)."""
        folded = {fold_header(h) for h in headers}
        return all(fold_header(h) in folded for h in self.detect)

    def field_for(self, header: str) -> str | None:
        folded = {fold_header(k): v for k, v in self.fields.items()}
        return folded.get(fold_header(header))


def load_connector(path: Path, model: ContactModel) -> ConnectorSpec:
    """Read and validate one spec; unknown canonical fields are listed with the known ones."""
    try:
        spec = ConnectorSpec.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    unknown = sorted({f for f in spec.fields.values() if f not in model.fields})
    if unknown:
        known = ", ".join(model.names)
        raise UserError(f"unknown fields {unknown} (known fields: {known})", file=str(path))
    return spec


def load_connectors(model: ContactModel, user_dir: Path | None = None) -> list[ConnectorSpec]:
    """Every spec, user files overriding bundled ones of the same file name."""
    files = resources.listing("connectors", "*.yaml", user_dir)
    return [load_connector(path, model) for path in files.values()]


def detect(headers: list[str], specs: list[ConnectorSpec]) -> ConnectorSpec | None:
    """The most specific spec whose detect headers are all present, if any."""
    found = [spec for spec in specs if spec.matches(headers)]
    return max(found, key=lambda spec: len(spec.detect), default=None)
