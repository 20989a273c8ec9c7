"""Words, colors and number formats shared by the audit's text and HTML reports."""

from __future__ import annotations

DIMENSION_LABELS = {
    "completeness": "Completeness",
    "validity": "Validity",
    "uniqueness": "Uniqueness",
    "consistency": "Consistency",
    "timeliness": "Timeliness",
    "compliance": "Compliance",
}

DIMENSION_QUESTIONS = {
    "completeness": "Are the fields filled, can every contact be reached?",
    "validity": "Are e-mails, phones, dates and codes well-formed?",
    "uniqueness": "Is each person in the data only once?",
    "consistency": "Is the same value always written the same way?",
    "timeliness": "Are the records kept up to date?",
    "compliance": "Consent, opt-outs and retention (LGPD/GDPR).",
}

GRADE_STYLES = {"good": "green", "fair": "yellow", "poor": "red", "n/a": "dim"}
GRADE_COLORS = {"good": "#1a7f37", "fair": "#b7791f", "poor": "#c62828", "n/a": "#8a8f98"}


def whole(score: float | None) -> str:
    """A score as a whole number, never rounded up to 100 (``99.7`` -> ``99``)."""
    if score is None:
        return "n/a"
    text = f"{score:.0f}"
    return "99" if text == "100" and score < 100 else text


def pct(rate: float | None) -> str:
    """``0.8734`` -> ``87.3%``; empty when not measured."""
    if rate is None:
        return ""
    text = f"{100 * rate:.1f}%"
    return "99.9%" if text == "100.0%" and rate < 1 else text


def delta_text(delta: float | None) -> str:
    """``+2.5``, ``-1.0`` or ``±0`` ; empty when there is nothing to compare."""
    if delta is None:
        return ""
    return "±0" if delta == 0 else f"{delta:+.1f}"
