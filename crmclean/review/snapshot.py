"""Objects passed to and from the re-learning process through a folder: pickled, with every
polars frame and series inside written as an Arrow IPC file beside the pickle (writing and
reading those releases the interpreter lock; pickling a frame or a series holds it, and the
page's answers would wait: 0.1 s for a series of a million values)."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import polars as pl

PICKLE = "snapshot.pickle"
_FRAME, _SERIES = "frame", "series"


class _Writer(pickle.Pickler):
    def __init__(self, file: io.BufferedWriter, folder: Path) -> None:
        super().__init__(file)
        self.folder, self.count = folder, 0

    def persistent_id(self, obj: Any) -> tuple[str, str] | None:
        if isinstance(obj, pl.DataFrame):
            kind, frame = _FRAME, obj
        elif isinstance(obj, pl.Series):
            kind, frame = _SERIES, obj.to_frame()
        else:
            return None
        name = f"{kind}-{self.count}.arrow"
        self.count += 1
        frame.write_ipc(self.folder / name)
        return kind, name


class _Reader(pickle.Unpickler):
    def __init__(self, file: io.BufferedReader, folder: Path) -> None:
        super().__init__(file)
        self.folder = folder

    def persistent_load(self, pid: Any) -> pl.DataFrame | pl.Series:
        kind, name = pid
        frame = pl.read_ipc(self.folder / str(name))
        return frame.to_series() if kind == _SERIES else frame


def dump(obj: Any, folder: Path) -> None:
    """Write ``obj`` into ``folder`` (created if missing; not its parent: a worker left
    running after its session removed the parent leaves nothing behind)."""
    folder.mkdir(exist_ok=True)
    with (folder / PICKLE).open("wb") as file:
        _Writer(file, folder).dump(obj)


def load(folder: Path) -> Any:
    """What :func:`dump` wrote into ``folder``."""
    with (folder / PICKLE).open("rb") as file:
        return _Reader(file, folder).load()
