"""The HTML report's content, without a browser: sections appear only when they have data."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crmclean.audit import audit
from crmclean.report.html import render_html

PLANTED = Path(__file__).parent / "data" / "audit" / "planted.csv"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return audit([PLANTED], as_of=date(2026, 1, 1)).to_dict()


def test_report_shows_scores_findings_and_duplicates(doc: dict[str, Any]) -> None:
    html = render_html(doc)
    assert f">{doc['score']['overall']:.0f}<" in html  # the score ring
    assert html.count("class='card'") == 6
    assert "What to fix first" in html and "consent.opted_out_marketable" in html
    assert "Acme Ltda" in html and "ACME LTDA." in html  # values written several ways
    assert "planted:1" in html  # a duplicate cluster member
    assert "Trend across audits" not in html  # no history, no trend
    assert "What changed" not in html


def test_report_escapes_source_values(doc: dict[str, Any]) -> None:
    hostile = copy.deepcopy(doc)
    hostile["findings"][0]["examples"] = ["<script>alert(1)</script>"]
    html = render_html(hostile)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_report_of_an_unmeasurable_audit(doc: dict[str, Any]) -> None:
    empty = copy.deepcopy(doc)
    empty["score"] = {"overall": None, "grade": "n/a"}
    for dim in empty["dimensions"].values():
        dim.update(score=None, grade="n/a")
    empty["dimensions"]["uniqueness"]["metrics"]["top_clusters"] = []
    empty["findings"] = []
    html = render_html(empty)
    assert ">n/a<" in html and "Findings" not in html and "Duplicates" not in html


def test_trend_and_changes_with_history(doc: dict[str, Any]) -> None:
    later = copy.deepcopy(doc)
    point = {"generated_at": "2025-01-01T00:00:00Z", "overall": 70.0, "dimensions": {}}
    later["trend"] = [point, {**point, "generated_at": "2026-01-01T00:00:00Z", "overall": 80.0}]
    finding = {"code": "EM01", "rule": "email.invalid", "severity": "warning", "field": "email"}
    later["comparison"] = {
        "previous_at": "2025-01-01T00:00:00Z",
        "previous_score": 70.0,
        "score_delta": 10.0,
        "dimension_deltas": {"validity": 2.5},
        "new": [],
        "resolved": [{**finding, "count": 4}],
        "changed": [{**finding, "count": 3, "previous_count": 9}],
    }
    html = render_html(later)
    assert "Trend across audits" in html and html.count("<polyline") == 1
    assert "+10.0" in html and "+2.5" in html and "9 &rarr; 3" in html
    assert "Resolved findings (1)" in html
