"""A frame less a few of its rows, without copying the others.

A filter gathers every column of every kept row: at 1M rows of a wide frame (the records with
their raw values, the golden records) that is most of a second, to drop a few dozen quarantined
rows. The rows kept between two dropped ones are slices of the frame instead (no copy), put
end to end; with many rows to drop, a filter is cheaper again.
"""

from __future__ import annotations

import numpy as np
import polars as pl

_POSITION = "_position"
MAX_SLICES = 1024  # more rows to drop than this: one filter, not that many slices


def positions(rows: pl.DataFrame, keys: pl.DataFrame) -> pl.Series:
    """Positions in ``rows``, ascending, of the rows whose ``keys.columns`` equal a row of
    ``keys`` (a null never equals anything)."""
    index = rows.select(keys.columns).with_row_index(_POSITION)
    return index.join(keys, on=keys.columns, how="semi", maintain_order="left")[_POSITION]


def without_positions(rows: pl.DataFrame, dropped: pl.Series) -> pl.DataFrame:
    """``rows`` less the rows at ``dropped`` (ascending positions), in order."""
    if dropped.is_empty():
        return rows
    if dropped.len() > MAX_SLICES:
        keep = np.ones(rows.height, dtype=bool)
        keep[dropped.to_numpy()] = False
        return rows.filter(pl.Series(keep))
    ends = [*dropped.to_list(), rows.height]
    starts = [0, *(position + 1 for position in ends[:-1])]
    parts = [rows.slice(start, end - start) for start, end in zip(starts, ends, strict=True)]
    kept = [part for part in parts if part.height]
    return pl.concat(kept, rechunk=False) if kept else rows.clear()


def without_keys(rows: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """``rows`` less those whose ``keys.columns`` equal a row of ``keys``, in order."""
    return without_positions(rows, positions(rows, keys))
