"""Gating again fewer of the same golden records (after a quarantine) runs only the
expectations that failed or may stop holding over fewer rows; the verdict is the full run's."""

from __future__ import annotations

import polars as pl
from test_validate import golden

from crmclean.rules import Rules
from crmclean.validate import still_holding, validate_frame
from crmclean.validate.suite import holds_on_fewer_rows, load_suite


def _three(rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Three golden records: a bad address, one shared by two, a bad country; their lineage."""
    frame = golden(
        rules,
        email=["ana@exemplo.com.br", "not-an-email", "ana@exemplo.com.br"],
        country=["BR", "br", None],
    )
    lineage = pl.DataFrame(
        {"golden_id": ["g1", "g2", "g3"], "_source": ["crm"] * 3, "_source_id": ["1", "2", "3"]}
    )
    return frame, lineage


def test_row_wise_checks_hold_on_fewer_rows_shares_and_tables_do_not() -> None:
    def entry(kind: str, **kwargs: object) -> dict[str, object]:
        return {"type": kind, "kwargs": kwargs}

    assert holds_on_fewer_rows(entry("expect_column_values_to_match_regex", column="e", regex="x"))
    assert holds_on_fewer_rows(entry("expect_column_values_to_be_unique", column="e"))
    assert holds_on_fewer_rows(entry("expect_column_values_to_be_valid_email", column="e"))
    assert holds_on_fewer_rows(entry("expect_column_values_to_not_be_null", column="e", mostly=1))
    assert not holds_on_fewer_rows(
        entry("expect_column_values_to_not_be_null", column="e", mostly=0.9)
    )
    assert not holds_on_fewer_rows(entry("expect_table_row_count_to_be_between", min_value=1))
    assert not holds_on_fewer_rows(
        entry("expect_column_values_to_be_in_set", column="e", value_set=["a"], row_condition="x")
    )
    assert not holds_on_fewer_rows(entry("expect_column_mean_to_be_between", column="e"))


def test_gating_fewer_rows_with_what_held_gives_the_full_verdict() -> None:
    rules = Rules()
    frame, lineage = _three(rules)
    first = validate_frame(frame, rules, lineage=lineage)
    held = still_holding(first, "contacts", rules)
    spec = load_suite(rules.path("expectations/contacts.json"))
    assert held and held < first.passed and len(first.passed) < len(spec.expectations)
    failed = {(f.expectation, f.column) for f in [*first.failures, *first.warnings]}
    assert (
        not {
            (spec.expectations[i]["type"], spec.expectations[i]["kwargs"].get("column"))
            for i in held
        }
        & failed
    )
    for kept in (["g1", "g3"], ["g1"]):  # a warning left, or none
        fewer = frame.filter(pl.col("golden_id").is_in(kept))
        again = validate_frame(fewer, rules, lineage=lineage, held=held)
        full = validate_frame(fewer, rules, lineage=lineage)
        assert again.to_dict() == full.to_dict()
        assert again.failing_rows.sort(pl.all()).equals(full.failing_rows.sort(pl.all()))
        assert again.passed == full.passed and again.checked == len(spec.expectations)


def test_a_failed_check_whose_rows_are_all_removed_holds_and_is_not_run_again() -> None:
    rules = Rules()
    frame, lineage = _three(rules)
    first = validate_frame(frame, rules, lineage=lineage)
    spec = load_suite(rules.path("expectations/contacts.json"))
    at = {(e["type"], e["kwargs"].get("column")): i for i, e in enumerate(spec.expectations)}
    regex, unique = (
        at["expect_column_values_to_match_regex", "email"],
        at["expect_column_values_to_be_unique", "email"],
    )
    named = at["expect_column_values_to_not_be_null", "full_name"]  # mostly 0.9, none missing
    assert first.culprits[regex].to_list() == ["g2"]
    assert sorted(first.culprits[unique].to_list()) == ["g1", "g3"]
    held = still_holding(first, "contacts", rules, pl.Series(["g2"]))
    assert {regex, named} <= held and unique not in held
    assert regex not in still_holding(first, "contacts", rules, pl.Series(["g3"]))
    fewer = frame.filter(pl.col("golden_id") != "g2")
    again = validate_frame(fewer, rules, lineage=lineage, held=held)
    full = validate_frame(fewer, rules, lineage=lineage)
    assert again.to_dict() == full.to_dict() and again.passed == full.passed
    assert again.failing_rows.sort(pl.all()).equals(full.failing_rows.sort(pl.all()))
