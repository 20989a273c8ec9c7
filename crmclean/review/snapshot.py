"""Objects passed to and from the re-learning process through a folder: pickled, with every
polars frame inside written as an Arrow IPC file beside the pickle (writing and reading those
releases the interpreter lock; pickling a frame holds it, and the page's answers would wait)."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import polars as pl

PICKLE = "snapshot.pickle"


class _Writer(pickle.Pickler):
    def __init__(self, file: io.BufferedWriter, folder: Path) -> None:
        super().__init__(file)
        self.folder, self.count = folder, 0

    def persistent_id(self, obj: Any) -> str | None:
        if not isinstance(obj, pl.DataFrame):
            return None
        name = f"frame-{self.count}.arrow"
        self.count += 1
        obj.write_ipc(self.folder / name)
        return name


class _Reader(pickle.Unpickler):
    def __init__(self, file: io.BufferedReader, folder: Path) -> None:
        super().__init__(file)
        self.folder = folder

    def persistent_load(self, pid: Any) -> pl.DataFrame:
        return pl.read_ipc(self.folder / str(pid))


def dump(obj: Any, folder: Path) -> None:
    """Write ``obj`` into ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / PICKLE).open("wb") as file:
        _Writer(file, folder).dump(obj)


def load(folder: Path) -> Any:
    """What :func:`dump` wrote into ``folder``."""
    with (folder / PICKLE).open("rb") as file:
        return _Reader(file, folder).load()
