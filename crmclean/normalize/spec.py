"""Load and validate the vocabulary files under ``rules/normalize/``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from crmclean.errors import UserError
from crmclean.model import format_validation_error, load_yaml
from crmclean.rules import Rules

SpecT = TypeVar("SpecT", bound=BaseModel)


def load_spec(rules: Rules, relative: str, model: type[SpecT]) -> SpecT:
    """Parse ``rules/<relative>`` into ``model``, reporting every problem at once.

    Parsed files are cached until they change on disk.
    """
    path = rules.path(relative)
    changed = path.stat().st_mtime_ns if path.is_file() else 0
    return _parse(path, changed, model)


@lru_cache(maxsize=64)
def _parse(path: Path, changed: int, model: type[SpecT]) -> SpecT:
    try:
        return model.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
