"""The gate asks GX for the failing values it lists (up to GX's 200) and nothing more: no index
of the failing rows, no query naming them; the rows behind each listed value are found in
polars, and a check whose failing values are all listed knows every failing golden record."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from crmclean.rules import Rules
from crmclean.validate import validate_frame
from crmclean.validate.gx_runner import LISTED, run_suite
from crmclean.validate.suite import Suite

REGEX = {
    "type": "expect_column_values_to_match_regex",
    "kwargs": {"column": "code", "regex": "^ok"},
}
EMAIL = {"type": "expect_column_values_to_be_valid_email", "kwargs": {"column": "email"}}


def frame(bad: int) -> pl.DataFrame:
    """``bad`` golden records with distinct failing codes, then 50 good ones (one null)."""
    codes = [f"bad{i:04}" for i in range(bad)] + ["ok"] * 49 + [None]
    return pl.DataFrame(
        {
            "golden_id": [f"g{i:04}" for i in range(len(codes))],
            "code": codes,
            "email": ["ana@exemplo.com.br"] * (len(codes) - 1) + ["ana@@x"],
        }
    )


def test_gx_lists_the_failing_values_without_their_rows_index() -> None:
    suite = Suite("s", [REGEX, EMAIL], Path("s.json"))
    result, positions = run_suite(frame(250), suite)
    assert positions == [0, 1]
    details = [outcome.result for outcome in result.results]
    assert [d["unexpected_count"] for d in details] == [250, 1]
    assert details[0]["partial_unexpected_list"] == [f"bad{i:04}" for i in range(LISTED)]
    assert details[1]["partial_unexpected_list"] == ["ana@@x"]
    for found in details:
        assert "unexpected_index_list" not in found and "unexpected_index_query" not in found


@pytest.mark.parametrize("bad", [LISTED, LISTED + 1])
def test_failing_golden_records_are_known_while_gx_lists_them_all(bad: int, tmp_path: Path) -> None:
    (tmp_path / "expectations").mkdir()
    text = json.dumps({"name": "s", "expectations": [REGEX]})
    (tmp_path / "expectations" / "s.json").write_text(text, encoding="utf-8")
    gate = validate_frame(frame(bad), Rules(directory=tmp_path), suite="s")
    (failure,) = gate.failures
    assert failure.unexpected_count == bad
    assert len(failure.examples) == 10
    if bad <= LISTED:
        assert sorted(gate.culprits[0].to_list()) == [f"g{i:04}" for i in range(bad)]
    else:  # GX named only 200 of them: the others are not known
        assert 0 not in gate.culprits
    assert gate.failing_rows.height == min(bad, LISTED)
