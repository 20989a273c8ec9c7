"""The short forms of given names: ``rules/nicknames.yaml``, one table per locale."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, TypeAdapter, ValidationError

from crmclean.errors import UserError
from crmclean.model import format_validation_error
from crmclean.rules import Rules

NICKNAMES_FILE = "nicknames.yaml"
GENERATED = "en_list"  # generated from a public list; every other table overrides it

FoldedWord = Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]
_TABLES = TypeAdapter(dict[str, dict[FoldedWord, FoldedWord] | None])


def load_nicknames(rules: Rules) -> dict[str, str]:
    """Short form -> full name of every table of ``nicknames.yaml``: the generated one first,
    then the locale tables in file order (a later table wins a short form they share). A full
    name that is itself a short form of another table is followed to that one (Geri -> Jerry
    -> Gerald), so both meet."""
    path = rules.path(NICKNAMES_FILE)
    try:
        tables = _TABLES.validate_python(rules.load(NICKNAMES_FILE) or {})
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    ordered = sorted(tables.items(), key=lambda item: item[0] != GENERATED)
    merged = {short: full for _, table in ordered for short, full in (table or {}).items()}
    return {short: merged.get(full, full) for short, full in merged.items()}
