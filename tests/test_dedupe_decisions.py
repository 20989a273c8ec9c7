"""Human decisions, the review band, --threshold and explain, through the dedupe stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from test_dedupe_support import contacts

from crmclean.batch import GOLDEN_ID, Batch
from crmclean.dedupe import DedupeOptions, dedupe
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.decisions import COLUMNS
from crmclean.dedupe.review import explain_table, review_table
from crmclean.errors import UserError
from crmclean.rules import Rules

RULES = Rules()
# Same rare name in the same city, nothing else: likely, not certain -> the review band.
NAMESAKE = {"first_name": "Ieda", "last_name": "Zanetti", "city": "Recife"}
RECORDS = (
    NAMESAKE,
    {**NAMESAKE, "postal_code": "50000-000"},
    {"first_name": "Ana", "last_name": "Costa", "email": "ana@acme.com"},
    {"first_name": "Ana", "last_name": "Costa", "email": "ana@acme.com"},
)


def _run(options: DedupeOptions | None = None, records: tuple = RECORDS) -> Batch:
    return dedupe(Batch(contacts(*records)), RULES, options)


def _groups(batch: Batch) -> list[list[str]]:
    grouped = batch.frame.group_by(GOLDEN_ID).agg(pl.col("_source_id").sort())
    return sorted(grouped["_source_id"].to_list())


def _decisions(path: Path, *rows: tuple[str, str, str]) -> Path:
    table = [("crm", a, "crm", b, decision) for a, b, decision in rows]
    pl.DataFrame(table, schema=COLUMNS, orient="row").write_csv(path)
    return path


def test_a_likely_pair_goes_to_review_not_to_the_merge() -> None:
    batch = _run()
    assert _groups(batch) == [["1"], ["2"], ["3", "4"]]
    review = review_table(batch.pairs, batch.frame, load_match_config(RULES))
    row = review.row(0, named=True)
    assert (row["source_id_a"], row["source_id_b"], row["decision"]) == ("1", "2", None)
    assert 0.5 <= row["probability"] < 0.9
    assert "name +" in row["why"] and "city +" in row["why"]
    assert (row["full_name_a"], row["postal_code_b"]) == ("Ieda Zanetti", "50000-000")


def test_a_lower_threshold_merges_the_review_band() -> None:
    assert _groups(_run(DedupeOptions(threshold=0.3))) == [["1", "2"], ["3", "4"]]


def test_decisions_are_applied_and_never_reviewed_again(tmp_path: Path) -> None:
    path = _decisions(tmp_path / "d.csv", ("2", "1", "must-link"), ("3", "4", "cannot-link"))
    batch = _run(DedupeOptions(decisions=path))
    assert _groups(batch) == [["1", "2"], ["3"], ["4"]]
    assert batch.stats["dedupe"]["review_pairs"] == 0


def test_a_must_link_joins_records_blocking_never_compared(tmp_path: Path) -> None:
    records = ({"first_name": "Ana", "email": "a@x.com"}, {"first_name": "Zeca", "email": "z@y"})
    path = _decisions(tmp_path / "d.csv", ("1", "2", "must-link"))
    assert _groups(_run(DedupeOptions(decisions=path), records)) == [["1", "2"]]


def test_a_cannot_link_splits_a_chain_through_a_third_record(tmp_path: Path) -> None:
    records: tuple[dict[str, Any], ...] = (
        {"first_name": "Ana", "last_name": "Costa", "email": "ana@x.com"},
        {"first_name": "Ana", "last_name": "Costa", "email": "ana@x.com", "mobile": "+5511987"},
        {"first_name": "Ana", "last_name": "Costa", "mobile": "+5511987"},
    )
    assert _groups(_run(records=records)) == [["1", "2", "3"]]
    path = _decisions(tmp_path / "d.csv", ("1", "3", "cannot-link"))
    groups = _groups(_run(DedupeOptions(decisions=path), records))
    assert len(groups) == 2 and ["1", "3"] not in groups


def test_a_wrong_decision_names_its_line(tmp_path: Path) -> None:
    path = _decisions(tmp_path / "d.csv", ("1", "2", "must-link"), ("1", "3", "maybe"))
    with pytest.raises(UserError, match=r"d\.csv:3: column 'decision': expected must-link"):
        _run(DedupeOptions(decisions=path))


def test_explain_shows_every_fields_contribution() -> None:
    batch = _run()
    config = load_match_config(RULES)
    table = explain_table(batch.pairs, batch.frame, config)
    assert {f"w_{spec.name}" for spec in config.comparisons} <= set(table.columns)
    ana = table.filter(pl.col("source_id_a") == "3").row(0, named=True)
    assert ana["match"] is True and ana["w_email"] > 10
    assert ana["why"].startswith("email +")
