"""The per-record findings file (``audit --findings FILE``): one row per record and finding,
so a team can work through the records themselves, not only the counts.

Columns: ``source, source_id, code, rule, severity, dimension, field, value`` (the value as
the source wrote it for the normalizers' findings, the golden id for duplicates, the reason
for rejects; masked with ``--mask-pii``, worked out once per distinct value).
"""

from __future__ import annotations

import polars as pl

from crmclean.audit.findings import NORMALIZE_DIMENSION
from crmclean.audit.mask import masker
from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.codes import BY_CODE
from crmclean.model import ContactModel

SCHEMA: dict[str, pl.DataType] = {
    SOURCE: pl.String(),
    SOURCE_ID: pl.String(),
    "code": pl.String(),
    "rule": pl.String(),
    "severity": pl.String(),
    "dimension": pl.String(),
    "field": pl.String(),
    "value": pl.String(),
}


def flagged(
    code: str, rows: pl.DataFrame | pl.LazyFrame, value: pl.Expr | None = None
) -> pl.LazyFrame:
    """Rows of one of the audit's own codes for the records of ``rows`` (lazy: only a
    findings file collects them)."""
    spec = BY_CODE[code]
    labels = {"code": code, "rule": spec.rule, "severity": spec.severity}
    return rows.lazy().select(
        SOURCE,
        SOURCE_ID,
        *(pl.lit(v, pl.String).alias(k) for k, v in labels.items()),
        pl.lit(spec.dimension, pl.String).alias("dimension"),
        pl.lit(None, pl.String).alias("field"),
        (pl.lit(None) if value is None else value).cast(pl.String).alias("value"),
    )


def normalizer_rows(findings: pl.DataFrame, rejects: pl.DataFrame) -> list[pl.LazyFrame]:
    """The normalizers' findings (value as written) and the rejects (the reason)."""
    written = findings.lazy().select(
        SOURCE, SOURCE_ID, "code", "rule", "severity",
        pl.lit(NORMALIZE_DIMENSION, pl.String).alias("dimension"), "field",
        pl.col("before").alias("value"),
    )  # fmt: skip
    per_record = rejects.unique([SOURCE, SOURCE_ID], keep="first", maintain_order=True)
    return [written, flagged("RJ01", per_record, pl.col("rule"))]


def masked(frame: pl.DataFrame, model: ContactModel) -> pl.DataFrame:
    """``frame`` with every value masked by its field's mask, once per distinct pair."""
    pairs = frame.select("field", "value").unique().drop_nulls("value")
    shown = [masker(model, f)(v) for f, v in pairs.iter_rows()]
    table = pairs.with_columns(pl.Series("_masked", shown, dtype=pl.String))
    joined = frame.join(
        table, on=["field", "value"], how="left", nulls_equal=True, maintain_order="left"
    )
    return joined.with_columns(pl.col("_masked").alias("value")).drop("_masked")


def per_record(parts: list[pl.LazyFrame], model: ContactModel, mask: bool) -> pl.DataFrame:
    """Every part in the shared schema, the most severe first, then by source and record."""
    rows = pl.concat([p.select(list(SCHEMA)).cast(SCHEMA) for p in parts])  # type: ignore[arg-type]
    rank = pl.col("severity").replace_strict({"error": 0, "warning": 1}, default=2)
    frame = rows.sort([rank, "code", SOURCE, SOURCE_ID], maintain_order=True).collect()
    frame = masked(frame, model) if mask else frame
    return frame.rename({SOURCE: "source", SOURCE_ID: "source_id"})
