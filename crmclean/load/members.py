"""The records of every golden record a run touches: incoming records attached to the target's
golden records (:mod:`crmclean.load.resolve`) and the target's records of those golden records,
and the golden records survivorship makes of them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.batch import GOLDEN_ID, RAW, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.decisions import CANNOT, DECISION, read_decisions
from crmclean.dedupe.merge import golden_records
from crmclean.dedupe.survivorship import Survivorship
from crmclean.load.existing import TargetReader, as_records, golden_nodes
from crmclean.load.resolve import APART, EXISTING, FINAL, resolve
from crmclean.load.schema import LINEAGE_KEY

GOLDEN_SLICE = 250_000  # records per survivorship pass
_HASH, _KNOWN = "_hash", "_known"


def cannot_links(decisions: Path | None) -> pl.DataFrame:
    """The cannot-link pairs of a decisions file (``APART`` columns; none without a file)."""
    if decisions is None:
        return pl.DataFrame(schema=dict.fromkeys(APART, pl.String))
    table = read_decisions(decisions)
    return table.filter(pl.col(DECISION) == CANNOT).select(APART)


def incoming_keys(batch: Batch) -> pl.DataFrame:
    """Every incoming record's key (kept or rejected), with the database's column names."""
    keys = [batch.frame.select(SOURCE, SOURCE_ID), batch.rejects.select(SOURCE, SOURCE_ID)]
    return pl.concat(keys).unique().rename(dict(zip((SOURCE, SOURCE_ID), LINEAGE_KEY, strict=True)))


def _known(frame: pl.DataFrame, prior: pl.DataFrame) -> pl.Series:
    """Per incoming record: whether the target's crosswalk holds it with the same values."""
    columns = [c for c in prior.columns if c in frame.columns and c not in (GOLDEN_ID, RAW)]

    def signed(rows: pl.DataFrame) -> pl.DataFrame:
        values = rows.select(
            pl.col(c) if isinstance(rows.schema[c], pl.List) else pl.col(c).cast(pl.String)
            for c in columns
        )
        return rows.select(SOURCE, SOURCE_ID).with_columns(values.hash_rows().alias(_HASH))

    held = signed(prior).with_columns(pl.lit(True).alias(_KNOWN))
    found = signed(frame).join(held, on=[SOURCE, SOURCE_ID, _HASH], how="left")
    return found[_KNOWN].fill_null(False)


def _held(reader: TargetReader, prior: pl.DataFrame, apart: pl.DataFrame) -> pl.DataFrame:
    """``_source, _source_id, golden_id`` of the incoming records the target holds (``prior``)
    and of every record a cannot-link pair names."""
    held = prior.select(SOURCE, SOURCE_ID, GOLDEN_ID)
    if apart.is_empty():
        return held
    source, source_id = LINEAGE_KEY
    keys = pl.concat(
        apart.select(pl.col(a).alias(source), pl.col(b).alias(source_id))
        for a, b in (APART[:2], APART[2:])
    )
    named = as_records(reader.rows("contact_sources", keys.unique()))
    return pl.concat([held, named.select(SOURCE, SOURCE_ID, GOLDEN_ID)]).unique()


def members_of(
    reader: TargetReader,
    batch: Batch,
    contacts: pl.DataFrame,
    config: MatchConfig | None,
    apart: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The records of every golden record the run touches, with their final golden ids; the
    target's crosswalk rows of those golden records; existing ids -> final ids."""
    incoming = incoming_keys(batch)
    prior = as_records(reader.rows("contact_sources", incoming))
    known = _known(batch.frame, prior)
    held = _held(reader, prior, apart)
    resolution = resolve(batch.frame, golden_nodes(contacts), held, config, known, apart)
    itself = prior.select(pl.col(GOLDEN_ID).alias(EXISTING), pl.col(GOLDEN_ID).alias(FINAL))
    renamed = pl.concat([resolution.renamed, itself]).unique(EXISTING, keep="first")
    ids = renamed.select(pl.col(EXISTING).alias(GOLDEN_ID))
    crosswalk = reader.rows("contact_sources", ids)
    stay = as_records(crosswalk).join(
        incoming, left_on=[SOURCE, SOURCE_ID], right_on=list(LINEAGE_KEY), how="anti"
    )
    stay = stay.join(renamed, left_on=GOLDEN_ID, right_on=EXISTING)
    stay = stay.with_columns(pl.col(FINAL).alias(GOLDEN_ID)).drop(FINAL)
    arriving = batch.frame.with_columns(resolution.golden_ids).select(stay.columns)
    return pl.concat([stay, arriving]), crosswalk, renamed


def golden_of(members: pl.DataFrame, fields: list[str], rules: Survivorship) -> pl.DataFrame:
    """:func:`~crmclean.dedupe.merge.golden_records` by slices of golden ids, members in
    lineage order (ties in survivorship never depend on input order). The same rows as one
    pass (sorted within each slice), with a bounded working memory: every sorted copy of a
    wide frame costs 16 bytes a cell, and survivorship over 1M records at once peaks near
    1 GB."""
    parts = members.height // GOLDEN_SLICE + 1
    part = pl.col(GOLDEN_ID).hash() % parts
    slices = [
        golden_records(members.filter(part == i).sort(SOURCE, SOURCE_ID), fields, rules)
        for i in range(parts)
    ]
    return pl.concat(slices)
