"""``--history``: each audit kept as JSON, compared with the previous one, drawn as a trend."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from crmclean.audit import audit
from crmclean.audit.history import load_history

PLANTED = Path(__file__).parent / "data" / "audit" / "planted.csv"
AS_OF = date(2026, 1, 1)


def _next_year(tmp_path: Path) -> Path:
    """The planted file a year later: the invalid e-mails fixed, one unreadable date added."""
    frame = pl.read_csv(PLANTED, infer_schema=False)
    fixed = frame.filter(~pl.col("id").is_in(["6", "7", "8"]))
    fixed = fixed.with_columns(
        pl.when(pl.col("id") == "24")
        .then(pl.lit("32/13/2020"))
        .otherwise("created")
        .alias("created")
    )
    path = tmp_path / "planted.csv"
    fixed.write_csv(path)
    return path


def test_second_audit_compares_with_the_first(tmp_path: Path) -> None:
    history = tmp_path / "history"
    first = audit([PLANTED], history=history, as_of=AS_OF)
    second = audit([_next_year(tmp_path)], history=history, as_of=AS_OF)
    assert first.saved is not None and second.saved is not None and first.saved != second.saved
    assert first.to_dict()["comparison"] is None
    comparison = second.to_dict()["comparison"]
    before, after = first.to_dict(), second.to_dict()
    assert comparison["score_delta"] == round(
        after["score"]["overall"] - before["score"]["overall"], 1
    )
    validity = comparison["dimension_deltas"]["validity"]
    assert validity == round(
        after["dimensions"]["validity"]["score"] - before["dimensions"]["validity"]["score"], 1
    )
    assert ("EM01", "email") in {(f["code"], f["field"]) for f in comparison["resolved"]}
    assert ("DT01", "created_at") in {(f["code"], f["field"]) for f in comparison["new"]}
    assert [p["overall"] for p in after["trend"]] == [
        before["score"]["overall"],
        after["score"]["overall"],
    ]
    kept = load_history(history)
    assert [d["score"] for d in kept] == [before["score"], after["score"]]
    assert json.loads(second.saved.read_text())["comparison"] == comparison


def test_history_skips_an_unreadable_document_with_a_warning(tmp_path: Path, capsys) -> None:
    (tmp_path / "audit-1.json").write_text("{not json")
    (tmp_path / "audit-2.json").write_text("")
    assert load_history(tmp_path) == []
    warnings = capsys.readouterr().err
    assert "audit-1.json: skipped" in warnings and "audit-2.json: skipped" in warnings


def test_one_history_per_subject_with_a_warning(tmp_path: Path) -> None:
    history = tmp_path / "history"
    first = audit([PLANTED], history=history, as_of=AS_OF).to_dict()
    other = tmp_path / "other.csv"
    other.write_text("nome,email\nAna,ana@exemplo.com.br\n", encoding="utf-8")
    switched = audit([other], history=history, as_of=AS_OF).to_dict()
    assert switched["comparison"] is None and len(switched["trend"]) == 1
    (warning,) = switched["history_warnings"]
    assert "previous audit in this history was of planted.csv" in warning
    again = audit([PLANTED], history=history, as_of=AS_OF).to_dict()
    assert again["comparison"]["previous_at"] == first["generated_at"]
    assert len(again["trend"]) == 2 and "other.csv" in again["history_warnings"][0]
