"""Segments in the target: ``contacts.segment`` (the current one), ``segment_runs`` (one row per
segment run) and ``segment_history`` (what changed at each run: a golden record's segment and
RFM when new or changed, a null segment when it is gone), written in one transaction.

A golden record's segment at a run is its latest history row up to that run; a run that
changes no segment appends no history row, so a rerun of a million golden records writes
only the few that moved. Targets written before ``segment_runs`` hold a row per golden record
and run, which reads the same way."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from crmclean.batch import GOLDEN_ID
from crmclean.errors import UserError
from crmclean.load.reading import read_committed, read_query
from crmclean.load.schema import KEY, RUN_ID, RUN_KEY
from crmclean.load.sqlite_bulk import SideFiles
from crmclean.load.upgrade import ensure_columns
from crmclean.load.writer import indexes_rebuilt, insert_frame, stage_keys
from crmclean.segments.assign import SEGMENT
from crmclean.segments.rfm import RFM_SEGMENT

HISTORY = "segment_history"
RUNS = "segment_runs"
_TEXT = (SEGMENT, RFM_SEGMENT, "last_order_at")
_INTEGER = ("r", "f", "m", "orders")
COLUMNS = (RUN_ID, "assigned_at", "as_of", GOLDEN_ID, *_TEXT, *_INTEGER, "revenue")
_STAMPS = (RUN_ID, "assigned_at", "as_of")  # the run's, not the golden record's
_TYPES: dict[str, pl.DataType] = {
    **dict.fromkeys(("sequence", *_INTEGER), pl.Int64()),
    "revenue": pl.Float64(),
}


def history_table(metadata: sa.MetaData | None = None) -> sa.Table:
    """``segment_history``: one row per golden record per run, runs numbered in the order they
    were stored (times as ISO 8601 text). No index on ``run_id`` (targets before session 12
    have one): nothing looks rows up by it, and on a first run it took a third of the
    history's size (every row holds the same id)."""
    return sa.Table(
        HISTORY,
        metadata or sa.MetaData(),
        sa.Column(RUN_ID, RUN_KEY, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("assigned_at", sa.String(32), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column(GOLDEN_ID, KEY, nullable=False, index=True),
        *(sa.Column(name, sa.Text) for name in _TEXT),
        *(sa.Column(name, sa.Integer) for name in _INTEGER),
        sa.Column("revenue", sa.Float),
    )


def _contacts() -> sa.Table:
    """The columns of ``contacts`` this module touches."""
    return sa.Table(
        "contacts",
        sa.MetaData(),
        sa.Column(GOLDEN_ID, KEY, primary_key=True),
        sa.Column(SEGMENT, sa.Text),
        sa.Column(RUN_ID, RUN_KEY),
    )


def runs_table(metadata: sa.MetaData | None = None) -> sa.Table:
    """``segment_runs``: one row per segment run (also one that changed no segment), with the
    golden records it segmented and the history rows it appended."""
    return sa.Table(
        RUNS,
        metadata or sa.MetaData(),
        sa.Column(RUN_ID, RUN_KEY, primary_key=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("assigned_at", sa.String(32), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("contacts", sa.Integer, nullable=False),
        sa.Column("written", sa.Integer, nullable=False),
    )


def _latest(history: sa.Table, upto: int | None = None) -> sa.Select:
    """Per golden record, its history row with the greatest sequence (up to ``upto``)."""
    rank = sa.func.row_number().over(
        partition_by=history.c[GOLDEN_ID], order_by=history.c.sequence.desc()
    )
    query = sa.select(*history.c, rank.label("_rank"))
    if upto is not None:
        query = query.where(history.c.sequence <= upto)
    ranked = query.subquery()
    return sa.select(*(ranked.c[c.name] for c in history.c)).where(ranked.c["_rank"] == 1)


def _state(
    conn: sa.Connection, upto: int | None = None, *, committed: bool = False
) -> pl.DataFrame:
    """Every golden record's segment and RFM as of sequence ``upto`` (the latest without it):
    its latest history row, unless that row marks it gone (a null segment). ``committed``:
    read as committed (fast on SQLite; only before the transaction writes)."""
    history = history_table()
    schema = {c.name: _TYPES.get(c.name, pl.String()) for c in history.c}
    if not sa.inspect(conn).has_table(HISTORY):
        return pl.DataFrame(schema=schema)
    read = read_committed if committed else read_query
    rows = read(conn, _latest(history, upto), schema)
    return rows.filter(pl.col(SEGMENT).is_not_null())


def write_segments(conn: sa.Connection, rows: pl.DataFrame, side: SideFiles | None = None) -> int:
    """Store a segment run of ``rows`` (every golden record's assignment, shaped as
    :data:`COLUMNS`) inside the caller's transaction, before it writes anything else: its
    ``segment_runs`` row, and in the history only what changed since the latest state (new
    golden records, changed segments or RFM, and a row with a null segment for each golden
    record gone); ``contacts.segment`` set where it differs. SQLite: large inserts through
    ``side`` files. Returns the history rows appended (none for an empty ``rows``)."""
    if rows.is_empty():
        return 0
    rows = rows.select(COLUMNS)
    run_id = rows[RUN_ID][0]
    state, current = _state(conn, committed=True), _current(conn, run_id)
    values = [c for c in COLUMNS if c not in _STAMPS]
    held = state.select(values).cast(rows.select(values).schema)
    changed = rows.join(held, on=values, how="anti", nulls_equal=True)
    gone = state.join(rows, on=GOLDEN_ID, how="anti").select(GOLDEN_ID)
    tombstones = gone.join(rows.select(_STAMPS).head(1), how="cross")
    appended = pl.concat([changed, tombstones], how="diagonal_relaxed").select(COLUMNS)
    history, runs, contacts = history_table(), runs_table(), _contacts()
    history.create(conn, checkfirst=True)
    runs.create(conn, checkfirst=True)
    ensure_columns(conn, contacts, [SEGMENT])  # null until a run fills it
    sequence = _last_sequence(conn) + 1
    stamps = {**rows.select(_STAMPS).row(0, named=True), "sequence": sequence}
    with indexes_rebuilt(conn, history, appended.height):
        insert_frame(conn, history, appended.drop(_STAMPS), side, stamps)
    _record_run(conn, runs, rows, sequence, appended.height)
    held_by = rows.select(GOLDEN_ID, SEGMENT).join(current.select(GOLDEN_ID), on=GOLDEN_ID)
    stale = held_by.join(current, on=[GOLDEN_ID, SEGMENT], how="anti", nulls_equal=True)
    if stale.height:
        staged = stage_keys(conn, stale, side)
        conn.execute(
            sa.update(contacts)
            .values({SEGMENT: staged.c[SEGMENT]})
            .where(contacts.c[GOLDEN_ID] == staged.c[GOLDEN_ID])
        )
    return appended.height


def _current(conn: sa.Connection, run_id: str) -> pl.DataFrame:
    """``golden_id, segment`` from ``contacts`` as committed (a null segment before the column
    exists), less the golden records load run ``run_id`` wrote with a segment: the one this
    run stores (:func:`crmclean.load.load`'s ``segments``), so on a first load none is read
    back."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("contacts")}
    schema: dict[str, pl.DataType] = {GOLDEN_ID: pl.String(), SEGMENT: pl.String()}
    contacts = _contacts()
    if SEGMENT not in columns:  # every golden record held, none with a segment yet
        ids = read_committed(conn, sa.select(contacts.c[GOLDEN_ID]), {GOLDEN_ID: pl.String()})
        return ids.with_columns(pl.lit(None, pl.String()).alias(SEGMENT))
    query = sa.select(contacts.c[GOLDEN_ID], contacts.c[SEGMENT])
    if RUN_ID in columns:
        written = (contacts.c[RUN_ID] == run_id) & contacts.c[SEGMENT].is_not(None)
        query = query.where(sa.not_(written))
    return read_committed(conn, query, schema)


def _last_sequence(conn: sa.Connection) -> int:
    history, runs = history_table(), runs_table()
    last = conn.execute(sa.select(sa.func.max(history.c.sequence))).scalar()
    run = conn.execute(sa.select(sa.func.max(runs.c.sequence))).scalar()
    return max(last or 0, run or 0)


def _record_run(
    conn: sa.Connection, runs: sa.Table, rows: pl.DataFrame, sequence: int, written: int
) -> None:
    """The run's ``segment_runs`` row (its stamps are those of ``rows``)."""
    stamps = rows.select(_STAMPS).row(0, named=True)
    values = {**stamps, "sequence": sequence, "contacts": rows.height, "written": written}
    conn.execute(runs.insert(), values)


def history_runs(conn: sa.Connection) -> pl.DataFrame:
    """Every segment run, oldest first: ``run_id, sequence, assigned_at, as_of, contacts``
    (golden records segmented). Runs stored before ``segment_runs`` existed are read from
    the history itself (one row per golden record each)."""
    schema = {
        RUN_ID: pl.String(),
        "sequence": pl.Int64(),
        "assigned_at": pl.String(),
        "as_of": pl.String(),
        "contacts": pl.Int64(),
    }
    inspector = sa.inspect(conn)
    if not inspector.has_table(HISTORY):
        return pl.DataFrame(schema=schema)
    history = history_table()
    older = sa.select(
        history.c[RUN_ID],
        sa.func.min(history.c.sequence).label("sequence"),
        sa.func.min(history.c.assigned_at).label("assigned_at"),
        sa.func.min(history.c.as_of).label("as_of"),
        sa.func.count().label("contacts"),
    ).group_by(history.c[RUN_ID])
    if inspector.has_table(RUNS):
        runs = runs_table()
        older = older.where(history.c[RUN_ID].not_in(sa.select(runs.c[RUN_ID])))
        recorded = read_query(conn, sa.select(*(runs.c[name] for name in schema)), schema)
    else:
        recorded = pl.DataFrame(schema=schema)
    found = pl.concat([read_query(conn, older, schema), recorded])
    return found.sort("sequence")


def resolve_run(runs: pl.DataFrame, given: str) -> str:
    """The run id ``given`` names (whole, or a prefix naming one run)."""
    found = runs.filter(pl.col(RUN_ID).str.starts_with(given))[RUN_ID].to_list()
    if len(found) == 1:
        return found[0]
    known = ", ".join(runs[RUN_ID].tail(5).to_list()) or "none yet"
    what = "names several runs" if found else "is not a segment run"
    raise UserError(f"--since {given!r} {what}; latest runs: {known}")


def segments_of(conn: sa.Connection, run_id: str) -> pl.DataFrame:
    """``golden_id, segment, rfm_segment`` of every golden record at ``run_id``: each one's
    latest history row up to that run."""
    runs = history_runs(conn).filter(pl.col(RUN_ID) == run_id)
    if runs.is_empty():
        return pl.DataFrame(
            schema={GOLDEN_ID: pl.String, SEGMENT: pl.String, RFM_SEGMENT: pl.String}
        )
    return _state(conn, int(runs["sequence"][0])).select(GOLDEN_ID, SEGMENT, RFM_SEGMENT)


def forget_runs(conn: sa.Connection, run_ids: list[str]) -> None:
    """After a rollback of ``run_ids``: their history rows, and those of segment runs made
    since, are deleted; ``contacts.segment`` is set back from the latest state left."""
    if not sa.inspect(conn).has_table(HISTORY):
        return
    history = history_table()
    runs = history_runs(conn).filter(pl.col(RUN_ID).is_in(run_ids))
    if runs.height:
        since = int(runs["sequence"].min())  # type: ignore[arg-type]
        conn.execute(history.delete().where(history.c.sequence >= since))
        if sa.inspect(conn).has_table(RUNS):
            table = runs_table()
            conn.execute(table.delete().where(table.c.sequence >= since))
    contacts = _contacts()
    current = (
        sa.select(history.c[SEGMENT])
        .where(history.c[GOLDEN_ID] == contacts.c[GOLDEN_ID])
        .order_by(history.c.sequence.desc())
        .limit(1)
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
