"""What a run reads: source specs (files or databases) and the read -> map step for each."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from crmclean.batch import ROW, Batch
from crmclean.canonical import drop_deleted, map_values, split_multi, to_canonical
from crmclean.connectors import ConnectorSpec, detect, named
from crmclean.entity import Entity, entity_of
from crmclean.errors import UserError
from crmclean.mapping import Mapping, load_mapping, suggest
from crmclean.read import SourceTable, read_file
from crmclean.read.checks import as_findings, check_cells
from crmclean.read.table import drop_footer
from crmclean.rules import Rules
from crmclean.urls import mask_url


@dataclass(frozen=True)
class SourceSpec:
    """One input: a file (``path``) or a database (``url``/``url_env`` with a sql connector,
    a ``table`` or a ``query``), with optional name, sheet, mapping file and reading options.
    ``entity`` says what its records are; None lets the connector or the columns tell."""

    path: Path | None = None
    name: str | None = None
    sheet: str | int | None = None
    mapping: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    connector: str | None = None
    url: str | None = field(default=None, repr=False)
    url_env: str | None = None
    table: str | None = None
    query: str | None = None
    entity: Entity | None = None

    @property
    def is_database(self) -> bool:
        return self.path is None

    @property
    def source_name(self) -> str:
        """The lineage name: ``name`` when given, else the file stem, table or connector."""
        if self.name:
            return self.name
        if self.path is not None:
            return Path(self.path).stem
        return self.table or self.connector or "sql"

    def database_url(self) -> str:
        """The URL given, or read from the environment variable ``url_env``."""
        if self.url:
            return self.url
        if self.url_env and os.environ.get(self.url_env):
            return os.environ[self.url_env]
        if self.url_env:
            raise UserError(f"environment variable {self.url_env} is not set (database URL)")
        raise UserError(f"source {self.source_name!r} has no path, url or url_env")


def connector_for(spec: SourceSpec, headers: list[str], rules: Rules) -> ConnectorSpec | None:
    """The connector the user named, else the one the headers identify (or none)."""
    if spec.connector is None:
        return None if spec.is_database else detect(headers, rules.connectors)
    connector = named(spec.connector, rules.connectors)
    if connector.kind == "sql" and not spec.is_database:
        raise UserError(f"connector '{connector.name}' reads a database: give `url` or `url_env`")
    if connector.kind == "file" and not any(connector.field_for(h)[0] for h in headers):
        raise UserError(
            f"connector '{connector.name}' does not fit: none of its columns "
            f"({', '.join(list(connector.fields)[:5])}...) is among the headers {headers[:8]}",
            file=str(spec.path),
        )
    return connector


def mapping_for(spec: SourceSpec, headers: list[str], rules: Rules) -> Mapping:
    """The user's mapping file over the connector's mapping over automatic suggestions."""
    return _mapping(spec, headers, rules, connector_for(spec, headers, rules))


def read_table(spec: SourceSpec, rules: Rules) -> SourceTable:
    """The raw table of a source: a file, or a database query run read-only in batches."""
    if spec.path is not None:
        table = read_file(
            spec.path, sheet=spec.sheet, encoding=spec.encoding, delimiter=spec.delimiter
        )
        return replace(table, name=spec.source_name)
    from crmclean.read.database import read_database  # SQLAlchemy: only for a database

    return read_database(spec, rules)


@dataclass(frozen=True)
class SourceRead:
    """One source as read: its spec, its raw table (every column text, NUL bytes removed) and
    the cell findings of reading it (``_row, field, rule, before``)."""

    spec: SourceSpec
    table: SourceTable
    notes: pl.DataFrame


def read_source(spec: SourceSpec, rules: Rules) -> SourceRead:
    """Read one source as it is, nothing mapped yet."""
    table, notes = check_cells(read_table(spec, rules))
    return SourceRead(spec, table, notes)


def map_source(read: SourceRead, rules: Rules, raw: bool = True) -> tuple[Entity, Batch]:
    """Project one source as read onto the canonical model (its connector applied): the
    entity its records are and the records (without ``_raw`` unless ``raw``)."""
    spec, table = read.spec, read.table
    headers = [c for c in table.frame.columns if c != ROW]
    connector = connector_for(spec, headers, rules)
    table, footer_rows = drop_footer(table, connector.footer if connector else [])
    mapping = _check_mapped(_mapping(spec, headers, rules, connector), spec, headers)
    batch = to_canonical(table, mapping, rules.model, raw)
    batch = batch.add_findings(as_findings(read.notes, batch.frame, table.name))
    entity = entity_of(mapping, connector, spec.entity)
    if connector is None:
        return entity, batch
    if footer_rows:
        batch = batch.add_stats(f"read:{table.name}", footer_rows=footer_rows)
    return entity, _apply_connector(batch, table, spec, connector, rules)


def _mapping(
    spec: SourceSpec, headers: list[str], rules: Rules, connector: ConnectorSpec | None
) -> Mapping:
    if spec.mapping is not None:
        return load_mapping(spec.mapping, headers, rules.model, connector)
    return suggest(headers, rules.model, connector)


def _check_mapped(mapping: Mapping, spec: SourceSpec, headers: list[str]) -> Mapping:
    """A source where no column maps is a user error."""
    if not mapping.fields():
        where = mask_url(spec.database_url()) if spec.is_database else str(spec.path)
        raise UserError(
            f"no recognizable columns among {headers}; write a mapping file "
            "(`crmclean map suggest`) and pass it with --mapping",
            file=where,
        )
    return mapping


def _apply_connector(
    batch: Batch, table: SourceTable, spec: SourceSpec, connector: ConnectorSpec, rules: Rules
) -> Batch:
    """The connector's list separator, value maps, deleted rows and deleted-row count."""
    batch = map_values(split_multi(batch, connector.separator, rules.model), connector.values)
    if connector.deleted is not None:
        batch = drop_deleted(batch, table, connector.deleted)
    if connector.count_deleted and spec.is_database and not (spec.query or spec.table):
        from crmclean.read.sql import count  # a database source: SQLAlchemy

        skipped = count(spec.database_url(), connector.count_deleted)
        batch = batch.add_stats(f"read:{table.name}", deleted_rows=skipped)
    return batch


def _check_unique_names(specs: list[SourceSpec]) -> None:
    repeated = [name for name, n in Counter(s.source_name for s in specs).items() if n > 1]
    if repeated:
        raise UserError(
            f"several sources are named {repeated}; give each a distinct `name:` in the project"
        )


def read_sources(specs: list[SourceSpec], rules: Rules) -> tuple[SourceRead, ...]:
    """Read every source (the read stage)."""
    if not specs:
        raise UserError("no sources given")
    _check_unique_names(specs)
    return tuple(read_source(spec, rules) for spec in specs)


def map_sources(reads: tuple[SourceRead, ...], rules: Rules, raw: bool = True) -> Batch:
    """Map every source as read (the map stage): a batch of the contacts (maybe no rows)
    carrying the companies' records apart in ``companies`` (None without a company source);
    each record's ``_raw`` only with ``raw``."""
    mapped = [map_source(read, rules, raw) for read in reads]
    people = [batch for entity, batch in mapped if entity == "contacts"]
    companies = [batch for entity, batch in mapped if entity == "companies"]
    if not people:  # a run of companies only: contacts is the same frame, with no rows
        people = [Batch(companies[0].frame.clear())]
    contacts = _merged(people)
    return replace(contacts, companies=_merged(companies) if companies else None)


def read_all(specs: list[SourceSpec], rules: Rules) -> Batch:
    """Read and map every source into one batch, whatever entity it holds."""
    reads = read_sources(specs, rules)
    return _merged([map_source(read, rules)[1] for read in reads])


def _merged(batches: list[Batch]) -> Batch:
    """One batch of the records, rejects, findings and stats of ``batches``."""
    merged = Batch(pl.concat([b.frame for b in batches], how="vertical"))
    for batch in batches:
        merged = merged.add_rejects(batch.rejects).add_findings(batch.findings)
        for stage, counts in batch.stats.items():
            merged = merged.add_stats(stage, **counts)
    return merged
