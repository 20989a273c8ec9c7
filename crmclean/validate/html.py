"""The gate's report as one self-contained HTML page (no scripts, nothing fetched)."""

from __future__ import annotations

from html import escape

from crmclean.validate.result import ExpectationFailure, GateResult

_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
    ".error{color:#b00020}.warning{color:#a05a00}.passed{color:#1b5e20}"
)


def _examples(failure: ExpectationFailure) -> str:
    header = "<tr><th>source</th><th>source id</th><th>golden id</th><th>value</th></tr>"
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{escape(str(e.get(k)))}</td>" for k in ("source", "source_id", "golden_id"))
        + f"<td>{escape(repr(e.get('value')))}</td></tr>"
        for e in failure.examples
    )
    return f"<table>{header}{rows}</table>" if rows else ""


def _section(failure: ExpectationFailure) -> str:
    where = escape(failure.expectation + (f"({failure.column})" if failure.column else ""))
    if failure.unexpected_count is None:
        counts = f"observed {escape(str(failure.observed_value))}"
    else:
        counts = f"{failure.unexpected_count} of {failure.element_count} golden records"
    title = f'<h3 class="{failure.severity}">{failure.severity.upper()} {where}</h3>'
    return f"{title}<p>{counts}</p>{_examples(failure)}"


def render_html(result: GateResult, title: str = "crmclean gate") -> str:
    """The verdict, then every failure and warning with up to ten example rows."""
    verdict = "passed" if result.success else "FAILED"
    kind = "passed" if result.success else "error"
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>",
        f'<h2 class="{kind}">Gate {verdict}</h2>',
        f"<p>{result.checked} expectations, {len(result.failures)} failed, "
        f"{len(result.warnings)} warnings, {len(result.exceptions)} could not run</p>",
        *(_section(f) for f in result.failures),
        *(_section(w) for w in result.warnings),
        *(f'<p class="error">{escape(message)}</p>' for message in result.exceptions),
        "</body></html>",
    ]
    return "\n".join(parts)
