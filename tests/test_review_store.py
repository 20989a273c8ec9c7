"""The review page's decisions file: answers appended with who and when, readable by the
dedupe stage, undo removes only this session's newest step, old files get the new columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crmclean.dedupe.decisions import COLUMNS, read_decisions
from crmclean.errors import UserError
from crmclean.review.store import EXTRA, Answer, DecisionStore

A, B, C = ("crm", "1"), ("planilha", "7"), ("evento", "3")


def test_answers_are_appended_with_who_and_when_and_read_by_dedupe(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    store = DecisionStore(path, "ana")
    store.append(
        [
            Answer(A, B, "must-link", "same"),
            Answer(A, B, "must-link", "override", "email", "planilha:7"),
        ]
    )
    store.append([Answer(A, C, "", "unsure")])
    table = pl.read_csv(path, infer_schema=False)
    assert table.columns == [*COLUMNS, *EXTRA]
    assert table["answer"].to_list() == ["same", "override", "unsure"]
    assert set(table["who"]) == {"ana"} and table["when"].str.ends_with("+00:00").all()
    assert read_decisions(path).select("source_id_b", "decision").rows() == [
        ("7", "must-link"),
        ("7", "must-link"),
    ]


def test_undo_removes_only_the_newest_step_of_this_session(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    DecisionStore(path, "bia").append([Answer(A, B, "cannot-link", "different")])
    store = DecisionStore(path, "ana")
    store.append(
        [Answer(A, C, "must-link", "same"), Answer(A, C, "must-link", "override", "city", "crm:1")]
    )
    assert store.undo() is True
    assert store.undo() is False  # the earlier session's row is not this session's to undo
    table = pl.read_csv(path, infer_schema=False)
    assert table.select("source_id_b", "decision", "who").rows() == [("7", "cannot-link", "bia")]


def test_an_old_decisions_file_gets_the_review_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    path.write_text(
        "source_a,source_id_a,source_b,source_id_b,decision,note\ncrm,1,crm,2,must-link,x"
    )
    DecisionStore(path, "ana").append([Answer(A, C, "cannot-link", "different")])
    table = pl.read_csv(path, infer_schema=False)
    assert table.columns == [*COLUMNS, "note", *EXTRA]
    assert table.select("source_id_b", "note", "who").rows() == [
        ("2", "x", None),
        ("3", None, "ana"),
    ]


def test_a_malformed_decisions_file_is_reported_not_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    path.write_text("source_a,source_id_a,source_b,source_id_b,decision\ncrm,1,crm,2,maybe\n")
    with pytest.raises(UserError, match="expected must-link or cannot-link"):
        DecisionStore(path, "ana")
    assert path.read_text().endswith("maybe\n")
