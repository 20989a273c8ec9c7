"""The gate's report as one self-contained HTML page, in the audit report's style (inline CSS,
no script, nothing fetched): where the data came from and when it was checked, every
expectation in plain words with its verdict and counts, and for each failure the records
behind it (values masked), the fix to make and a link to the rule in the suite file."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from crmclean.audit.mask import masker
from crmclean.model import ContactModel
from crmclean.report.html import CSS
from crmclean.validate.plain import describe
from crmclean.validate.result import ExpectationFailure, GateResult
from crmclean.validate.suite import Suite, severity_of

EXTRA_CSS = (
    ".verdict{font-size:20px;font-weight:700;margin:0}.verdict.passed{color:#1a7f37}"
    ".verdict.failed{color:#c62828}.ok{color:#1a7f37;font-weight:600}"
    "th.n{text-align:right}.bad{color:#c62828;font-weight:600}.warn{color:#9a6700;font-weight:600}"
    "code{font-size:12px;background:#f0f2f4;padding:1px 4px;border-radius:4px;word-break:break-all}"
    ".fixit{background:#f6f8fa;border-left:3px solid #1a7f37;padding:6px 10px;margin:8px 0}"
)


@dataclass(frozen=True)
class Row:
    """One expectation of the suite and what the gate found."""

    number: int
    entry: dict[str, Any]
    failure: ExpectationFailure | None
    exception: str | None


def _rows(result: GateResult, suite: Suite) -> list[Row]:
    """The suite's expectations in order, each with its failure or exception (if any)."""
    pending = [*result.failures, *result.warnings]
    rows = []
    for number, entry in enumerate(suite.expectations, start=1):
        key = (entry["type"], entry["kwargs"].get("column"))
        found = next((f for f in pending if (f.expectation, f.column) == key), None)
        if found is not None:
            pending.remove(found)
        label = f"{key[0]}({key[1]})" if key[1] else key[0]
        raised = next((m for m in result.exceptions if m.startswith(label + ":")), None)
        rows.append(Row(number, entry, found, raised))
    return rows


def _verdict(row: Row, records: int) -> tuple[str, str, str]:
    """The CSS class, the verdict and the failing count of an expectation."""
    if row.exception is not None:
        return "bad", "could not run", "-"
    failure = row.failure
    if failure is None:
        return "ok", "passed", f"0 of {records:,}"
    css, word = ("bad", "failed") if failure.severity == "error" else ("warn", "warning")
    if failure.unexpected_count is None:
        return css, word, f"observed {failure.observed_value}"
    return css, word, f"{failure.unexpected_count:,} of {failure.element_count or records:,}"


def _summary(rows: list[Row], records: int, title: str = "Expectations", anchor: str = "") -> str:
    """Every expectation: number, plain words (linked to its details), severity, verdict."""
    body = []
    for row in rows:
        words = escape(describe(row.entry)[0])
        if row.failure is not None or row.exception is not None:
            words = f"<a href='#exp-{anchor}{row.number}'>{words}</a>"
        css, verdict, failing = _verdict(row, records)
        severity = severity_of(row.entry.get("meta"))
        body.append(
            f"<tr><td class='n'>{row.number}</td><td>{words}</td>"
            f"<td><span class='sev {severity}'>{severity}</span></td>"
            f"<td class='{css}'>{verdict}</td><td class='n'>{escape(failing)}</td></tr>"
        )
    head = (
        "<tr><th>#</th><th>What must hold</th><th>Severity</th><th>Result</th>"
        "<th class='n'>Failing</th></tr>"
    )
    table = f"<table class='expectations'><thead>{head}</thead><tbody>{''.join(body)}</tbody>"
    return f"<section><h2>{escape(title)}</h2>{table}</table></section>"


def _examples(failure: ExpectationFailure, model: ContactModel) -> str:
    """The failing records shown (source, source id, golden id, masked value)."""
    mask = masker(model, failure.column)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(str(e.get(k) or '-'))}</td>" for k in ("source", "source_id"))
        + f"<td class='ex'>{escape(str(e.get('golden_id') or '-'))}</td>"
        + f"<td>{escape(mask(str(e['value'])) if e.get('value') is not None else '(empty)')}</td>"
        + "</tr>"
        for e in failure.examples
    )
    if not rows:
        return ""
    head = "<tr><th>Source</th><th>Source id</th><th>Golden id</th><th>Value (masked)</th></tr>"
    return f"<table class='failing'><thead>{head}</thead><tbody>{rows}</tbody></table>"


def _detail(row: Row, suite: Suite, records: int, model: ContactModel, anchor: str = "") -> str:
    """One failing expectation: what must hold, the counts, the fix, the rule, the records."""
    words, fix = describe(row.entry)
    css, verdict, failing = _verdict(row, records)
    text = f"{verdict}: {failing} golden records failing" if " of " in failing else verdict
    column = row.entry["kwargs"].get("column")
    rule = escape(row.entry["type"] + (f"({column})" if column else ""))
    link = f"<a href='{escape(suite.path.resolve().as_uri())}'>{escape(suite.path.name)}</a>"
    parts = [
        f"<section id='exp-{anchor}{row.number}'><h3>{row.number}. {escape(words)}</h3>",
        f"<p class='{css}'>{escape(text)}</p>",
        f"<p class='fixit'><b>Fix:</b> {escape(fix)}.</p>",
        f"<p class='rule'>Rule: expectation {row.number} of {link}: <code>{rule}</code></p>",
    ]
    if row.exception is not None:
        parts.append(f"<p class='bad'>{escape(row.exception)}</p>")
    if row.failure is not None:
        parts.append(_examples(row.failure, model))
    return "".join(parts) + "</section>"


def _checked(result: GateResult) -> str:
    """What the gate read: golden records, and golden companies when the company suite ran."""
    records = f"{result.records:,} golden records"
    firms = result.companies
    if firms is None:
        return records
    return (
        f"{records} and {firms.records:,} golden companies "
        f"({firms.checked} of the expectations on companies)"
    )


def _header(result: GateResult, source: str, checked_at: str, suite: Suite) -> str:
    css, verdict = ("passed", "Gate passed") if result.success else ("failed", "Gate failed")
    counts = (
        f"{result.checked} expectations: {len(result.failures)} failed, "
        f"{len(result.warnings)} warnings, {len(result.exceptions)} could not run"
    )
    return (
        f"<header><div><h1>Load gate report</h1><p class='verdict {css}'>{verdict}</p>"
        f"<p class='meta'>{escape(counts)} over {_checked(result)}</p>"
        f"<p class='meta'>Data: {escape(source)} · checked {escape(checked_at)} · suite "
        f"<a href='{escape(suite.path.resolve().as_uri())}'>{escape(str(suite.path))}</a>"
        "</p></div></header>"
    )


def _part(
    result: GateResult, suite: Suite, model: ContactModel, title: str, anchor: str
) -> tuple[str, list[str]]:
    """One suite's table of expectations and the details of its failures and warnings."""
    rows = _rows(result, suite)
    details = [
        _detail(r, suite, result.records, model, anchor)
        for r in rows
        if r.failure is not None or r.exception is not None
    ]
    return _summary(rows, result.records, title, anchor), details


def render_html(
    result: GateResult,
    suite: Suite,
    model: ContactModel,
    *,
    source: str,
    checked_at: str,
    company_suite: Suite | None = None,
) -> str:
    """The whole page: header, every expectation, then each failure and warning in detail;
    the company suite's part after the contacts' when the run gated companies too."""
    summary, details = _part(result, suite, model, "Expectations", "")
    if result.companies is not None and company_suite is not None:
        firms, firm_details = _part(
            result.companies, company_suite, model, "Company expectations", "c"
        )
        summary, details = summary + firms, [*details, *firm_details]
    footer = (
        "<footer>Example values are masked; the failures CSV holds every failing row in full. "
        "Error-severity failures block the load; warnings are reported only.</footer>"
    )
    body = _header(result, source, checked_at, suite) + summary
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Load gate report: {escape(source)}</title>"
        f"<style>{CSS}{EXTRA_CSS}</style></head><body><main>{body}{''.join(details)}"
        f"{footer}</main></body></html>"
    )
