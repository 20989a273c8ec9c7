"""Project files (``crmclean.yml``): what a migration reads, which rules, and where it loads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crmclean.entity import Entity
from crmclean.errors import UserError
from crmclean.model import format_validation_error, load_yaml
from crmclean.rules import Rules
from crmclean.segments.orders import OrderSource
from crmclean.sources import SourceSpec
from crmclean.validate.quarantine import OnFail


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = None
    url: str | None = Field(default=None, repr=False)
    url_env: str | None = None
    table: str | None = None
    query: str | None = None
    name: str | None = None
    sheet: str | int | None = None
    mapping: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    connector: str | None = None
    entity: Entity | None = None

    @model_validator(mode="after")
    def _one_location(self) -> _Source:
        given = [k for k in ("path", "url", "url_env") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of path, url, url_env (got {given or 'none'})")
        if self.path is not None and (self.table or self.query):
            raise ValueError("`table` and `query` apply to database sources (url or url_env)")
        return self


class _Orders(BaseModel):
    """An orders or deals file; ``customer_source`` names the contact source of its customer ids."""

    model_config = ConfigDict(extra="forbid")
    path: str
    name: str | None = None
    customer_source: str | None = None
    sheet: str | int | None = None
    encoding: str | None = None
    delimiter: str | None = None


class _Project(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    default_region: str = Field(default="BR", min_length=2, max_length=2)
    rules: str | None = None
    connectors: str | None = None
    sources: list[_Source] = Field(min_length=1)
    target: str = "crm.db"
    decisions: str | None = None
    overrides: str | None = None
    on_fail: OnFail = "block"
    orders: list[_Orders] = []
    model: str | None = None


@dataclass(frozen=True)
class Project:
    """A parsed project file with every path resolved against the file's folder."""

    path: Path
    name: str
    sources: list[SourceSpec]
    rules: Rules
    target: str
    decisions: Path | None = None
    overrides: Path | None = None
    on_fail: OnFail = "block"
    orders: tuple[OrderSource, ...] = ()
    model: Path | None = None


def _resolve(base: Path, value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _folder(path: Path, base: Path, value: str | None, key: str) -> Path | None:
    """A ``rules:``/``connectors:`` folder, refused when it is not one (as ``--rules`` is)."""
    folder = _resolve(base, value)
    if folder is not None and not folder.is_dir():
        raise UserError(f"{key}: folder {folder} does not exist", file=str(path))
    return folder


def target_url(base: Path, target: str) -> str:
    """A URL stays as it is; a bare path is a SQLite file relative to the project."""
    if "://" in target:
        return target
    return f"sqlite:///{_resolve(base, target)}"


def _order_source(base: Path, spec: _Orders) -> OrderSource:
    path = Path(spec.path).expanduser()
    return OrderSource(
        path if path.is_absolute() else base / path,
        spec.name,
        spec.customer_source,
        spec.sheet,
        spec.encoding,
        spec.delimiter,
    )


def load_project(path: Path) -> Project:
    """Read and validate a project file; every problem is reported at once."""
    try:
        spec = _Project.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    base = path.resolve().parent
    sources = [
        SourceSpec(
            path=_resolve(base, s.path),
            name=s.name,
            sheet=s.sheet,
            mapping=_resolve(base, s.mapping),
            encoding=s.encoding,
            delimiter=s.delimiter,
            connector=s.connector,
            url=s.url,
            url_env=s.url_env,
            table=s.table,
            query=s.query,
            entity=s.entity,
        )
        for s in spec.sources
    ]
    rules = Rules(
        directory=_folder(path, base, spec.rules, "rules"),
        default_region=spec.default_region.upper(),
        connectors_dir=_folder(path, base, spec.connectors, "connectors"),
    )
    target = target_url(base, spec.target)
    decisions = _resolve(base, spec.decisions)
    overrides = _resolve(base, spec.overrides)
    orders = tuple(_order_source(base, o) for o in spec.orders)
    name = spec.name or base.name
    return Project(
        path, name, sources, rules, target, decisions, overrides, spec.on_fail, orders,
        _resolve(base, spec.model),
    )  # fmt: skip
