"""The HTML report's content, without a browser: sections appear only when they have data."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crmclean.audit import audit
from crmclean.audit.measure import score_of
from crmclean.report.html import render_html
from crmclean.report.priorities import fix_first, impact

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


def _section(html: str, title: str) -> str:
    """The HTML of the section titled ``title`` (empty when there is none)."""
    start = html.find(f"<h2>{title}</h2>")
    return "" if start < 0 else html[start : html.find("</section>", start)]


def test_fix_first_ranks_by_impact_and_dataset_facts_stand_apart(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"  # no consent column: every record lacks consent
    rows = [f"P{i},p{i}@exemplo{i}.com.br,(11) 9{i:04d}-0000" for i in range(1, 9)]
    rows += ["Q1,not-an-email,", "Q2,,"]
    path.write_text("nome,email,telefone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = audit([path], as_of=date(2026, 1, 1)).to_dict()
    html = render_html(report)
    facts, first = _section(html, "About this data set"), _section(html, "What to fix first")
    assert "consent.missing" in facts and "record.undated" in facts
    assert "consent.missing" not in first and "record.undated" not in first
    assert "contact.unreachable" in first  # Q2: a record-level fix exists


def test_impact_weighs_dimension_and_severity(doc: dict[str, Any]) -> None:
    ranked = fix_first(doc, limit=50)
    impacts = [impact(doc, f) for f in ranked]
    assert impacts == sorted(impacts, reverse=True) and all(i > 0 for i in impacts)
    heavy = copy.deepcopy(doc)
    heavy["weights"]["compliance"] = 1000.0
    assert fix_first(heavy, limit=1)[0]["dimension"] == "compliance"


def test_a_failing_dimension_never_shows_100(doc: dict[str, Any]) -> None:
    assert score_of(2, 631) == 99.7 and score_of(1, 100_000) == 99.9 and score_of(0, 5) == 100
    nearly = copy.deepcopy(doc)
    nearly["dimensions"]["validity"].update(score=99.7, failed=2, checked=631)
    card = render_html(nearly).split("<h3>Validity</h3>")[1].split("</div>")[0]
    assert ">99<small>" in card and ">100<" not in card


def test_fixed_automatically_lists_only_rewrites(doc: dict[str, Any]) -> None:
    html = render_html(doc)
    fixed, found = (
        _section(html, "Written differently, fixed automatically"),
        _section(html, "Findings"),
    )
    assert "TM03" in found and "TM03" not in fixed and "CS01" not in fixed
    assert "EM03" in fixed or "PH" in fixed  # a normalizer's rewrite


def test_duplicate_tables_have_headers(doc: dict[str, Any]) -> None:
    duplicates = _section(render_html(doc), "Duplicates")
    clusters = duplicates.count("class='cluster'")
    assert clusters >= 1 and duplicates.count("<th>Source record</th><th>Name</th>") == clusters


def test_same_day_audits_are_labelled_by_time(doc: dict[str, Any]) -> None:
    later = copy.deepcopy(doc)
    point = {"generated_at": "2026-01-01T09:05:00Z", "overall": 70.0, "dimensions": {}}
    later["trend"] = [point, {**point, "generated_at": "2026-01-01T17:40:00Z"}]
    chart = _section(render_html(later), "Trend across audits")
    assert "2026-01-01 09:05" in chart and "2026-01-01 17:40" in chart
