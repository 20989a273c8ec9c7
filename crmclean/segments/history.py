"""Segments in the target: ``contacts.segment`` (the current one) and ``segment_history`` (every
golden record's segment and RFM at each run), written in one transaction."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID
from crmclean.errors import UserError
from crmclean.load.reading import read_query
from crmclean.load.schema import KEY, RUN_ID, RUN_KEY
from crmclean.load.sqlite_bulk import SideFiles
from crmclean.load.writer import insert_frame, stage_keys
from crmclean.segments.assign import SEGMENT
from crmclean.segments.rfm import RFM_SEGMENT

HISTORY = "segment_history"
_TEXT = (SEGMENT, RFM_SEGMENT, "last_order_at")
_INTEGER = ("r", "f", "m", "orders")
COLUMNS = (RUN_ID, "assigned_at", "as_of", GOLDEN_ID, *_TEXT, *_INTEGER, "revenue")


def history_table(metadata: sa.MetaData | None = None) -> sa.Table:
    """``segment_history``: one row per golden record per run, runs numbered in the order they
    were stored (times as ISO 8601 text)."""
    return sa.Table(
        HISTORY,
        metadata or sa.MetaData(),
        sa.Column(RUN_ID, RUN_KEY, nullable=False, index=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("assigned_at", sa.String(32), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column(GOLDEN_ID, KEY, nullable=False, index=True),
        *(sa.Column(name, sa.Text) for name in _TEXT),
        *(sa.Column(name, sa.Integer) for name in _INTEGER),
        sa.Column("revenue", sa.Float),
    )


def _contacts() -> sa.Table:
    """The two columns of ``contacts`` this module touches."""
    return sa.Table(
        "contacts",
        sa.MetaData(),
        sa.Column(GOLDEN_ID, KEY, primary_key=True),
        sa.Column(SEGMENT, sa.Text),
    )


def _add_segment_column(conn: sa.Connection, contacts: sa.Table) -> None:
    """``contacts.segment``, added to a target that lacks it (null until a run fills it)."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns(contacts.name)}
    if SEGMENT not in columns:
        quote = conn.dialect.identifier_preparer
        conn.exec_driver_sql(
            f"ALTER TABLE {quote.format_table(contacts)} ADD COLUMN {quote.quote(SEGMENT)} TEXT"
        )


def write_segments(conn: sa.Connection, rows: pl.DataFrame, side: SideFiles | None = None) -> int:
    """Append ``rows`` (shaped as :data:`COLUMNS`) to the history and set ``contacts.segment``
    for their golden records, inside the caller's transaction (SQLite: large inserts through
    ``side`` files, :mod:`crmclean.load.sqlite_bulk`)."""
    history = history_table()
    history.create(conn, checkfirst=True)
    contacts = _contacts()
    _add_segment_column(conn, contacts)
    last = conn.execute(sa.select(sa.func.max(history.c.sequence))).scalar()
    numbered = rows.select(COLUMNS).with_columns(pl.lit((last or 0) + 1).alias("sequence"))
    insert_frame(conn, history, numbered, side)
    staged = stage_keys(conn, rows.select(GOLDEN_ID, SEGMENT), side)
    conn.execute(
        sa.update(contacts)
        .values({SEGMENT: staged.c[SEGMENT]})
        .where(contacts.c[GOLDEN_ID] == staged.c[GOLDEN_ID])
    )
    return rows.height


def history_runs(conn: sa.Connection) -> pl.DataFrame:
    """Every run in the history, oldest first: ``run_id, sequence, assigned_at, as_of,
    contacts``."""
    history = history_table()
    if not sa.inspect(conn).has_table(HISTORY):
        return pl.DataFrame(
            schema={
                RUN_ID: pl.String,
                "assigned_at": pl.String,
                "as_of": pl.String,
                "contacts": pl.Int64,
            }
        )
    query = (
        sa.select(
            history.c[RUN_ID],
            sa.func.min(history.c.assigned_at).label("assigned_at"),
            sa.func.min(history.c.as_of).label("as_of"),
            sa.func.count().label("contacts"),
        )
        .group_by(history.c[RUN_ID])
        .order_by(sa.func.min(history.c.sequence))
    )
    schema = {
        RUN_ID: pl.String(),
        "assigned_at": pl.String(),
        "as_of": pl.String(),
        "contacts": pl.Int64(),
    }
    return read_query(conn, query, schema)


def resolve_run(runs: pl.DataFrame, given: str) -> str:
    """The run id ``given`` names (whole, or a prefix naming one run)."""
    found = runs.filter(pl.col(RUN_ID).str.starts_with(given))[RUN_ID].to_list()
    if len(found) == 1:
        return found[0]
    known = ", ".join(runs[RUN_ID].tail(5).to_list()) or "none yet"
    what = "names several runs" if found else "is not a segment run"
    raise UserError(f"--since {given!r} {what}; latest runs: {known}")


def segments_of(conn: sa.Connection, run_id: str) -> pl.DataFrame:
    """``golden_id, segment, rfm_segment`` of every golden record at ``run_id``."""
    history = history_table()
    query = sa.select(history.c[GOLDEN_ID], history.c[SEGMENT], history.c[RFM_SEGMENT]).where(
        history.c[RUN_ID] == run_id
    )
    schema = {GOLDEN_ID: pl.String(), SEGMENT: pl.String(), RFM_SEGMENT: pl.String()}
    return read_query(conn, query, schema)  # type: ignore[arg-type]


def forget_runs(conn: sa.Connection, run_ids: list[str]) -> None:
    """After a rollback of ``run_ids``: their history rows, and those of segment runs made
    since, are deleted; ``contacts.segment`` is set back from the latest run left."""
    if not sa.inspect(conn).has_table(HISTORY):
        return
    history = history_table()
    first = sa.select(sa.func.min(history.c.sequence)).where(history.c[RUN_ID].in_(run_ids))
    since = conn.execute(first).scalar()
    if since is not None:
        conn.execute(history.delete().where(history.c.sequence >= since))
    runs = history_runs(conn)
    contacts = _contacts()
    latest = runs[RUN_ID][-1] if runs.height else None
    current = (
        sa.select(history.c[SEGMENT])
        .where(history.c[RUN_ID] == latest, history.c[GOLDEN_ID] == contacts.c[GOLDEN_ID])
        .scalar_subquery()
    )
    conn.execute(sa.update(contacts).values({SEGMENT: current}))


def current_segments(conn: sa.Connection) -> pl.DataFrame:
    """``golden_id, segment`` from ``contacts`` (segment null where never segmented)."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("contacts")}
    contacts = _contacts()
    segment = contacts.c[SEGMENT] if SEGMENT in columns else sa.null().label(SEGMENT)
    query = sa.select(contacts.c[GOLDEN_ID], segment)
    return read_query(conn, query, {GOLDEN_ID: pl.String(), SEGMENT: pl.String()})
