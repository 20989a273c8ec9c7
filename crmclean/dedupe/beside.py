"""The records' coded keys, built beside the work before the dedupe stage.

The pipeline's last work before the stage is single-threaded for long spells: the phone
normalizer's per-value Python, then setting the records (or their ``_raw`` and findings)
aside on disk (:mod:`crmclean.aside`). :class:`KeysBeside` builds the matching keys on the
other core meanwhile: :meth:`~KeysBeside.start` (before the phone step, and after it) builds
each key group whose input columns the frame already holds, in a thread of their own;
:meth:`~KeysBeside.finish` (before the records are set aside, or the audit's stage starts)
the others and those still waiting, on two threads (the caller mostly writes, then waits for
them). Every run through the stage has them but one linking into a target's golden records,
which builds the keys of its fresh and golden records together
(:func:`~crmclean.pipeline.keys_beside`). A group built early stands only when its input
columns came out of normalize unchanged, row for row (the steps after the start left them
alone and no record was rejected; checked on those two threads, list columns by their
lengths and flat values); else it is built again from the final frame. The keys are
those :func:`~crmclean.dedupe.keys.key_table` builds of the final frame.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl

from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.derived_keys import DERIVED, SOURCE, add_keys
from crmclean.dedupe.keys import KeyGroup, group_table, joined_tables, key_groups, with_optional
from crmclean.rules import Rules


def _derived(group: KeyGroup) -> list[str]:
    """The derived columns ``group`` reads (:data:`~crmclean.dedupe.derived_keys.DERIVED`)."""
    return [column for column in group.inputs if column in DERIVED]


def _read(group: KeyGroup) -> list[str]:
    """The frame's columns ``group`` reads: its inputs, those its derived ones come from
    (``email`` for ``email_key``)."""
    wanted = [*group.inputs, *(SOURCE[column] for column in _derived(group))]
    return [column for column in dict.fromkeys(wanted) if column not in DERIVED]


def _rows(group: KeyGroup, columns: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``group``'s input columns made of ``columns`` (:func:`_read`'s): only the derived
    columns it reads are derived."""
    derived = _derived(group)
    made = add_keys(columns, rules, derived) if derived else columns
    return with_optional(made).select(group.inputs)


def _same(early: pl.DataFrame, frame: pl.DataFrame) -> bool:
    """Whether ``frame`` holds ``early``'s columns, row for row."""
    return early.height == frame.height and all(
        column in frame.columns and _equal(early[column], frame[column]) for column in early.columns
    )


def _equal(early: pl.Series, final: pl.Series) -> bool:
    """Whether two columns hold the same values, nulls alike; lists by their lengths, then
    their values laid flat (comparing list columns whole is many times slower)."""
    if early.dtype != final.dtype:
        return False
    if not isinstance(early.dtype, pl.List):
        return final.equals(early)
    lengths = early.list.len().equals(final.list.len())
    return lengths and _equal(early.explode(), final.explode())


class KeysBeside:
    """The coded keys ``config`` names of a frame's records, built in a thread of their own
    while normalize runs, on two once it is over: some from the frame as normalize has it
    before and after its phone step, the rest from the final frame (see the module)."""

    def __init__(self, rules: Rules, config: MatchConfig) -> None:
        self._rules, self._config = rules, config
        self._names = config.key_names
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="crmclean-keys")
        self._early: dict[KeyGroup, tuple[pl.DataFrame, Future[KeyTable]]] = {}
        self._built: list[Future[Future[KeyTable] | KeyTable]] | None = None

    def start(self, frame: pl.DataFrame) -> None:
        """Start building the groups whose columns ``frame`` holds and none started before
        (``frame``: the records part way through normalize)."""
        for group in key_groups(self._names):
            read = _read(group)
            if group in self._early or not all(column in frame.columns for column in read):
                continue
            columns = frame.select(read)
            built = self._pool.submit(self._build, group, columns)
            self._early[group] = (columns, built)

    def finish(self, frame: pl.DataFrame) -> None:
        """Go on to build the keys of ``frame``'s records (normalized, rejects gone), on two
        threads (normalize is over: the caller's work is mostly writing, then waiting for
        them): the groups built (or being built) early stand when ``frame`` holds their
        columns unchanged (checked on those threads first, not the caller's); the others,
        and those still waiting for the early thread, are built from ``frame``."""
        pool = ThreadPoolExecutor(2, thread_name_prefix="crmclean-keys")
        built: dict[KeyGroup, Future[Future[KeyTable] | KeyTable]] = {}
        late = []
        for group in key_groups(self._names):
            final = frame.select(c for c in _read(group) if c in frame.columns)
            early = self._early.pop(group, None)
            if early is None or early[1].cancel():  # late, or waiting for the early thread
                late.append((group, final))
            else:
                built[group] = pool.submit(self._checked, group, *early, final)
        built |= {group: pool.submit(self._build, group, final) for group, final in late}
        self._built = [built[group] for group in key_groups(self._names)]
        for used in (self._pool, pool):
            used.shutdown(wait=False)

    def take(self) -> KeyTable:
        """The keys :meth:`finish` builds, once they are built; held no longer here (the
        stage lets them go before the merge)."""
        built, self._built = self._built, None
        assert built is not None, "take() once, after finish()"
        made = [group.result() for group in built]
        tables = [table.result() if isinstance(table, Future) else table for table in made]
        return joined_tables(tables, self._names)

    def _checked(
        self, group: KeyGroup, columns: pl.DataFrame, early: Future[KeyTable], final: pl.DataFrame
    ) -> Future[KeyTable] | KeyTable:
        """``group``'s early build when ``final`` holds its ``columns`` unchanged, else
        ``group`` built from ``final`` (the early build's result left unread)."""
        return early if _same(columns, final) else self._build(group, final)

    def _build(self, group: KeyGroup, columns: pl.DataFrame) -> KeyTable:
        return group_table(group, _rows(group, columns, self._rules), self._names, self._config)
