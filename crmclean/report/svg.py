"""Inline SVG charts for the HTML report: score ring, per-field bars and the trend line.

Every chart is plain SVG text (no script, no external resource), so the report renders from disk
or inside an e-mail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from crmclean.report.labels import GRADE_COLORS, whole

TRACK = "#e6e8eb"
FILL_COLOR, VALID_COLOR = "#2f6fde", "#1a7f37"
SERIES = ("#2f6fde", "#1a7f37", "#8e44ad", "#d35400", "#16a085", "#c0392b", "#7f8c8d")


def ring(score: float | None, grade: str, size: int = 150) -> str:
    """A donut showing ``score`` out of 100 with the number in the middle."""
    r = size / 2 - 12
    circumference = 2 * math.pi * r
    shown = 0.0 if score is None else max(0.0, min(score, 100.0))
    dash = circumference * shown / 100
    color = GRADE_COLORS.get(grade, GRADE_COLORS["n/a"])
    label = whole(score)
    c = size / 2
    return (
        f'<svg class="chart ring" role="img" aria-label="score {label} of 100" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}">'
        f'<circle cx="{c}" cy="{c}" r="{r:.1f}" fill="none" stroke="{TRACK}" stroke-width="14"/>'
        f'<circle cx="{c}" cy="{c}" r="{r:.1f}" fill="none" stroke="{color}" stroke-width="14" '
        f'stroke-linecap="round" stroke-dasharray="{dash:.1f} {circumference:.1f}" '
        f'transform="rotate(-90 {c} {c})"/>'
        f'<text x="{c}" y="{c + 4}" text-anchor="middle" font-size="{size * 0.3:.0f}" '
        f'font-weight="700" fill="#1f2328">{label}</text>'
        f'<text x="{c}" y="{c + size * 0.2:.0f}" text-anchor="middle" font-size="12" '
        f'fill="#57606a">of 100</text></svg>'
    )


def _bar(
    x: float, y: float, width: float, rate: float | None, color: str, empty: str = "not checked"
) -> str:
    if rate is None:
        return f'<text x="{x + 4}" y="{y + 8}" font-size="10" fill="#8a8f98">{empty}</text>'
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="10" rx="2" fill="{TRACK}"/>'
        f'<rect x="{x}" y="{y}" width="{width * rate:.1f}" height="10" rx="2" fill="{color}"/>'
        f'<text x="{x + width + 6}" y="{y + 9}" font-size="11" fill="#1f2328">'
        f"{whole(100 * rate)}%</text>"
    )


FieldRow = tuple[str, float | None, float | None, bool]


def field_bars(rows: list[FieldRow], width: int = 560) -> str:
    """Two bars per field: filled (blue) and valid (green, for checked fields), as shares."""
    label_w, bar_w, row_h = 130, (width - 130 - 90) / 2, 30
    height = 26 + row_h * len(rows)
    parts = [
        f'<svg class="chart bars" role="img" aria-label="completeness and validity per field" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        _legend(((FILL_COLOR, "filled"), (VALID_COLOR, "valid")), label_w),
    ]
    for i, (name, fill, valid, checked) in enumerate(rows):
        y = 26 + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12" '
            f'fill="#1f2328">{escape(name)}</text>'
        )
        parts.append(_bar(label_w, y + 2, bar_w, fill, FILL_COLOR))
        empty = "no values" if checked else "not checked"
        parts.append(_bar(label_w + bar_w + 45, y + 2, bar_w, valid, VALID_COLOR, empty))
    parts.append("</svg>")
    return "".join(parts)


def _legend(items: tuple[tuple[str, str], ...], x: float, per_row: int = 4) -> str:
    out = []
    for i, (color, text) in enumerate(items):
        left, top = x + (i % per_row) * 110, 4 + (i // per_row) * 18
        out.append(
            f'<rect x="{left}" y="{top}" width="12" height="12" rx="2" fill="{color}"/>'
            f'<text x="{left + 18}" y="{top + 10}" font-size="12" fill="#57606a">'
            f"{escape(text)}</text>"
        )
    return "".join(out)


def trend(points: list[tuple[str, dict[str, float | None]]], width: int = 560) -> str:
    """One line per series over the audits (x: audit dates, y: 0-100)."""
    height, left, top, bottom, right = 250, 36, 50, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    names = list(points[0][1]) if points else []
    step = plot_w / max(len(points) - 1, 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + (i * step if len(points) > 1 else plot_w / 2)
        return x, top + plot_h * (1 - value / 100)

    parts = [
        f'<svg class="chart trend" role="img" aria-label="score trend" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        _legend(tuple((SERIES[i % len(SERIES)], n) for i, n in enumerate(names)), left),
    ]
    for level in (0, 50, 100):
        _, y = xy(0, level)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{TRACK}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#57606a">{level}</text>'
        )
    for i, (label, _) in enumerate(points):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 18}" text-anchor="middle" font-size="10" '
            f'fill="#57606a">{escape(label)}</text>'
        )
    for s, name in enumerate(names):
        parts.append(_series(points, name, SERIES[s % len(SERIES)], xy, bold=s == 0))
    parts.append("</svg>")
    return "".join(parts)


def _series(
    points: list[tuple[str, dict[str, float | None]]],
    name: str,
    color: str,
    xy: Callable[[int, float], tuple[float, float]],
    *,
    bold: bool,
) -> str:
    coords = [xy(i, v) for i, (_, row) in enumerate(points) if (v := row.get(name)) is not None]
    if not coords:
        return ""
    width = 3 if bold else 1.5
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{width + 1}" fill="{color}"/>'
                   for x, y in coords)  # fmt: skip
    return f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}"/>{dots}'
