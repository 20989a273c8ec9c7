"""Segments in the audit of a target: the latest run's sizes and the moves since the one before,
as a document section, an HTML table with an SVG chart, and terminal lines."""

from __future__ import annotations

from html import escape
from typing import Any

import polars as pl
import sqlalchemy as sa

from crmclean.load.schema import RUN_ID
from crmclean.load.target import target_url
from crmclean.segments.assign import SEGMENT
from crmclean.segments.history import HISTORY, history_runs, segments_of
from crmclean.segments.moves import describe, moves
from crmclean.segments.rfm import RFM_SEGMENT

BLUE, TRACK = "#2f6fde", "#e6e8eb"


def _sizes(assigned: pl.DataFrame, column: str) -> dict[str, int]:
    counts = assigned.group_by(column).len().sort(["len", column], descending=[True, False])
    return {str(name): int(count) for name, count in counts.iter_rows()}


def segment_summary(location: str) -> dict[str, Any] | None:
    """The latest segment run of the target at ``location`` and its moves since the previous
    one; None when the target has no segment history. Only reads."""
    engine = sa.create_engine(target_url(location))
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(HISTORY):
                return None
            runs = history_runs(conn)
            if runs.is_empty():
                return None
            latest = runs.row(-1, named=True)
            after = segments_of(conn, latest[RUN_ID])
            before = segments_of(conn, runs[RUN_ID][-2]) if runs.height > 1 else None
    finally:
        engine.dispose()
    return {
        "run_id": latest[RUN_ID],
        "as_of": latest["as_of"],
        "previous_run_id": None if before is None else runs[RUN_ID][-2],
        "sizes": _sizes(after, SEGMENT),
        "rfm_sizes": _sizes(after, RFM_SEGMENT),
        "moves": [] if before is None else moves(before, after, SEGMENT).to_dicts(),
    }


def bars_svg(sizes: dict[str, int], width: int = 520) -> str:
    """A horizontal bar per segment, its length proportional to its size."""
    largest, row, label = max(sizes.values(), default=0) or 1, 22, 150
    height = row * len(sizes) + 6
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="segment sizes">']  # fmt: skip
    for i, (name, count) in enumerate(sizes.items()):
        y, span = 4 + i * row, (width - label - 70) * count / largest
        parts.append(
            f'<text x="0" y="{y + 11}" font-size="12">{escape(name)}</text>'
            f'<rect x="{label}" y="{y}" width="{width - label - 70}" height="14" rx="2" '
            f'fill="{TRACK}"/><rect x="{label}" y="{y}" width="{span:.1f}" height="14" rx="2" '
            f'fill="{BLUE}"/><text x="{width - 64}" y="{y + 11}" font-size="12">{count:,}</text>'
        )
    return "".join(parts) + "</svg>"


def html_section(doc: dict[str, Any]) -> str:
    """The audit page's segments section (empty when the document has none)."""
    summary = doc.get("segments")
    if not summary:
        return ""
    rows = "".join(
        f"<tr><td>{escape(m['from'])}</td><td>{escape(m['to'])}</td>"
        f"<td class='n'>{m['contacts']:,}</td><td>{escape(describe(m))}</td></tr>"
        for m in summary["moves"]
    )
    since = summary["previous_run_id"]
    moves_html = (
        f"<h3>Moves since run {escape(since[:8])}</h3><table><tr><th>from</th><th>to</th>"
        f"<th>contacts</th><th>what it means</th></tr>{rows}</table>"
        if since else "<p class='meta'>No earlier segment run to compare with.</p>"
    )  # fmt: skip
    moved = {f"{m['from']} → {m['to']}": m["contacts"] for m in summary["moves"]}
    chart = bars_svg(moved) if moved else ""
    return (
        f"<section id='segments'><h2>Segments</h2><p class='meta'>Run "
        f"{escape(summary['run_id'][:8])}, as of {escape(summary['as_of'])}</p>"
        f"<div class='two'><div>{bars_svg(summary['sizes'])}</div>"
        f"<div>{bars_svg(summary['rfm_sizes'])}</div></div>{moves_html}{chart}</section>"
    )


def text_lines(doc: dict[str, Any]) -> list[str]:
    """The segments section as terminal lines."""
    summary = doc.get("segments")
    if not summary:
        return []
    sizes = ", ".join(f"{name} {count:,}" for name, count in summary["sizes"].items())
    return [f"Segments (as of {summary['as_of']}): {sizes}"] + [
        f"  {describe(m)}" for m in summary["moves"]
    ]
