"""Header -> canonical field mappings: suggested automatically, editable as YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from rapidfuzz import process
from rapidfuzz.distance import OSA

from crmclean.connectors import ConnectorSpec
from crmclean.errors import UserError
from crmclean.headers import fold_header
from crmclean.model import ContactModel, format_validation_error, load_yaml

Method = Literal["connector", "alias", "fuzzy", "user", "unmapped"]


@dataclass(frozen=True)
class ColumnMapping:
    """Where one source header goes, and how sure we are."""

    header: str
    field: str | None
    confidence: float
    method: Method


@dataclass(frozen=True)
class Mapping:
    """A whole source's mapping; unmapped headers end in ``extra``."""

    columns: list[ColumnMapping]

    def fields(self) -> dict[str, list[str]]:
        """Canonical field -> the headers mapped to it, in source order."""
        out: dict[str, list[str]] = {}
        for column in self.columns:
            if column.field is not None:
                out.setdefault(column.field, []).append(column.header)
        return out

    def unmapped(self) -> list[str]:
        return [c.header for c in self.columns if c.field is None]

    def to_yaml(self, source: str) -> str:
        """The mapping as a YAML document a user can edit and pass back with ``--mapping``."""
        body = {
            c.header: {"field": c.field, "confidence": round(c.confidence, 2)} for c in self.columns
        }
        header = (
            f"# crmclean mapping for {source}\n"
            "# field: a canonical field (listed in rules/contact.yaml), or null to keep the\n"
            "# column only in `extra`. confidence is informational.\n"
        )
        return header + yaml.safe_dump({"columns": body}, allow_unicode=True, sort_keys=False)


def _alias_index(model: ContactModel) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, spec in model.fields.items():
        for alias in [name, *spec.aliases]:
            index.setdefault(fold_header(alias), name)
    return index


def _typo_budget(folded: str) -> int:
    """Edits tolerated for a near-miss: none for short headers, one or two for longer ones."""
    return 0 if len(folded) < 4 else 1 if len(folded) <= 10 else 2


def _unqualified(folded: str, qualifiers: frozenset[str]) -> str:
    """The header without qualifier words at its ends (``postcode fake`` -> ``postcode``)."""
    words = folded.split()
    while len(words) > 1 and words[-1] in qualifiers:
        words.pop()
    while len(words) > 1 and words[0] in qualifiers:
        words.pop(0)
    return " ".join(words)


def _guess(header: str, index: dict[str, str], qualifiers: frozenset[str]) -> ColumnMapping:
    """Exact alias (qualifier words like ``fake``/``raw`` at its ends left out), else a
    near-miss with the same first letter (``Emial``, not ``Idade``)."""
    folded = fold_header(header)
    if folded in index:
        return ColumnMapping(header, index[folded], 1.0, "alias")
    bare = _unqualified(folded, qualifiers)
    if bare in index:
        return ColumnMapping(header, index[bare], 0.9, "alias")
    budget = _typo_budget(folded)
    candidates = [key for key in index if key[:1] == folded[:1]]
    best = process.extractOne(folded, candidates, scorer=OSA.distance, score_cutoff=budget)
    if budget == 0 or best is None:
        return ColumnMapping(header, None, 0.0, "unmapped")
    return ColumnMapping(header, index[best[0]], 1 - best[1] / len(folded), "fuzzy")


def _rank(column: ColumnMapping) -> tuple[bool, bool, float]:
    return (column.method == "user", column.method == "connector", column.confidence)


def _resolve_conflicts(columns: list[ColumnMapping], model: ContactModel) -> list[ColumnMapping]:
    """A single-valued field keeps its most confident header; the others go to ``extra``."""
    winners: dict[str, ColumnMapping] = {}
    for column in columns:
        if column.field is None or model.fields[column.field].multi:
            continue
        current = winners.get(column.field)
        if current is None or _rank(column) > _rank(current):
            winners[column.field] = column
    return [
        c
        if c.field is None or model.fields[c.field].multi or winners[c.field] is c
        else ColumnMapping(c.header, None, 0.0, "unmapped")
        for c in columns
    ]


def _given_name_column(columns: list[ColumnMapping]) -> list[ColumnMapping]:
    """``Nome`` beside ``Sobrenome`` is a given name, not a full name."""
    fields = {c.field for c in columns}
    if "last_name" not in fields or "first_name" in fields:
        return columns
    return [
        ColumnMapping(c.header, "first_name", c.confidence, c.method)
        if c.field == "full_name"
        else c
        for c in columns
    ]


def suggest(
    headers: list[str], model: ContactModel, connector: ConnectorSpec | None = None
) -> Mapping:
    """Map headers by the connector spec if any, then by alias (en/pt/es), then by near-miss."""
    index = _alias_index(model)
    qualifiers = frozenset(fold_header(q) for q in model.header_qualifiers)
    guessed = [_by_connector(h, connector) or _guess(h, index, qualifiers) for h in headers]
    return Mapping(_given_name_column(_resolve_conflicts(guessed, model)))


def _by_connector(header: str, connector: ConnectorSpec | None) -> ColumnMapping | None:
    """The spec's choice for ``header``: a field, or explicitly none (kept in ``extra``)."""
    if connector is None:
        return None
    named, field = connector.field_for(header)
    if not named:
        return None
    return ColumnMapping(header, field, 1.0 if field else 0.0, "connector" if field else "unmapped")


class _UserColumn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str | None
    confidence: float | None = None


class _UserMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: dict[str, _UserColumn | str | None]


def load_mapping(
    path: Path, headers: list[str], model: ContactModel, connector: ConnectorSpec | None = None
) -> Mapping:
    """Read a user's mapping file; headers it does not name are auto-mapped."""
    try:
        spec = _UserMapping.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    chosen = {h: (c.field if isinstance(c, _UserColumn) else c) for h, c in spec.columns.items()}
    problems = [f"unknown field '{f}'" for f in chosen.values() if f and f not in model.fields]
    problems += [f"no column '{h}' in the source" for h in chosen if h not in headers]
    if problems:
        known = ", ".join(model.names)
        raise UserError("; ".join(problems) + f" (known fields: {known})", file=str(path))
    auto = {c.header: c for c in suggest(headers, model, connector).columns}
    columns = [
        ColumnMapping(h, chosen[h], 1.0, "user" if chosen[h] else "unmapped")
        if h in chosen
        else auto[h]
        for h in headers
    ]
    return Mapping(_resolve_conflicts(columns, model))
