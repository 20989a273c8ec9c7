"""Connector specs (``connectors/*.yaml``): how a system's export or database maps to the model.

A ``file`` spec names the headers that identify the system (``detect``) and maps its columns
to canonical fields; a ``sql`` spec carries the read-only query that selects the live contacts
of a CRM database. Columns a spec does not name are auto-mapped (file) or kept in ``extra``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crmclean import resources
from crmclean.errors import UserError
from crmclean.headers import fold_header
from crmclean.model import ContactModel, format_validation_error, load_yaml
from crmclean.sql_guard import read_only_statement


class DeletedRows(BaseModel):
    """A column marking soft-deleted rows (``IsDeleted``) and the values that mean deleted."""

    model_config = ConfigDict(extra="forbid")

    column: str
    values: list[str] = ["1", "true"]

    def lowered(self) -> list[str]:
        return [v.strip().lower() for v in self.values]


class ConnectorSpec(BaseModel):
    """One source system's export format or database layout."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str
    kind: Literal["file", "sql"] = "file"
    entity: Literal["contacts", "companies"] = Field(
        default="contacts", description="what a record of this source is"
    )
    detect: list[str] = []
    fields: dict[str, str | None]
    values: dict[str, dict[str, str]] = {}
    deleted: DeletedRows | None = None
    footer: list[str] = Field(default=[], description="first-cell prefixes of footer lines")
    separator: str | None = Field(default=None, description="how a cell lists several values")
    query: str | None = None
    count_deleted: str | None = Field(default=None, description="SQL counting skipped rows")
    checked: str = Field(default="", description="what real export the spec was checked against")

    @model_validator(mode="after")
    def _kind_needs(self) -> ConnectorSpec:
        if self.kind == "file" and not self.detect:
            raise ValueError("a file connector needs `detect` headers")
        if self.kind == "sql" and not self.query:
            raise ValueError("a sql connector needs a `query`")
        for key in ("query", "count_deleted"):
            statement = getattr(self, key)
            if statement is not None:
                try:
                    read_only_statement(statement, key=key)
                except UserError as exc:
                    raise ValueError(exc.message) from None
        return self

    def matches(self, headers: list[str]) -> bool:
        """All ``detect`` headers are present (ignoring case, accents and punctuation)."""
        folded = {fold_header(h) for h in headers}
        return all(fold_header(h) in folded for h in self.detect)

    def field_for(self, header: str) -> tuple[bool, str | None]:
        """(whether the spec names ``header``, the canonical field or None to keep it unmapped)."""
        folded = {fold_header(k): v for k, v in self.fields.items()}
        key = fold_header(header)
        return key in folded, folded.get(key)


def load_connector(path: Path, model: ContactModel) -> ConnectorSpec:
    """Read and validate one spec; unknown canonical fields are listed with the known ones."""
    try:
        spec = ConnectorSpec.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    named = [f for f in spec.fields.values() if f is not None] + list(spec.values)
    unknown = sorted({f for f in named if f not in model.fields})
    if unknown:
        known = ", ".join(model.names)
        raise UserError(f"unknown fields {unknown} (known fields: {known})", file=str(path))
    return spec


def connector_files(user_dir: Path | None = None) -> dict[str, Path]:
    """Spec file name -> path, user files overriding bundled ones of the same name."""
    return resources.listing("connectors", "*.yaml", user_dir)


def load_connectors(model: ContactModel, user_dir: Path | None = None) -> list[ConnectorSpec]:
    """Every spec; a user's spec overrides a bundled one of the same file name or spec name."""
    specs = {}
    for path in connector_files(user_dir).values():
        spec = load_connector(path, model)
        specs[spec.name] = spec
    return list(specs.values())


def detect(headers: list[str], specs: list[ConnectorSpec]) -> ConnectorSpec | None:
    """The most specific file spec whose detect headers are all present, if any."""
    found = [spec for spec in specs if spec.kind == "file" and spec.matches(headers)]
    return max(found, key=lambda spec: len(spec.detect), default=None)


def named(name: str, specs: list[ConnectorSpec]) -> ConnectorSpec:
    """The spec called ``name``; an unknown name lists the known ones."""
    by_name = {spec.name: spec for spec in specs}
    if name not in by_name:
        raise UserError(f"unknown connector '{name}' (known: {', '.join(sorted(by_name))})")
    return by_name[name]
