"""The gate hands GX only the columns its suite reads, unless an expectation looks at them all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crmclean.batch import Batch
from crmclean.rules import Rules
from crmclean.validate import validate
from crmclean.validate.suite import Suite, checked_columns, load_suite

SHIPPED = Path(__file__).resolve().parents[1] / "rules" / "expectations" / "contacts.json"


def suite(*expectations: dict[str, Any]) -> Suite:
    return Suite("s", list(expectations), Path("s.json"))


def test_shipped_suite_reads_its_named_columns() -> None:
    columns = checked_columns(load_suite(SHIPPED))
    assert columns is not None
    assert {"golden_id", "email", "source_count", "tax_id", "consent", "company"} <= columns
    assert "street" not in columns


@pytest.mark.parametrize(
    "expectation",
    [
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["a"]}},
        {"type": "expect_table_column_count_to_equal", "kwargs": {"value": 3}},
        {"type": "expect_table_columns_to_match_ordered_list", "kwargs": {"column_list": ["a"]}},
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "a", "row_condition": 'b=="x"'},
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": {"$PARAMETER": "c"}}},
        {"type": "expect_something_custom", "kwargs": {}},
    ],
)
def test_expectations_on_every_column_keep_them_all(expectation: dict[str, Any]) -> None:
    named = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}
    assert checked_columns(suite(named, expectation)) is None


def test_row_counts_and_column_lists_are_read() -> None:
    found = checked_columns(
        suite(
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}},
            {
                "type": "expect_column_pair_values_to_be_equal",
                "kwargs": {"column_A": "c", "column_B": "d"},
            },
        )
    )
    assert found == {"a", "b", "c", "d"}


def gate_over(tmp_path: Path, text: str, frame: pl.DataFrame) -> bool:
    (tmp_path / "expectations").mkdir(exist_ok=True)
    (tmp_path / "expectations" / "custom.json").write_text(text, encoding="utf-8")
    lineage = pl.DataFrame({"golden_id": ["g1"], "_source": ["crm"], "_source_id": ["1"]})
    batch = Batch(frame=lineage, golden=frame)
    return validate(batch, Rules(directory=tmp_path), suite="custom").success


def test_an_exact_column_set_still_sees_every_column(tmp_path: Path) -> None:
    frame = pl.DataFrame({"golden_id": ["g1", "g2"], "extra": ["x", None]})
    exact = (
        '{"name": "custom", "expectations": [{"type": "expect_table_columns_to_match_set",'
        ' "kwargs": {"column_set": ["golden_id"]}}]}'
    )
    loose = exact.replace('["golden_id"]}', '["golden_id"], "exact_match": false}')
    assert not gate_over(tmp_path, exact, frame)
    assert gate_over(tmp_path, loose, frame)


def test_row_count_holds_without_named_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame({"golden_id": ["g1", "g2"], "n": pl.Series([0, 2], dtype=pl.UInt32)})
    text = (
        '{"name": "custom", "expectations": [{"type": "expect_table_row_count_to_be_between",'
        ' "kwargs": {"min_value": 2}}, {"type": "expect_column_values_to_be_between",'
        ' "kwargs": {"column": "n", "min_value": 1}}]}'
    )
    assert not gate_over(tmp_path, text, frame)
    assert gate_over(tmp_path, text, frame.with_columns(pl.col("n") + 1))
