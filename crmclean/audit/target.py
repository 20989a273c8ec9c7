"""Audit the target database itself: its ``contacts`` table, read-only, as one source."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from crmclean.errors import UserError
from crmclean.sources import SourceSpec
from crmclean.urls import mask_url, parse_url, scrub
from crmclean.write import write_with

TABLE = "contacts"
NOT_FIELDS = ("record_id", "email_alt", "phone_alt", "source_count", "run_id")


def _read_only(url: sa.URL) -> tuple[sa.URL, dict[str, bool]]:
    """A URL and execution options that cannot write (SQLite opened ``mode=ro``)."""
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not Path(path).is_file():
            raise UserError("database file not found", file=path)
        return url.set(database=f"file:{path}?mode=ro", query={"uri": "true"}), {}
    return url, {"postgresql_readonly": True}


def read_contacts(location: str) -> pl.DataFrame:
    """The ``contacts`` table, its golden id as ``record_id`` so findings point back to it."""
    shown = mask_url(location)
    try:
        url, options = _read_only(parse_url(location))
        engine = sa.create_engine(url)
        with engine.connect().execution_options(**options) as conn:
            frame = pl.read_database(f"SELECT * FROM {TABLE}", conn, infer_schema_length=None)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise UserError(f"not a database URL: {scrub(str(exc), location)}", file=shown) from None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        message = f"cannot read table '{TABLE}': {scrub(reason, location)}"
        raise UserError(message, file=shown) from None
    if "golden_id" not in frame.columns:
        raise UserError(f"table '{TABLE}' has no golden_id column", file=shown)
    frame = frame.drop([c for c in NOT_FIELDS if c in frame.columns])
    return frame.rename({"golden_id": "record_id"}).cast(pl.String)


def database_source(location: str, directory: Path) -> SourceSpec:
    """The contacts table written to a Parquet file in ``directory``, as a source spec."""
    name = Path(parse_url(location).database or TABLE).stem or TABLE
    path = directory / f"{name}.parquet"
    write_with(path, read_contacts(location).write_parquet)
    return SourceSpec(path=path, name=name)
