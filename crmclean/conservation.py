"""The conservation invariant: every record read ends in exactly one golden record or in
rejects, never both, and no reader lost a row.

The check compares each source's record ids kept and rejected with its ids read, sorted (one
text column at a time): no hash table over the two lineage columns, whose row encoding made
this check the peak of a 1M dedupe. Only a failed check builds the two-column anti-join, to
say which record went missing.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import SOURCE, SOURCE_ID, Batch


class ConservationError(AssertionError):
    """A record was lost or duplicated between stages: a bug, never a user error."""


def check_conservation(inputs: pl.DataFrame, batch: Batch) -> None:
    """Every record a source holds is an input, and every input record is in exactly one
    golden record or in rejects, never both."""
    check_seen(inputs, batch.stats)
    kept = batch.frame.select(SOURCE, SOURCE_ID)
    rejected = batch.rejects.select(SOURCE, SOURCE_ID).unique()
    if kept.height + rejected.height != inputs.height or not _same_records(inputs, kept, rejected):
        _explain(inputs, kept, rejected)


def _same_records(inputs: pl.DataFrame, kept: pl.DataFrame, rejected: pl.DataFrame) -> bool:
    """Each source's ids kept or rejected are its ids read, each once (compared sorted)."""
    for name in inputs[SOURCE].unique():
        ids = [_ids(part, name) for part in (inputs, kept, rejected)]
        read = ids[0].sort()
        accounted = pl.concat(ids[1:]).sort()
        if not accounted.equals(read) or _repeats(accounted):
            return False
    return True


def _ids(frame: pl.DataFrame, name: str) -> pl.Series:
    """``frame``'s record ids from source ``name`` (no copy when it holds no other)."""
    mine = frame[SOURCE].eq_missing(name)
    return frame[SOURCE_ID] if mine.all() else frame[SOURCE_ID].filter(mine)


def _repeats(ids: pl.Series) -> bool:
    """Whether sorted ``ids`` hold a value twice (or a null)."""
    if ids.null_count():
        return True
    return ids.len() > 1 and bool((ids.slice(1) == ids.slice(0, ids.len() - 1)).any())


def _explain(inputs: pl.DataFrame, kept: pl.DataFrame, rejected: pl.DataFrame) -> None:
    """Raise the :class:`ConservationError` saying how the records went wrong."""
    accounted = pl.concat([kept, rejected])
    if accounted.height != inputs.height or accounted.n_unique() != inputs.height:
        raise ConservationError(
            f"{inputs.height} records read but {kept.height} kept and {rejected.height} rejected"
        )
    missing = inputs.join(accounted, on=[SOURCE, SOURCE_ID], how="anti")
    if missing.height:
        raise ConservationError(f"{missing.height} records lost, e.g. {missing.row(0)}")
    raise ConservationError(f"{inputs.height} records read, some of them twice")


def check_seen(inputs: pl.DataFrame, stats: dict[str, dict[str, int]]) -> None:
    """Each source's own count of its records (``seen``, counted apart from the parse) equals
    its input records plus the blank and footer rows it skipped: no reader dropped a row."""
    for stage, counts in stats.items():
        if not stage.startswith("read:") or "seen" not in counts:
            continue
        name = stage.removeprefix("read:")
        read = int((inputs[SOURCE] == name).sum())
        skipped = counts.get("blank_rows", 0) + counts.get("footer_rows", 0)
        if read + skipped != counts["seen"]:
            raise ConservationError(
                f"source {name!r} holds {counts['seen']} records but {read} were read "
                f"({skipped} blank or footer rows skipped): the reader lost or invented rows"
            )
