"""The decisions file as the review page writes it: one row per answer, appended and on disk
(flushed and fsync'd) before the next pair shows.

Rows carry the columns :mod:`crmclean.dedupe.decisions` reads (``source_a, source_id_a,
source_b, source_id_b, decision``) plus ``answer`` (``same``, ``different``, ``unsure`` with
no decision, ``override``, ``split``), ``who``, ``when`` (UTC) and, for a field override,
``field`` and ``pick`` (the ``source:source_id`` whose value wins). A file that lacks these
columns is rewritten once with them (atomically, every row kept). Undo removes the newest
answer of this session only: earlier rows are never touched.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from crmclean.dedupe.decisions import COLUMNS, read_decisions

EXTRA = ["answer", "who", "when", "field", "pick"]
Record = tuple[str, str]  # (source, source id)


@dataclass(frozen=True)
class Answer:
    """One row to append: a pair, its decision, and an optional field override."""

    a: Record
    b: Record
    decision: str
    answer: str
    field: str = ""
    pick: str = ""


@dataclass
class DecisionStore:
    """Appends answers to ``path`` (created with its header when missing) as ``who``; keeps
    the file offsets of this session's answers so the newest can be undone."""

    path: Path
    who: str
    _ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.header = _prepared(self.path)

    def append(self, answers: list[Answer]) -> None:
        """Append ``answers`` as one undoable step, on disk when this returns."""
        when = datetime.now(UTC).isoformat(timespec="seconds")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.header, restval="", lineterminator="\n")
        writer.writerows(_row(answer, self.who, when) for answer in answers)
        with self.path.open("a", encoding="utf-8", newline="") as out:
            self._ends.append(out.tell())
            out.write(buffer.getvalue())
            out.flush()
            os.fsync(out.fileno())

    def undo(self) -> bool:
        """Remove the newest step this session appended; False when there is none."""
        if not self._ends:
            return False
        with self.path.open("r+b") as out:
            out.truncate(self._ends.pop())
            os.fsync(out.fileno())
        return True


def _row(answer: Answer, who: str, when: str) -> dict[str, str]:
    pair = (*answer.a, *answer.b, answer.decision)
    values = (*pair, answer.answer, who, when, answer.field, answer.pick)
    return dict(zip([*COLUMNS, *EXTRA], values, strict=True))


def _prepared(path: Path) -> list[str]:
    """The header to append with: the file's own, extended (and the file rewritten) when it
    lacks the review columns; a new file gets the full header."""
    wanted = [*COLUMNS, *EXTRA]
    if not path.is_file() or not path.stat().st_size:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, ",".join(wanted) + "\n")
        return wanted
    read_decisions(path)  # a malformed file is reported, not appended to
    with path.open(encoding="utf-8-sig", newline="") as existing:
        reader = csv.reader(existing)
        header = next(reader)
        rows = [dict(zip(header, row, strict=False)) for row in reader if row]
    missing = [name for name in wanted if name not in header]
    if missing or not path.read_bytes().endswith(b"\n"):
        header = [*header, *missing]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        _write_atomic(path, buffer.getvalue())
    return header


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
