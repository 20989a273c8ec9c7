"""The terminal summary of an audit (rich tables readable in 80 columns)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crmclean.accounts.audit import text_lines as company_lines
from crmclean.report.labels import DIMENSION_LABELS, GRADE_STYLES, delta_text, pct
from crmclean.report.priorities import dataset_facts
from crmclean.segments.report import text_lines as segment_lines

FINDINGS_SHOWN = 12
CLUSTERS_SHOWN = 3


def _score(score: float | None, grade: str) -> Text:
    return Text("n/a" if score is None else f"{score:.1f}", style=GRADE_STYLES.get(grade, ""))


def _headline(doc: dict[str, Any]) -> Text:
    score = doc["score"]
    line = Text("Data health score: ", style="bold")
    line.append_text(_score(score["overall"], score["grade"]))
    line.append(f" / 100 ({score['grade']})")
    comparison = doc.get("comparison")
    if comparison and comparison["score_delta"] is not None:
        line.append(
            f"   {delta_text(comparison['score_delta'])} since "
            f"{comparison['previous_at'][:16].replace('T', ' ')} UTC"
        )
    return line


def dimensions_table(doc: dict[str, Any]) -> Table:
    deltas = (doc.get("comparison") or {}).get("dimension_deltas", {})
    table = Table(title="Dimensions", title_justify="left")
    for name, justify in (
        ("dimension", "left"),
        ("score", "right"),
        ("change", "right"),
        ("weight", "right"),
        ("checked", "right"),
        ("failing", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for name, dim in doc["dimensions"].items():
        table.add_row(
            DIMENSION_LABELS[name], _score(dim["score"], dim["grade"]),
            delta_text(deltas.get(name)), f"{dim['weight']:g}", f"{dim['checked']:,}",
            f"{dim['failed']:,}",
        )  # fmt: skip
    return table


def fields_table(doc: dict[str, Any]) -> Table:
    table = Table(title="Fields", title_justify="left")
    for name in ("field", "filled", "valid", "invalid"):
        table.add_column(name, justify="left" if name == "field" else "right")
    for row in doc["fields"]:
        invalid = "" if row["invalid"] is None else f"{row['invalid']:,}"
        table.add_row(row["field"], pct(row["fill_rate"]), pct(row["validity"]), invalid)
    return table


def findings_table(doc: dict[str, Any]) -> Table:
    findings = doc["findings"]
    more = len(findings) - FINDINGS_SHOWN
    caption = f"... and {more} more (see --json or --html)" if more > 0 else None
    table = Table(title="Findings", title_justify="left", caption=caption, caption_justify="left")
    table.add_column("code")
    table.add_column("severity")
    table.add_column("field")
    table.add_column("count", justify="right")
    table.add_column("example", overflow="ellipsis", no_wrap=True, max_width=30)
    for f in findings[:FINDINGS_SHOWN]:
        style = GRADE_STYLES["poor" if f["severity"] == "error" else "fair"]
        table.add_row(
            f["code"], Text(f["severity"], style=style if f["severity"] != "info" else ""),
            f["field"] or "-", f"{f['count']:,}", (f["examples"] or [""])[0],
        )  # fmt: skip
    return table


def _clusters(doc: dict[str, Any]) -> list[str]:
    top = doc["dimensions"]["uniqueness"]["metrics"].get("top_clusters", [])
    lines = []
    for cluster in top[:CLUSTERS_SHOWN]:
        names = sorted(
            {str(r["full_name"] or r["email"] or r["source_id"]) for r in cluster["records"]}
        )
        more = " ..." if cluster["size"] > len(cluster["records"]) else ""
        lines.append(f"  {cluster['size']} records: {' | '.join(names)}{more}")
    return lines


def _changes(doc: dict[str, Any]) -> list[str]:
    comparison = doc.get("comparison")
    if not comparison:
        return []
    new = ", ".join(f"{f['code']} {f['field'] or ''}".strip() for f in comparison["new"]) or "none"
    gone = ", ".join(f"{f['code']} {f['field'] or ''}".strip() for f in comparison["resolved"])
    return [f"New findings: {new}", f"Resolved: {gone or 'none'}"]


def print_audit(doc: dict[str, Any], console: Console | None = None) -> None:
    """Score, dimensions, fields, findings, top duplicate clusters and changes since last time."""
    console = console or Console(width=80, highlight=False)
    records = doc["records"]
    console.print(_headline(doc))
    console.print(
        f"{records['audited']:,} records audited, {records['rejected']:,} unusable; "
        f"as of {doc['as_of']}"
    )
    for warning in doc.get("history_warnings", []):
        console.print(f"History: {warning}.", style="yellow")
    facts = dataset_facts(doc)
    if facts:
        console.print("About this data set (true of every record):")
        for fact in facts:
            console.print(f"  {fact['code']} {fact['description']}")
    console.print(dimensions_table(doc))
    console.print(fields_table(doc))
    console.print(findings_table(doc))
    clusters = _clusters(doc)
    if clusters:
        console.print("Largest duplicate clusters:")
        for line in clusters:
            console.print(line, overflow="ellipsis", no_wrap=True)
    for line in [*_changes(doc), *segment_lines(doc), *company_lines(doc)]:
        console.print(line)
