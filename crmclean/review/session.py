"""A review session: the queue, the cursor, the answers, undo; every answer is in the
decisions file (:class:`~crmclean.review.store.DecisionStore`) before the next pair is chosen.

Answers: ``same`` (must-link, with the reviewer's field picks as override rows), ``different``
(cannot-link), ``unsure`` (written without a decision: not asked again, reachable with the
arrows), ``skip`` (this session only). The page always shows the first unanswered pair at or
after the cursor, so a restarted session goes on where the last one stopped.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.decisions import CANNOT, MUST, read_pairs_file, record_pairs
from crmclean.review.evidence import aligned_fields, contributions
from crmclean.review.preview import Key, Survived, golden_preview, survivors
from crmclean.review.queue import PAIR, Filters, choices, ordered
from crmclean.review.relearn import Learner, Relearned, Worker, band, counts, labelled
from crmclean.review.run import ReviewRun
from crmclean.review.store import Answer, DecisionStore

DECISIONS = {"same": MUST, "different": CANNOT, "unsure": ""}
SLICE = 4096  # pairs converted at a time while a queue is built
PAUSE = 0.001  # seconds between slices: an answer under way runs meanwhile
AHEAD = 64  # pairs whose previews are computed together (one survivorship pass)
KEPT = 4096  # previews kept at most


def key_of(text: str) -> Key:
    """``"12-40"`` (as the page sends it) as a key."""
    left, _, right = text.partition("-")
    return int(left), int(right)


@dataclass
class _Queue:
    """A review band ready to swap into a session: the table, its tf bits, the filter
    choices, each pair's row and band position, and the order under the filters."""

    table: pl.DataFrame
    tf: pl.DataFrame
    choices: dict[str, list[dict[str, object]]]
    rows: dict[Key, int]
    positions: dict[Key, int]
    order: list[Key]

    @classmethod
    def of(cls, table: pl.DataFrame, tf: pl.DataFrame, filters: Filters) -> _Queue:
        """The queue of ``table``, built a slice at a time: between slices, a thread
        answering the reviewer gets the interpreter (a conversion of the whole band would
        hold it for a long while)."""
        rows: dict[Key, int] = {}
        positions: dict[Key, int] = {}
        order: list[Key] = []
        for start in range(0, table.height, SLICE):
            part = table.slice(start, SLICE)
            keys = list(zip(part[LEFT].to_list(), part[RIGHT].to_list(), strict=True))
            rows.update(zip(keys, part[PAIR].to_list(), strict=True))
            positions.update(zip(keys, range(start, start + part.height), strict=True))
            order += ordered(part, filters)  # a filter keeps the order: slices add up
            time.sleep(PAUSE)
        return cls(table, tf, choices(table), rows, positions, order)

    def at(self, pair: Key, default: int) -> int:
        """The position of ``pair`` in the order, ``default`` if it is not in it."""
        if len(self.order) == len(self.positions):  # unfiltered: the band's own order
            return self.positions.get(pair, default)
        return self.order.index(pair) if pair in self.order else default


@dataclass
class Session:
    """The reviewer's place in the queue of ``run`` and the answers given, behind one lock."""

    run: ReviewRun
    store: DecisionStore
    filters: Filters = field(default_factory=Filters)
    status: dict[Key, str] = field(default_factory=dict)
    history: list[tuple[Key, bool, str]] = field(default_factory=list)  # pair, written, before
    cursor: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    worker: Worker = field(default_factory=Worker)
    rows: dict[Key, int] = field(default_factory=dict, init=False)  # pair: its row in pairs
    previous: dict[Key, int] = field(default_factory=dict, init=False)  # rows before a swap
    survived: dict[Key, Survived] = field(default_factory=dict, init=False)  # previews
    _prefetching: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.rebuild()
        self.status.update(self._unsure_before())
        self.cursor = self._next_open(0)
        self.learner = Learner(counts(labelled(self.store.path, self.run.indexed())))
        self.worker.prepare(self.run)  # once, before any answer

    @property
    def learning(self) -> dict[str, Any]:
        return self.learner.status()

    def _relearn(self) -> None:
        """Re-learn ``m`` from the answers in the worker process; swap the re-ranked queue in
        when it is done (answers go on meanwhile)."""
        self.learner.running = True
        self.learner.learned_at = sum(self.learner.answered.values())
        self.worker.submit(self.run, self.store.path, self._relearned)

    def _relearned(self, outcome: Relearned | Exception) -> None:
        try:
            if isinstance(outcome, Exception):  # a failed re-learning keeps the queue
                self.learner.report = {"error": str(outcome) or type(outcome).__name__}
                return
            scored, report, (table, tf) = outcome
            filters = self.filters
            queue = _Queue.of(table, tf, filters)  # built before the lock: answers go on
            with self.lock:  # only a swap under the lock
                self.run.pairs = scored
                current = self.order[self.cursor] if self.order else None
                if filters != self.filters:  # changed meanwhile (rare): order again
                    queue.order = ordered(table, self.filters)
                self._swap(queue)
                if current is not None and current not in self.status:
                    self.cursor = queue.at(current, self.cursor)
                self.learner.report = report
        finally:
            self.learner.running = False

    def close(self) -> None:
        """Stop the re-learning worker."""
        self.worker.close()

    def rebuild(self) -> None:
        """The queue from the run's current pairs and the filters."""
        self._install(*band(self.run, self.run.pairs))

    def _install(self, table: pl.DataFrame, tf: pl.DataFrame) -> None:
        self._swap(_Queue.of(table, tf, self.filters))

    def known(self, pair: Key) -> bool:
        """Whether ``pair`` is in the queue, or was just before a re-ranking swapped it out
        (the page may show it still)."""
        return pair in self.rows or pair in self.previous

    def _swap(self, queue: _Queue) -> None:
        self.previous = self.rows
        self.table, self.tf, self.choices = queue.table, queue.tf, queue.choices
        self.rows, self.positions, self.order = queue.rows, queue.positions, queue.order
        self.cursor = self._next_open(0)

    def _order(self) -> None:
        self.order = ordered(self.table, self.filters)
        self.cursor = self._next_open(0)

    def _unsure_before(self) -> dict[Key, str]:
        """Pairs answered ``unsure`` in the decisions file (not asked again)."""
        rows = read_pairs_file(self.store.path, ["answer"], "decisions")
        unsure = rows.filter(pl.col("answer") == "unsure")
        known = record_pairs(unsure, self.run.indexed(), "answer")
        return {(left, right): "unsure" for left, right, _ in known.iter_rows()}

    def _next_open(self, start: int) -> int:
        """The first position from ``start`` (wrapping) without an answer; ``start`` if none."""
        size = len(self.order)
        for step in range(size):
            position = (start + step) % size
            if self.order[position] not in self.status:
                return position
        return min(start, max(size - 1, 0))

    def answer(self, pair: Key, kind: str, picks: dict[str, str] | None = None) -> None:
        """Record ``kind`` for ``pair`` (on disk first), then move to the next open pair."""
        with self.lock:
            written = kind in DECISIONS
            if written:
                self.store.append(self._rows(pair, kind, picks or {}))
            before = self.status.get(pair, "")
            self.status[pair] = kind
            self.history.append((pair, written, before))
            self.learner.count(before, -1)
            self.learner.count(kind, 1)
            if self.order and self.order[self.cursor] == pair:
                self.cursor = self._next_open(self.cursor)
            if self.learner.due():
                self._relearn()

    def _rows(self, pair: Key, kind: str, picks: dict[str, str]) -> list[Answer]:
        a, b = self.records(pair)
        rows = [Answer(a, b, DECISIONS[kind], kind)]
        if kind == "same":
            chosen = {"a": ":".join(a), "b": ":".join(b)}
            rows += [Answer(a, b, MUST, "override", f, chosen[p]) for f, p in picks.items()]
        return rows

    def records(self, pair: Key) -> tuple[tuple[str, str], tuple[str, str]]:
        """Both records' ``(source, source_id)``."""
        ids = self.run.frame.select(SOURCE, SOURCE_ID)
        return ids.row(pair[0]), ids.row(pair[1])

    def undo(self) -> Key | None:
        """Take back the newest answer (removed from the file); the cursor goes to its pair."""
        with self.lock:
            if not self.history:
                return None
            pair, written, before = self.history.pop()
            if written:
                self.store.undo()
            self.learner.count(self.status.pop(pair, ""), -1)
            self.learner.count(before, 1)
            if before:
                self.status[pair] = before
            if pair in self.order:
                self.cursor = self.order.index(pair)
            return pair

    def move(self, delta: int) -> None:
        with self.lock:
            if self.order:
                self.cursor = (self.cursor + delta) % len(self.order)

    def set_filters(self, filters: Filters) -> None:
        with self.lock:
            self.filters = filters
            self._order()

    def state(self) -> dict[str, Any]:
        """What the page shows: progress, filters and the pair under the cursor."""
        with self.lock:
            pair = self.order[self.cursor] if self.order else None
            answered = [key for key, kind in self.status.items() if kind in DECISIONS]
            gone = sum(1 for key in answered if key not in self.rows)  # left a re-ranked band
            return {
                "total": self.table.height + gone,
                "answered": len(answered),
                "position": self.cursor + 1 if self.order else 0,
                "in_queue": len(self.order),
                "filters": vars(self.filters),
                "choices": self.choices,
                "pair": None if pair is None else self.pair_view(pair),
            }

    def pair_view(self, pair: Key, picks: dict[str, str] | None = None) -> dict[str, Any]:
        """One pair: lineage, probability, fields side by side, contributions and preview."""
        run = self.run
        row = run.pairs.row(self.rows[pair], named=True)
        row |= self.tf.row(self.positions[pair], named=True)
        records = run.frame[list(pair)]
        sides = records.select(SOURCE, SOURCE_ID, GOLDEN_ID).rows(named=True)
        return {
            "key": f"{pair[0]}-{pair[1]}",
            "status": self.status.get(pair, ""),
            "probability": row["probability"],
            "match_weight": row["match_weight"],
            "threshold": run.config.auto_merge_threshold,
            "a": sides[0],
            "b": sides[1],
            "fields": aligned_fields(records, run.fields),
            "contributions": contributions(row, run.config),
            "preview": self.preview(pair, picks or {}),
        }

    def preview(self, pair: Key, picks: dict[str, str]) -> list[dict[str, Any]]:
        """The golden record merging ``pair`` would make, with ``picks`` (field: a or b)."""
        records = self.run.frame[list(pair)]
        return golden_preview(records, self.run.fields, self._survived(pair), picks)

    def _survived(self, pair: Key) -> Survived:
        """The survivors of merging ``pair``. On a miss (the first pair, a jump, a new
        filter) they are computed together with those of the next open pairs in the queue:
        one survivorship pass for ``AHEAD`` pairs costs about what one pair does. Records,
        findings and survivorship rules never change in a session: a re-learning keeps them."""
        with self.lock:
            if pair not in self.survived:
                self._merge([pair, *[key for key in self._missing() if key != pair]])
            return self.survived[pair]

    def prefetch(self) -> None:
        """Merge the previews of the next ``AHEAD`` open pairs when fewer than half of them are
        ready, outside the lock (answers go on meanwhile); one at a time. The page runs it
        after each response is sent, so an answer rarely waits for a preview."""
        if not self._prefetching.acquire(blocking=False):
            return
        try:
            with self.lock:
                missing = self._missing()
            if len(missing) > AHEAD // 2:
                self._merge(missing)
        finally:
            self._prefetching.release()

    def _merge(self, pairs: list[Key]) -> None:
        """Merge the previews of ``pairs`` (at most ``AHEAD``); past ``KEPT`` previews the
        older ones go (mostly pairs answered, or far behind after a re-ranking)."""
        run = self.run
        found = survivors(run.frame, pairs[:AHEAD], run.fields, run.config, run.findings)
        with self.lock:
            if len(self.survived) + len(found) > KEPT:
                self.survived = {}
            self.survived.update(found)

    def _missing(self) -> list[Key]:
        """Those of the next ``AHEAD`` open pairs from the cursor on whose survivors are not
        known yet."""
        order = itertools.islice(self.order, self.cursor, None)
        ahead = itertools.islice((key for key in order if key not in self.status), AHEAD)
        return [key for key in ahead if key not in self.survived]
