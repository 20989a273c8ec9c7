"""Segments in the audit of a target: the latest run's sizes and the moves since the one before
(:func:`~crmclean.segments.summary.segment_summary`), as an HTML table with an SVG chart, and
terminal lines."""

from __future__ import annotations

from html import escape
from typing import Any

from crmclean.segments.moves import describe

BLUE, TRACK = "#2f6fde", "#e6e8eb"


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
