"""The audit of a target shows its segments in real headless Chromium: the sizes and RFM
sizes as bar charts, the moves since the previous segment run as a table and a chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from test_report_html_browser import _evaluate, _open, browser  # noqa: F401 (a fixture)

from crmclean.audit import audit
from crmclean.demo.orders import CUSTOMER_SOURCE
from crmclean.demo.run import run_demo
from crmclean.report.html import write_html
from crmclean.rules import Rules
from crmclean.segments import OrderSource
from crmclean.segments.target import segment_target


def test_segments_section_renders_with_moves(browser, tmp_path: Path) -> None:  # noqa: F811
    demo = run_demo(tmp_path / "demo", people=120)
    target = f"sqlite:///{demo.database}"
    orders = [OrderSource(tmp_path / "demo" / "pedidos.csv", customer_source=CUSTOMER_SOURCE)]
    day = date(2026, 3, 31)  # nine months after the demo's export: buyers have gone quiet
    later = segment_target(target, Rules(), orders=orders, as_of=day)
    doc = audit([target]).to_dict()
    assert doc["segments"]["run_id"] == later.run_id
    since_load = segment_target(
        target, Rules(), orders=orders, as_of=day, since=demo.result.loaded.run_id, write=False
    )
    assert doc["segments"]["moves"] == since_load.moves.to_dicts()
    page = write_html(doc, tmp_path / "audit.html")
    _open(browser, page)
    seen = _evaluate(
        browser,
        "({charts: document.querySelectorAll('#segments svg.chart').length,"
        " moves: document.querySelectorAll('#segments table tr').length - 1,"
        " widest: Math.max(...[...document.querySelectorAll('#segments svg.chart rect')]"
        "   .map(r => r.getBBox().width))})",
    )
    assert seen["charts"] == 3 and seen["widest"] > 100
    assert seen["moves"] == len(doc["segments"]["moves"]) > 0
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
    assert errors == []
