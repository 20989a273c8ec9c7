"""Turn a source table into the canonical frame: fields, lineage, ``_raw`` and ``extra``."""

from __future__ import annotations

import polars as pl

from crmclean.batch import RAW, ROW, SOURCE, SOURCE_ID, Batch
from crmclean.connectors import DeletedRows
from crmclean.mapping import Mapping
from crmclean.model import EXTRA, ContactModel
from crmclean.read import SourceTable

MULTI_SEPARATOR = "; "


def _json_of(headers: list[str]) -> pl.Expr:
    if not headers:
        return pl.lit(None, dtype=pl.String)
    return pl.struct([pl.col(h) for h in headers]).struct.json_encode()


def _field_expr(name: str, headers: list[str], multi: bool) -> pl.Expr:
    if not headers:
        return pl.lit(None, dtype=pl.String).alias(name)
    if not multi or len(headers) == 1:
        return pl.col(headers[0]).alias(name)
    joined = pl.concat_str(
        [pl.col(h) for h in headers], separator=MULTI_SEPARATOR, ignore_nulls=True
    )
    return pl.when(joined == "").then(None).otherwise(joined).alias(name)


def _source_id(frame: pl.DataFrame, id_headers: list[str]) -> tuple[pl.Expr, bool]:
    """The mapped id column when it is unique and never empty, else the data row number."""
    row_id = pl.col(ROW).cast(pl.String)
    if not id_headers:
        return row_id, True
    ids = frame.get_column(id_headers[0])
    usable = ids.null_count() == 0 and ids.n_unique() == frame.height
    return (pl.col(id_headers[0]) if usable else row_id), usable


def to_canonical(table: SourceTable, mapping: Mapping, model: ContactModel) -> Batch:
    """Project a source onto the canonical model; nothing is dropped (unmapped -> ``extra``)."""
    frame = table.frame
    by_field = mapping.fields()
    headers = [c for c in frame.columns if c != ROW]
    source_id, id_usable = _source_id(frame, by_field.get("record_id", []))
    canonical = frame.select(
        pl.lit(table.name).alias(SOURCE),
        source_id.alias(SOURCE_ID),
        pl.col(ROW).cast(pl.Int64),
        _json_of(headers).alias(RAW),
        *[_field_expr(n, by_field.get(n, []), s.multi) for n, s in model.fields.items()],
        _json_of(mapping.unmapped()).alias(EXTRA),
    )
    batch = Batch(canonical).add_stats(
        f"read:{table.name}", rows=frame.height, blank_rows=table.blank_rows
    )
    if not id_usable:
        batch = batch.add_findings(_id_not_unique(table.name, by_field["record_id"][0]))
    return batch


def _id_not_unique(source: str, header: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            SOURCE: [source],
            SOURCE_ID: [None],
            "field": ["record_id"],
            "code": ["ID01"],
            "rule": ["id.not_unique"],
            "severity": ["warning"],
            "before": [header],
            "after": ["row numbers used as source ids"],
        }
    )


def drop_deleted(batch: Batch, table: SourceTable, rule: DeletedRows) -> Batch:
    """Rows the source marks deleted move to rejects (rule ``source.deleted``), counted."""
    if rule.column not in table.frame.columns:
        return batch
    value = pl.col(rule.column)
    lowered = value.str.strip_chars().str.to_lowercase()
    mask = table.frame.select(lowered.is_in(rule.lowered()).fill_null(False)).to_series()
    gone = batch.frame.filter(mask).with_columns(table.frame.get_column(rule.column).filter(mask))
    rejects = gone.select(
        SOURCE,
        SOURCE_ID,
        pl.lit("read").alias("stage"),
        pl.lit(rule.column).alias("column"),
        pl.lit("source.deleted").alias("rule"),
        pl.lit("a live record").alias("expected"),
        pl.col(rule.column).alias("actual"),
    )
    kept = batch.with_frame(batch.frame.filter(~mask)).add_rejects(rejects)
    return kept.add_stats(f"read:{table.name}", deleted_rows=rejects.height)


def map_values(batch: Batch, values: dict[str, dict[str, str]]) -> Batch:
    """A connector's picklist values (matched ignoring case) replaced by its canonical ones."""
    exprs = []
    for field, mapping in values.items():
        lowered = {k.strip().lower(): v for k, v in mapping.items()}
        key = pl.col(field).str.strip_chars().str.to_lowercase()
        exprs.append(key.replace_strict(lowered, default=pl.col(field)).alias(field))
    return batch.with_frame(batch.frame.with_columns(exprs)) if exprs else batch


def split_multi(batch: Batch, separator: str | None, model: ContactModel) -> Batch:
    """A source's own list separator (Google's `` ::: ``) in multi-valued fields becomes ``; ``."""
    if not separator:
        return batch
    fields = [name for name, spec in model.fields.items() if spec.multi]
    swapped = [pl.col(f).str.replace_all(separator, MULTI_SEPARATOR, literal=True) for f in fields]
    return batch.with_frame(batch.frame.with_columns(swapped))
