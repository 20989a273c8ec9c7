"""The canonical contact model, loaded once from ``rules/contact.yaml``."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from crmclean.errors import UserError

FieldType = Literal[
    "id",
    "text",
    "name",
    "company",
    "email",
    "phone",
    "date",
    "bool",
    "url",
    "city",
    "state",
    "postal_code",
    "country",
    "picklist",
    "tax_id",
]

EXTRA = "extra"

# libyaml parses rule files several times faster than the pure-Python loader.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FieldSpec(BaseModel):
    """One canonical field."""

    model_config = ConfigDict(extra="forbid")

    type: FieldType
    description: str = ""
    multi: bool = False
    aliases: list[str] = []


class ContactModel(BaseModel):
    """All canonical fields, in order."""

    model_config = ConfigDict(extra="forbid")

    version: int
    header_qualifiers: list[str] = []
    fields: dict[str, FieldSpec]

    @property
    def names(self) -> list[str]:
        """Canonical field names in model order (without ``extra``)."""
        return list(self.fields)

    def of_type(self, *types: str) -> list[str]:
        """Field names whose type is one of ``types``."""
        return [name for name, spec in self.fields.items() if spec.type in types]


def load_yaml(path: Path) -> object:
    """Parse a YAML file, turning syntax errors into a one-line user error.

    Parsed files are cached until they change on disk; each caller gets its own copy.
    """
    try:
        changed = path.stat()
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
    return copy.deepcopy(_parse_yaml(path, changed.st_mtime_ns, changed.st_size))


@lru_cache(maxsize=64)
def _parse_yaml(path: Path, changed: int, size: int) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SafeLoader)
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text: invalid byte 0x{exc.object[exc.start]:02x}; save it as UTF-8"
        raise UserError(message, file=str(path), row=line) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"invalid YAML: {problem}", file=str(path), row=row) from None


def format_validation_error(exc: ValidationError) -> str:
    """All problems of a spec in one line: ``field.path: message; ...``."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )


def load_model(path: Path) -> ContactModel:
    """Load and validate a contact model file."""
    data = load_yaml(path)
    try:
        return ContactModel.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
