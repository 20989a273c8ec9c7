"""Turn a source table into the canonical frame: fields, lineage, ``_raw`` and ``extra``."""

from __future__ import annotations

import polars as pl

from crmclean.batch import RAW, ROW, SOURCE, SOURCE_ID, Batch
from crmclean.codes import BY_RULE
from crmclean.connectors import DeletedRows
from crmclean.mapping import Mapping
from crmclean.model import EXTRA, ContactModel
from crmclean.read import SourceTable

MULTI_SEPARATOR = "; "
MAX_ID_CHARS = 255  # a target's key column (VARCHAR(255) on PostgreSQL and MariaDB)
ID_BLANK = BY_RULE["id.blank"]
ID_EXPECTED = {
    "id.duplicate": "an id no other row of the source has",
    "id.too_long": f"an id of at most {MAX_ID_CHARS} characters",
}


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


def _source_id(frame: pl.DataFrame, id_headers: list[str]) -> pl.Expr:
    """The mapped id column, else (none mapped, or all blank) the data row number."""
    row_id = pl.col(ROW).cast(pl.String)
    if not id_headers or frame.get_column(id_headers[0]).null_count() == frame.height:
        return row_id
    return pl.col(id_headers[0])


def to_canonical(
    table: SourceTable, mapping: Mapping, model: ContactModel, raw: bool = True
) -> Batch:
    """Project a source onto the canonical model; nothing is dropped (unmapped -> ``extra``;
    each row as read -> ``_raw``, unless not ``raw``: an audit never reads it); records whose
    id is repeated or too long for a key go to rejects (see :func:`reject_bad_ids`)."""
    frame = table.frame
    by_field = mapping.fields()
    headers = [c for c in frame.columns if c != ROW]
    canonical = frame.select(
        pl.lit(table.name).alias(SOURCE),
        _source_id(frame, by_field.get("record_id", [])).alias(SOURCE_ID),
        pl.col(ROW).cast(pl.Int64),
        *([_json_of(headers).alias(RAW)] if raw else []),
        *[_field_expr(n, by_field.get(n, []), s.multi) for n, s in model.fields.items()],
        _json_of(mapping.unmapped()).alias(EXTRA),
    )
    seen = {} if table.seen is None else {"seen": table.seen}
    batch = Batch(canonical).add_stats(
        f"read:{table.name}", rows=frame.height, blank_rows=table.blank_rows, **seen
    )
    return reject_bad_ids(batch, by_field.get("record_id", ["record_id"])[0])


def reject_bad_ids(batch: Batch, column: str) -> Batch:
    """A blank id becomes ``(row N)`` with a finding; records whose id an earlier row already
    has, or longer than a target key holds (255), move to rejects with ``(row N)`` as id."""
    blank = pl.col(SOURCE_ID).is_null()
    batch = batch.add_findings(_blank_id_findings(batch.frame.filter(blank), column))
    by_row = pl.format("(row {})", ROW)
    frame = batch.frame.with_columns(pl.col(SOURCE_ID).fill_null(by_row))
    sid = pl.col(SOURCE_ID)
    rule = (
        pl.when(~sid.is_first_distinct()).then(pl.lit("id.duplicate"))
        .when(sid.str.len_chars() > MAX_ID_CHARS).then(pl.lit("id.too_long"))
    )  # fmt: skip
    bad = frame.with_columns(rule.alias("rule")).filter(pl.col("rule").is_not_null())
    if bad.is_empty():
        return batch.with_frame(frame)
    first = frame.group_by(SOURCE_ID).agg(first_row=pl.col(ROW).min())
    reason = pl.col("rule")
    rejects = bad.join(first, on=SOURCE_ID, how="left", maintain_order="left").select(
        SOURCE,
        by_row.alias(SOURCE_ID),
        pl.lit("read").alias("stage"),
        pl.lit(column).alias("column"),
        reason,
        reason.replace_strict(ID_EXPECTED).alias("expected"),
        pl.when(reason == "id.duplicate")
        .then(pl.format("{} (as on row {})", sid, "first_row"))
        .otherwise(sid.str.slice(0, 80))
        .alias("actual"),
    )
    kept = frame.join(bad, on=ROW, how="anti", maintain_order="left")
    return batch.with_frame(kept).add_rejects(rejects)


def _blank_id_findings(blank: pl.DataFrame, column: str) -> pl.DataFrame:
    return blank.select(
        SOURCE,
        pl.format("(row {})", ROW).alias(SOURCE_ID),
        pl.lit(column).alias("field"),
        pl.lit(ID_BLANK.code).alias("code"),
        pl.lit(ID_BLANK.rule).alias("rule"),
        pl.lit(ID_BLANK.severity).alias("severity"),
        pl.lit(None, dtype=pl.String).alias("before"),
        pl.format("(row {})", ROW).alias("after"),
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
