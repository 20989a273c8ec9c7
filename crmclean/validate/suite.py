"""The gate's expectation suite: a Great Expectations suite JSON file in the rules folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from crmclean.errors import UserError
from crmclean.model import format_validation_error

ERROR: Final = "error"
WARNING: Final = "warning"


class _Meta(BaseModel):
    model_config = ConfigDict(extra="allow")

    severity: Literal["error", "warning"] = ERROR


class _Expectation(BaseModel):
    """One entry in GX's own format; GX itself checks the type and kwargs later."""

    model_config = ConfigDict(extra="allow")

    type: str
    kwargs: dict[str, Any]
    meta: _Meta = _Meta()


class _Suite(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    expectations: list[_Expectation]


@dataclass(frozen=True)
class Suite:
    """A checked suite file: its name, its expectations as written, and where it came from."""

    name: str
    expectations: list[dict[str, Any]]
    path: Path


def severity_of(meta: dict[str, Any] | None) -> str:
    """``meta.severity`` of an expectation: ``warning`` reports, ``error`` (default) fails."""
    return str((meta or {}).get("severity", ERROR))


def load_suite(path: Path) -> Suite:
    """Read a suite file; any problem is a user error naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("expectation suite not found", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"invalid JSON: {exc.msg}", file=str(path), row=exc.lineno) from None
    try:
        _Suite.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    return Suite(data["name"], data["expectations"], path)
