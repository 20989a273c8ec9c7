"""Human decisions: must-link and cannot-link pairs by source id, re-applied on every run.

The decisions file is a CSV with ``source_a, source_id_a, source_b, source_id_b, decision``
(the review file has these columns: fill ``decision`` and pass it back). ``decision`` is
``must-link`` (merge, whatever the score) or ``cannot-link`` (never in one golden record);
rows with an empty decision are skipped, and pairs naming a record not in this run are ignored.
A decided pair never goes to review again. Rows ``crmclean review`` writes with
``answer = override`` also name a ``field`` and the ``pick`` (``source:source_id``) whose value
the golden record keeps for it, whatever survivorship would pick.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.keys import RECORD
from crmclean.errors import UserError
from crmclean.write import unescape

COLUMNS = ["source_a", "source_id_a", "source_b", "source_id_b", "decision"]
MUST, CANNOT = "must-link", "cannot-link"
DECISION = "decision"


def read_pairs_file(path: Path, columns: list[str], kind: str) -> pl.DataFrame:
    """A CSV of record pairs read as text, with ``_line`` (its line in the file); a missing
    file or column is a user error naming the ``kind`` of file."""
    if not path.exists():
        raise UserError(f"{kind} file not found", file=str(path))
    table = unescape(pl.read_csv(path, infer_schema=False))  # cells crmclean escaped ('=...)
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise UserError(f"missing columns: {', '.join(missing)}", file=str(path))
    return table.with_row_index("_line", offset=2)


def read_decisions(path: Path) -> pl.DataFrame:
    """The decided rows of ``path``, checked."""
    table = read_pairs_file(path, COLUMNS, "decisions")
    decided = table.filter(pl.col(DECISION).is_not_null())
    decided = decided.with_columns(pl.col(DECISION).str.strip_chars().str.to_lowercase())
    wrong = decided.filter(~pl.col(DECISION).is_in([MUST, CANNOT]))
    if wrong.height:
        line, value = wrong.row(0, named=True)["_line"], wrong[DECISION][0]
        expected = f"expected {MUST} or {CANNOT}, got '{value}'"
        raise UserError(expected, file=str(path), row=line, column=DECISION)
    return decided.select(COLUMNS)


def decided_pairs(decisions: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """``left, right, decision`` in record indices of ``frame`` (``left < right``)."""
    return record_pairs(decisions, frame, DECISION)


def record_pairs(table: pl.DataFrame, frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """``left, right`` (record indices of ``frame``, ``left < right``) and ``value`` for each row
    of ``table`` naming two records by ``source_a, source_id_a, source_b, source_id_b``; rows
    naming a record not in ``frame`` are left out, a repeated pair keeps its last row."""
    index = frame.select(SOURCE, SOURCE_ID, RECORD)
    pairs = table.join(
        index.rename({SOURCE: "source_a", SOURCE_ID: "source_id_a", RECORD: "a"}),
        on=["source_a", "source_id_a"],
    ).join(
        index.rename({SOURCE: "source_b", SOURCE_ID: "source_id_b", RECORD: "b"}),
        on=["source_b", "source_id_b"],
    )
    return pairs.select(
        pl.min_horizontal("a", "b").cast(pl.UInt32).alias(LEFT),
        pl.max_horizontal("a", "b").cast(pl.UInt32).alias(RIGHT),
        value,
    ).unique([LEFT, RIGHT], keep="last", maintain_order=True)


def apply_decisions(scored: pl.DataFrame, decided: pl.DataFrame) -> pl.DataFrame:
    """``scored`` with a ``decision`` column, must-link pairs matched (added when blocking
    missed them) and cannot-link pairs unmatched; decided pairs leave review."""
    missing = decided.filter(pl.col(DECISION) == MUST).join(scored, on=[LEFT, RIGHT], how="anti")
    added = missing.select(LEFT, RIGHT).with_columns(probability=pl.lit(1.0))
    scored = pl.concat([scored, added], how="diagonal_relaxed")
    scored = scored.join(decided, on=[LEFT, RIGHT], how="left", maintain_order="left")
    decision = pl.col(DECISION)
    return scored.with_columns(
        match=pl.when(decision == MUST)
        .then(True)
        .when(decision == CANNOT)
        .then(False)
        .otherwise(pl.col("match").fill_null(False)),
        review=pl.col("review").fill_null(False) & decision.is_null(),
    )


def cannot_link(scored: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """Pairs that must not share a cluster: vetoed, very unlikely (below ``split_below``), or
    decided cannot-link (``scored`` carries ``decision``)."""
    apart = (
        pl.col("veto").fill_null(False)
        | (pl.col("probability") < config.split_below)
        | (pl.col(DECISION) == CANNOT)
    )
    return scored.filter(apart.fill_null(False)).select(LEFT, RIGHT)


def field_overrides(path: Path, clustered: pl.DataFrame) -> pl.DataFrame:
    """``golden_id, field, _source, _source_id``: the record whose value a reviewer picked for
    a field (rows ``answer = override`` with ``field`` and ``pick``, written by ``crmclean
    review``), where both records of the answered pair share that golden record; the newest
    pick of a field wins."""
    wanted = ["field", "pick", "answer"]
    table = read_pairs_file(path, COLUMNS, "decisions")
    if not set(wanted) <= set(table.columns):
        return pl.DataFrame(schema={GOLDEN_ID: pl.String, "field": pl.String})
    picks = table.filter(pl.col("answer") == "override").with_columns(
        pl.col("pick").str.splitn(":", 2).struct.rename_fields([SOURCE, SOURCE_ID]).alias("p")
    )
    picks = picks.unnest("p")
    ids = clustered.select(SOURCE, SOURCE_ID, GOLDEN_ID)
    for side in ("a", "b"):
        names = {SOURCE: f"source_{side}", SOURCE_ID: f"source_id_{side}", GOLDEN_ID: side}
        picks = picks.join(ids.rename(names), on=[f"source_{side}", f"source_id_{side}"])
    together = picks.filter(pl.col("a") == pl.col("b")).rename({"a": GOLDEN_ID})
    together = together.join(ids, on=[SOURCE, SOURCE_ID, GOLDEN_ID], how="semi")
    chosen = together.select(GOLDEN_ID, "field", SOURCE, SOURCE_ID)
    return chosen.unique([GOLDEN_ID, "field"], keep="last", maintain_order=True)


def apply_overrides(
    golden: pl.DataFrame, clustered: pl.DataFrame, overrides: pl.DataFrame
) -> pl.DataFrame:
    """``golden`` with each overridden field set to the picked record's value."""
    for field in overrides["field"].unique(maintain_order=True):
        if field not in golden.columns or field not in clustered.columns:
            continue
        picked = overrides.filter(pl.col("field") == field).join(
            clustered.select(SOURCE, SOURCE_ID, pl.col(field).alias("_picked")),
            on=[SOURCE, SOURCE_ID],
        )
        hit = picked.select(GOLDEN_ID, "_picked", pl.lit(True).alias("_hit"))
        golden = golden.join(hit, on=GOLDEN_ID, how="left", maintain_order="left")
        value = pl.when(pl.col("_hit")).then(pl.col("_picked")).otherwise(pl.col(field))
        golden = golden.with_columns(value.alias(field)).drop("_picked", "_hit")
    return golden
