"""The audit as ONE self-contained HTML file: inline CSS and SVG, no script, no network.

Readable when opened from disk or attached to an e-mail.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from crmclean.report import html_sections as sections
from crmclean.segments.report import html_section as segments_section
from crmclean.write import write_text

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1f2328;font:14px/1.45 -apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
header{display:flex;gap:28px;align-items:center;background:#fff;border-radius:12px;
padding:20px 28px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{margin:0 0 4px;font-size:26px}h2{font-size:18px;margin:0 0 10px}h3{font-size:14px;margin:0 0 6px}
.grade{font-size:20px;font-weight:700;margin:0;text-transform:capitalize}
.meta{color:#57606a;font-size:12.5px;margin:4px 0}.since{margin:4px 0}
section{background:#fff;border-radius:12px;padding:18px 22px;margin-top:18px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:14px;background:none;box-shadow:none;
padding:0}
.card{background:#fff;border-radius:12px;padding:14px 18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card p{margin:6px 0 0}.score{font-size:34px;font-weight:700;line-height:1.1}
.score small{font-size:14px;color:#57606a;font-weight:400}
.meter{height:6px;background:#e6e8eb;border-radius:3px;margin-top:8px;overflow:hidden}
.meter span{display:block;height:100%}
.delta{font-size:13px;font-weight:600;padding:1px 6px;border-radius:8px;vertical-align:middle}
.delta.up{color:#1a7f37;background:#dafbe1}.delta.down{color:#c62828;background:#ffebe9}
.delta.flat{color:#57606a;background:#eaeef2}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px;align-items:start}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
ul{margin:4px 0;padding-left:18px}ul.bad li::marker{color:#c62828}ul.good li::marker{color:#1a7f37}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.03em}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.ex{color:#57606a;font-size:12.5px}
.rule{color:#8a8f98;font-size:11.5px}
.sev{font-size:11.5px;font-weight:600;padding:1px 7px;border-radius:8px}
.sev.error{background:#ffebe9;color:#c62828}.sev.warning{background:#fff4d6;color:#9a6700}
.sev.info{background:#eaeef2;color:#57606a}
.cluster{margin:10px 0}.cluster table{table-layout:fixed}.cluster td{font-size:12.5px;
overflow-wrap:anywhere}.cluster td.src{color:#8a8f98}.c-src{width:22%}.c-name{width:26%}
.c-email{width:32%}.c-phone{width:20%}
ol.fix{list-style:none;padding:0;margin:0}ol.fix li{display:flex;gap:12px;align-items:baseline;
padding:6px 0;border-bottom:1px solid #eaeef2}ol.fix li:last-child{border-bottom:0}
.warn{color:#9a6700}.facts{border-left:4px solid #b7791f}
.big{font-size:20px;font-weight:700;min-width:64px;text-align:right;color:#c62828}
footer{color:#8a8f98;font-size:12px;margin-top:22px}
svg.chart{max-width:100%;height:auto}
@media (max-width:820px){.cards{grid-template-columns:1fr 1fr}.grid2,.two{grid-template-columns:1fr}
header{flex-direction:column;text-align:center}}
@media print{body{background:#fff}section,header,.card{box-shadow:none;border:1px solid #ddd}}
"""


def _footer(doc: dict[str, Any]) -> str:
    weights = ", ".join(f"{name} {w:g}" for name, w in doc["weights"].items())
    masked = " Personal data masked." if doc["masked"] else ""
    return (
        f"<footer>Overall score: weighted mean of the dimension scores ({escape(weights)}).{masked}"
        f" Generated {escape(doc['generated_at'])} by crmclean {escape(doc['tool_version'])}; "
        f"schema {escape(doc['schema'])} v{doc['schema_version']}.</footer>"
    )


def render_html(doc: dict[str, Any]) -> str:
    """The whole report page for an audit document."""
    charts = f"<div class='grid2'>{sections.fields_chart(doc)}<div>{sections.fix_first(doc)}"
    charts += f"{sections.facts(doc)}{sections.trend_chart(doc)}{sections.changes(doc)}"
    charts += "</div></div>"
    body = "".join([
        sections.headline(doc), sections.score_cards(doc), charts,
        sections.findings_table(doc), sections.duplicates(doc), sections.consistency(doc),
        sections.fixed_table(doc), segments_section(doc), _footer(doc),
    ])  # fmt: skip
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Customer data health audit {escape(doc['as_of'])}</title>"
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>"
    )


def write_html(doc: dict[str, Any], path: Path) -> Path:
    """Write the report to ``path`` (UTF-8) and return it."""
    return write_text(path, render_html(doc))
