"""Consistency: the same value written several ways (``Brasil``, ``Brazil``, ``BR``).

The spelling of a record is what the source wrote (the first finding's ``before``, else the
value); the value it stands for is the normalized value folded (case, accents, punctuation and,
for companies, legal suffixes ignored). A record is inconsistent when its spelling is not the
most common spelling of its value.
"""

from __future__ import annotations

from typing import Any, TypeVar

import polars as pl

from crmclean.audit.exprs import KEYS, fold, without_suffixes
from crmclean.audit.findings import audit_finding
from crmclean.audit.measure import Context, Measure, score_of
from crmclean.audit.records import flagged

SPELLING, VALUE = "spelling", "value"
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def _written(findings: Frame, frame: Frame, field: str) -> Frame:
    """``_source, _source_id, field, written``: each record of ``frame`` with a value in
    ``field`` and what its source wrote (null: the value as it is), by the ``findings``. Values
    a normalizer inferred (the source had none: ``country.inferred``) are not spellings."""
    of_field = findings.filter(pl.col("field") == field)
    inferred = of_field.filter(pl.col("rule").str.ends_with(".inferred")).select(KEYS)
    written = of_field.unique(KEYS, keep="first").select(*KEYS, pl.col("before").alias("written"))
    rows = frame.select(*KEYS, field).filter(pl.col(field).is_not_null())
    rows = rows.join(inferred, on=KEYS, how="anti")
    return rows.join(written, on=KEYS, how="left")


def _pairs(ctx: Context, field: str, rows: Frame) -> Frame:
    """``field, written, spelling, value, n`` once per distinct (value, as written) pair."""
    pairs = rows.group_by(field, "written").agg(n=pl.len())
    spelled = pl.coalesce("written", field).str.strip_chars().str.replace_all(r"\s+", " ")
    return pairs.with_columns(spelled.alias(SPELLING), _value(ctx, field).alias(VALUE))


def spellings(ctx: Context, field: str) -> pl.DataFrame:
    """``value, spelling, n``: how many records with a value in ``field`` wrote it that way."""
    pairs = _pairs(ctx, field, _written(ctx.findings, ctx.frame, field))
    return pairs.group_by(VALUE, SPELLING).agg(pl.col("n").sum())


def off_usual(ctx: Context, field: str) -> pl.LazyFrame:
    """The records of ``field`` not in their value's usual spelling (``CS01`` per record, the
    value as written; lazy: only a findings file reads them)."""
    rows = _written(ctx.findings.lazy(), ctx.frame.lazy(), field)
    pairs = _pairs(ctx, field, rows)
    counts = pairs.group_by(VALUE, SPELLING).agg(pl.col("n").sum())
    usual = variants(counts).select(VALUE, pl.col("spellings").list.first().struct.field(SPELLING))
    usual = usual.rename({SPELLING: "_usual_"})
    marked = pairs.join(usual, on=VALUE).filter(pl.col(SPELLING) != pl.col("_usual_"))
    keys = [field, "written"]
    off = rows.join(marked.select(*keys, SPELLING), on=keys, nulls_equal=True)
    return flagged("CS01", off, pl.col(SPELLING)).with_columns(pl.lit(field).alias("field"))


def _value(ctx: Context, field: str) -> pl.Expr:
    """The value a spelling stands for; company names also lose their legal suffixes."""
    if ctx.model.fields[field].type != "company":
        return fold(pl.col(field))
    suffixes = ctx.config.consistency.company_suffixes
    return without_suffixes(pl.col(field), suffixes).str.replace_all(" ", "", literal=True)


def variants(counts: Frame) -> Frame:
    """Per value written several ways: its spellings with counts, and the records off the usual."""
    counts = counts.sort(["n", SPELLING], descending=[True, False])
    grouped = counts.group_by(VALUE).agg(
        spellings=pl.struct(SPELLING, "n"), total=pl.col("n").sum(), usual=pl.col("n").first()
    )
    grouped = grouped.filter(pl.col("spellings").list.len() > 1)
    return grouped.with_columns(off=pl.col("total") - pl.col("usual")).sort(
        ["off", VALUE], descending=[True, False]
    )


def field_consistency(ctx: Context, field: str) -> dict[str, Any]:
    """Records with a value, values written several ways, records off the usual spelling."""
    counts = spellings(ctx, field)
    several = variants(counts)
    top = several.head(ctx.config.consistency.top_values)
    return {
        "records": int(counts["n"].sum()),
        "values": counts[VALUE].n_unique(),
        "values_with_variants": several.height,
        "inconsistent": int(several["off"].sum()),
        "top": [
            _shown(row["spellings"], ctx.config.consistency.spellings_shown)
            for row in top.iter_rows(named=True)
        ],
    }


def _shown(spelled: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """The ``limit`` most common spellings of a value; the others counted, not listed."""
    rest = spelled[limit:]
    return {
        "spellings": [{"text": s[SPELLING], "count": s["n"]} for s in spelled[:limit]],
        "other_spellings": len(rest),
        "other_records": sum(s["n"] for s in rest),
    }


def measure_consistency(ctx: Context) -> Measure:
    """Score: ``100 * (1 - inconsistent records / records with a value)`` over the fields."""
    per_field = {f: field_consistency(ctx, f) for f in ctx.present(ctx.config.consistency.fields)}
    checked = sum(m["records"] for m in per_field.values())
    failed = sum(m["inconsistent"] for m in per_field.values())
    findings = [
        audit_finding("CS01", f, m["inconsistent"], _examples(ctx, f, m))
        for f, m in per_field.items()
        if m["inconsistent"]
    ]
    records = [off_usual(ctx, f) for f, m in per_field.items() if m["inconsistent"]]
    return Measure("consistency", score_of(failed, checked), checked, failed,
                   {"fields": per_field}, findings, records)  # fmt: skip


def _examples(ctx: Context, field: str, metrics: dict[str, Any]) -> list[str]:
    shown = [" / ".join(s["text"] for s in group["spellings"]) for group in metrics["top"]]
    return ctx.examples.values(field, shown)
