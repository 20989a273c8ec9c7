"""What a run reads: source specs and the read -> map step for each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from crmclean.batch import ROW, Batch
from crmclean.canonical import to_canonical
from crmclean.connectors import ConnectorSpec, detect
from crmclean.errors import UserError
from crmclean.mapping import Mapping, load_mapping, suggest
from crmclean.read import read_file
from crmclean.rules import Rules


@dataclass(frozen=True)
class SourceSpec:
    """One input: a file, with optional name, sheet, mapping file and reading options."""

    path: Path
    name: str | None = None
    sheet: str | int | None = None
    mapping: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    connector: str | None = None

    @property
    def source_name(self) -> str:
        """The lineage name: ``name`` when given, else the file stem."""
        return self.name or Path(self.path).stem


def connector_for(spec: SourceSpec, headers: list[str], rules: Rules) -> ConnectorSpec | None:
    """The connector the user named, else the one the headers identify (or none)."""
    if spec.connector is None:
        return detect(headers, rules.connectors)
    named = {c.name: c for c in rules.connectors}
    if spec.connector not in named:
        known = ", ".join(sorted(named))
        raise UserError(f"unknown connector '{spec.connector}' (known: {known})")
    return named[spec.connector]


def mapping_for(spec: SourceSpec, headers: list[str], rules: Rules) -> Mapping:
    """The user's mapping file over the connector's mapping over automatic suggestions."""
    connector = connector_for(spec, headers, rules)
    if spec.mapping is not None:
        return load_mapping(spec.mapping, headers, rules.model, connector)
    return suggest(headers, rules.model, connector)


def read_and_map(spec: SourceSpec, rules: Rules) -> Batch:
    """Read one source and project it onto the canonical model."""
    table = read_file(spec.path, sheet=spec.sheet, encoding=spec.encoding, delimiter=spec.delimiter)
    table = replace(table, name=spec.source_name)
    headers = [c for c in table.frame.columns if c != ROW]
    mapping = mapping_for(spec, headers, rules)
    if not mapping.fields():
        raise UserError(
            f"no recognizable columns among {headers}; write a mapping with "
            f"`crmclean map suggest {spec.path}` and pass it with --mapping",
            file=str(spec.path),
        )
    return to_canonical(table, mapping, rules.model)


def _check_unique_names(specs: list[SourceSpec]) -> None:
    repeated = [name for name, n in Counter(s.source_name for s in specs).items() if n > 1]
    if repeated:
        raise UserError(
            f"several sources are named {repeated}; give each a distinct `name:` in the project"
        )


def read_all(specs: list[SourceSpec], rules: Rules) -> Batch:
    """Read and map every source into one batch."""
    if not specs:
        raise UserError("no sources given")
    _check_unique_names(specs)
    batches = [read_and_map(spec, rules) for spec in specs]
    merged = Batch(pl.concat([b.frame for b in batches], how="vertical"))
    for batch in batches:
        merged = merged.add_findings(batch.findings)
        for stage, counts in batch.stats.items():
            merged = merged.add_stats(stage, **counts)
    return merged
