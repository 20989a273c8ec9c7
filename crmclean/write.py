"""Every file crmclean writes: whole or not at all, never over an input, CSV safe to open.

A file is written to a temporary file beside it and renamed into place, so a crash or a full
disk leaves the old file (or none) and no leftovers. CSV that people open in a spreadsheet has
formula-looking cells escaped (OWASP's rule); ``for_people=False`` is the opt-out for files
only programs read.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from crmclean.errors import UserError

LIST_SEPARATOR = "; "
# A cell a spreadsheet runs as a formula starts with one of these (full-width forms too).
FORMULA_START = "[=+\\-@\t\r＝＋－＠]"
_NUMBER = r"^[+\-]?\d[\d.,]*$|^\+[1-9]\d{6,14}$"  # -12.5, E.164 phones: numbers, not formulas
TABLE_FORMATS = (".csv", ".parquet", ".json", ".ndjson", ".jsonl")


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it when the block succeeds and removed
    when it fails; a full disk or an unwritable folder is a :class:`UserError`."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError("folder does not exist", file=str(folder))
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(exc, path) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(_mode(path))
        temporary.replace(path)
    except OSError as exc:
        raise _write_error(exc, path) from None
    finally:
        temporary.unlink(missing_ok=True)


def _mode(path: Path) -> int:
    """The permissions the file would have had: an existing file's, else the umask's."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _write_error(exc: OSError, path: Path) -> UserError:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT) or "os error 28" in str(exc)
    if full:  # polars reports a full disk as an OSError without errno: "(os error 28)"
        return UserError(f"no space left writing {path}")
    return UserError(f"cannot write the file: {exc.strerror or exc}", file=str(path))


def write_text(path: Path, text: str) -> Path:
    """``text`` as UTF-8 into ``path``, atomically."""
    with atomic(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


def write_with(path: Path, writer: Callable[[Path], object]) -> Path:
    """``writer(temporary_path)`` renamed onto ``path`` when it succeeds."""
    with atomic(path) as temporary:
        writer(temporary)
    return path


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula prefixed with ``'``; numbers and E.164
    phone numbers (``+5511...``, ``-12.5``) are left as they are."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(_escaped(pl.col(name)).alias(name) for name in text)


def _escaped(cell: pl.Expr) -> pl.Expr:
    risky = cell.str.contains(f"^{FORMULA_START}") & ~cell.str.contains(_NUMBER)
    return pl.when(risky).then(pl.lit("'") + cell).otherwise(cell)


def escape_cell(value: str) -> str:
    """One cell as :func:`spreadsheet_safe` writes it (for files written row by row)."""
    risky = re.match(FORMULA_START, value) and not re.search(_NUMBER, value)
    return f"'{value}" if risky else value


def unescape(frame: pl.DataFrame) -> pl.DataFrame:
    """The cells of a CSV crmclean wrote (and a person edited) with the ``'`` escape removed."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    escaped = pl.col(text).str.contains(f"^'{FORMULA_START}")
    return frame.with_columns(
        pl.when(escaped).then(pl.col(text).str.slice(1)).otherwise(pl.col(text)).name.keep()
    )


def write_csv(
    frame: pl.DataFrame, path: Path, *, for_people: bool = True, bom: bool = False
) -> Path:
    """``frame`` as CSV (lists joined with ``; ``), atomically; escaped unless machine-only."""
    flat = _flatten_lists(frame)
    safe = spreadsheet_safe(flat) if for_people else flat
    return write_with(path, lambda temporary: safe.write_csv(temporary, include_bom=bom))


def write_table(frame: pl.DataFrame, path: Path, *, for_people: bool = True) -> Path:
    """Write ``frame`` as CSV, Parquet, JSON or NDJSON; the file appears whole or not at all."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise UserError(
            "unsupported output format; use .csv, .parquet, .json or .ndjson", file=str(path)
        )
    if suffix == ".csv":
        return write_csv(frame, path, for_people=for_people)
    if suffix == ".parquet":
        return write_with(path, frame.write_parquet)
    if suffix == ".json":
        return write_with(path, frame.write_json)
    return write_with(path, frame.write_ndjson)


def refuse_inputs(
    outputs: Iterable[Path | str | None], inputs: Iterable[Path | str | None]
) -> None:
    """Refuse any output that is one of the inputs (the same file, by inode), or named twice."""
    read = [Path(p) for p in inputs if p is not None]
    seen: list[Path] = []
    for output in (Path(p) for p in outputs if p is not None):
        if any(_same(output, source) for source in read):
            raise UserError("output is one of the inputs; write it elsewhere", file=str(output))
        if any(_same(output, other) or output == other for other in seen):
            raise UserError("the same file is given for two outputs", file=str(output))
        seen.append(output)


def check_folders(outputs: Iterable[Path | str | None]) -> None:
    """Refuse an output whose folder does not exist, before the work rather than after it."""
    for output in (Path(p) for p in outputs if p is not None):
        if not (output.parent if str(output.parent) else Path(".")).is_dir():
            raise UserError("folder does not exist", file=str(output.parent))


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _flatten_lists(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV has no lists: join list cells with ``; ``."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(pl.col(lists).list.join(LIST_SEPARATOR)) if lists else frame
