"""The cell checks of every source as read (:mod:`crmclean.read.checks`): one finding per cell
and rule, column by column in the source's order, rows in order within each; NUL bytes gone."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.read.checks import check_cells
from crmclean.read.table import SourceTable


def test_findings_come_column_by_column_rule_by_rule_rows_in_order() -> None:
    frame = pl.DataFrame(
        {
            "name": ["JoÃ£o", "=HYPERLINK(1)", None, "Ana\x00", "SÃ£o =x"],
            "email": ["a@b.co", "\x00", "@SUM(1)", "CafÃ©", None],
            "_row": [1, 2, 3, 4, 5],
        }
    )
    table = SourceTable("crm", Path("crm.csv"), frame)
    cleaned, found = check_cells(table)
    assert found.rows() == [
        (1, "name", "read.mojibake", "JoÃ£o"),
        (5, "name", "read.mojibake", "SÃ£o =x"),
        (2, "name", "read.formula", "=HYPERLINK(1)"),
        (4, "name", "read.nul_removed", "Ana\\0"),
        (4, "email", "read.mojibake", "CafÃ©"),
        (3, "email", "read.formula", "@SUM(1)"),
        (2, "email", "read.nul_removed", "\\0"),
    ]
    assert cleaned.frame["name"].to_list()[3] == "Ana"
    assert cleaned.frame["email"].to_list()[1] is None


def test_no_finding_on_clean_cells() -> None:
    frame = pl.DataFrame({"name": ["Ana", None], "phone": ["+55 (11) 5555-0000", "-"]})
    table = SourceTable("crm", Path("crm.csv"), frame.with_columns(_row=pl.Series([1, 2])))
    _, found = check_cells(table)
    assert found.is_empty() and found.columns == ["_row", "field", "rule", "before"]
