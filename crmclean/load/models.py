"""The ``models`` table: which match model decided each loaded run, and the model itself.

A run's row names its model (id, when learned, from how many records, the rules' hash); the
model is stored with the first run it decided, and later runs reusing it point to it: packed
(:mod:`crmclean.load.packed`: a Parquet table in ``packed``) since session 11, as JSON text in
``body`` before (still read).
An incremental run reads back the model of the target's last loaded run
(:func:`stored_model`).
"""

from __future__ import annotations

import sqlalchemy as sa

from crmclean.dedupe.model import MatchModel, model_of_json
from crmclean.load.packed import packed, unpacked
from crmclean.load.rerun import missing_sqlite
from crmclean.load.schema import Tables
from crmclean.load.target import connect, open_engine


def store_model(conn: sa.Connection, models: sa.Table, run_id: str, model: MatchModel) -> None:
    """Record that ``model`` decided run ``run_id``; the model, packed, unless already stored."""
    stored = sa.select(models.c.run_id).where(
        models.c.model_id == model.model_id, _has_body(models)
    )
    blob = None if conn.execute(stored.limit(1)).first() else packed(model)
    conn.execute(models.insert(), {"run_id": run_id, **model.summary(), "packed": blob})


def _has_body(models: sa.Table) -> sa.ColumnElement[bool]:
    """The row holds the model itself (packed, or as JSON text in older targets)."""
    return sa.or_(models.c.packed.is_not(None), models.c.body.is_not(None))


def last_model(conn: sa.Connection, models: sa.Table, runs: sa.Table) -> MatchModel | None:
    """The model of the target's last loaded run (None: no run recorded one)."""
    if not sa.inspect(conn).has_table(models.name):
        return None
    latest = (
        sa.select(models.c.model_id)
        .join(runs, runs.c.run_id == models.c.run_id)
        .where(runs.c.status == "loaded")
        .order_by(runs.c.sequence.desc())
        .limit(1)
    )
    model_id = conn.execute(latest).scalar()
    if model_id is None:
        return None
    columns = {column["name"] for column in sa.inspect(conn).get_columns(models.name)}
    blob = models.c.packed if "packed" in columns else sa.null()  # JSON text only before
    body = sa.select(blob.label("packed"), models.c.body).where(
        models.c.model_id == model_id, sa.or_(blob.is_not(None), models.c.body.is_not(None))
    )
    row, where = conn.execute(body.limit(1)).first(), f"models table, model {model_id}"
    if row is None:
        return None
    return model_of_json(row.body, where) if row.packed is None else unpacked(row.packed, where)


def stored_model(target: str, tables: Tables) -> MatchModel | None:
    """:func:`last_model` of ``target`` (None for a target never loaded)."""
    if missing_sqlite(target):
        return None
    engine = open_engine(target)
    try:
        with connect(engine) as conn:
            if not sa.inspect(conn).has_table(tables.runs.name):
                return None
            return last_model(conn, tables.models, tables.runs)
    finally:
        engine.dispose()


def run_models(conn: sa.Connection, models: sa.Table) -> dict[str, dict[str, object]]:
    """Per run id, the summary of the model that decided it."""
    if not sa.inspect(conn).has_table(models.name):
        return {}
    summary = [column for column in models.c if column.name not in ("body", "packed")]
    rows = conn.execute(sa.select(*summary)).all()
    return {row.run_id: {k: v for k, v in row._mapping.items() if k != "run_id"} for row in rows}
