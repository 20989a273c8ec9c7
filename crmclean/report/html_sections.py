"""The sections of the HTML audit report, each a function from the audit document to HTML."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from crmclean.report import priorities, svg
from crmclean.report.labels import (
    DIMENSION_LABELS,
    DIMENSION_QUESTIONS,
    GRADE_COLORS,
    delta_text,
    whole,
)

Doc = dict[str, Any]


def _num(value: float | None) -> str:
    return whole(value)


def _delta(delta: float | None) -> str:
    if delta is None:
        return ""
    kind = "up" if delta > 0 else "down" if delta < 0 else "flat"
    return f'<span class="delta {kind}">{escape(delta_text(delta))}</span>'


def _source_name(source: str) -> str:
    """A file's name, or a database URL without its password."""
    if "://" in source:
        scheme, _, rest = source.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return Path(source).name


def headline(doc: Doc) -> str:
    score, records = doc["score"], doc["records"]
    comparison = doc.get("comparison") or {}
    since = ""
    if comparison.get("score_delta") is not None:
        since = (
            f"<p class='since'>{_delta(comparison['score_delta'])} points since the audit of "
            f"{escape(comparison['previous_at'][:16].replace('T', ' '))} UTC "
            f"(was {_num(comparison['previous_score'])})</p>"
        )
    sources = ", ".join(escape(_source_name(s)) for s in doc["sources"])
    warned = "".join(
        f"<p class='meta warn'>History: {escape(w)}.</p>" for w in doc.get("history_warnings", [])
    )
    return (
        f"<header><div class='ring-box'>{svg.ring(score['overall'], score['grade'])}</div>"
        f"<div><h1>Customer data health audit</h1>"
        f"<p class='grade' style='color:{GRADE_COLORS[score['grade']]}'>Overall: "
        f"{escape(score['grade'])}</p>{since}"
        f"<p class='meta'>{records['audited']:,} records audited ({records['rejected']:,} "
        f"unusable) from {sources} &middot; as of {escape(doc['as_of'])}</p>{warned}</div>"
        "</header>"
    )


def score_cards(doc: Doc) -> str:
    deltas = (doc.get("comparison") or {}).get("dimension_deltas", {})
    cards = []
    for name, dim in doc["dimensions"].items():
        color = GRADE_COLORS[dim["grade"]]
        width = 0 if dim["score"] is None else dim["score"]
        cards.append(
            f"<div class='card'><h3>{DIMENSION_LABELS[name]}</h3>"
            f"<div class='score' style='color:{color}'>{_num(dim['score'])}"
            f"<small>/100</small> {_delta(deltas.get(name))}</div>"
            f"<div class='meter'><span style='width:{width}%;background:{color}'></span></div>"
            f"<p>{escape(DIMENSION_QUESTIONS[name])}</p>"
            f"<p class='meta'>{dim['failed']:,} of {dim['checked']:,} failing &middot; "
            f"weight {dim['weight']:g}</p></div>"
        )
    return f"<section class='cards'>{''.join(cards)}</section>"


def fields_chart(doc: Doc) -> str:
    rows = [
        (r["field"], r["fill_rate"], r["validity"], r["present"] is not None) for r in doc["fields"]
    ]
    return (
        "<section><h2>Fields: how full, how valid</h2>"
        "<p class='meta'>Filled: share of records with a value. Valid: share of the values "
        f"present that the checks accept.</p>{svg.field_bars(rows)}</section>"
    )


def _when(trend: list[dict[str, Any]]) -> list[str]:
    """Each audit's date, with the time when two audits share a day (UTC)."""
    days = [p["generated_at"][:10] for p in trend]
    if len(set(days)) == len(days):
        return days
    return [p["generated_at"][:16].replace("T", " ") for p in trend]


def trend_chart(doc: Doc) -> str:
    labels = _when(doc["trend"])
    points = [
        (label, {"overall": p["overall"], **p["dimensions"]})
        for label, p in zip(labels, doc["trend"], strict=True)
    ]
    if not points:
        return ""
    note = "" if len(points) > 1 else "<p class='meta'>The trend grows with every audit kept.</p>"
    return f"<section><h2>Trend across audits</h2>{note}{svg.trend(points)}</section>"


def fix_first(doc: Doc, limit: int = 5) -> str:
    """The problems a record-level fix clears, ranked by impact, in plain words."""
    top = priorities.fix_first(doc, limit)
    if not top:
        return ""
    items = "".join(
        f"<li><span class='big'>{f['count']:,}</span> <span>{escape(f['description'])}"
        f"<br><span class='rule'>{escape(f['code'])} {escape(f['rule'])} "
        f"{escape(f['field'] or '')} &middot; {escape(f['dimension'])}</span></span></li>"
        for f in top
    )
    note = (
        "<p class='meta'>Ranked by impact: records affected &times; the weight of the "
        "dimension &times; severity.</p>"
    )
    return f"<section><h2>What to fix first</h2>{note}<ol class='fix'>{items}</ol></section>"


def facts(doc: Doc) -> str:
    """Findings true of every record: what the data set lacks, not records to fix."""
    found = priorities.dataset_facts(doc)
    if not found:
        return ""
    items = "".join(
        f"<li><b>Every record</b> ({f['count']:,}): {escape(f['description'])} "
        f"<span class='rule'>{escape(f['code'])} {escape(f['rule'])}</span></li>"
        for f in found
    )
    note = (
        "<p class='meta'>True of all the records audited: the source most likely has no "
        "such column. Map one if it exists elsewhere, or take it as a fact of this source."
        "</p>"
    )
    return f"<section class='facts'><h2>About this data set</h2>{note}<ul>{items}</ul></section>"


def _changed(comparison: dict[str, Any], limit: int = 5) -> str:
    moved = sorted(comparison["changed"], key=lambda f: -abs(f["count"] - f["previous_count"]))
    if not moved:
        return ""
    items = "".join(
        f"<li><b>{escape(f['code'])}</b>{escape(' ' + f['field'] if f['field'] else '')}: "
        f"{f['previous_count']:,} &rarr; {f['count']:,}</li>"
        for f in moved[:limit]
    )
    return f"<h3>Largest changes in count</h3><ul>{items}</ul>"


def changes(doc: Doc) -> str:
    comparison = doc.get("comparison")
    if not comparison:
        return ""
    items = [
        ("New findings", comparison["new"], "bad"),
        ("Resolved findings", comparison["resolved"], "good"),
    ]
    lists = "".join(
        f"<div><h3>{title} ({len(found)})</h3><ul class='{kind}'>"
        + "".join(
            f"<li><b>{escape(f['code'])}</b> {escape(f['rule'])} "
            f"{escape(f['field'] or '')} &middot; {f['count']:,}</li>"
            for f in found
        )
        + ("<li class='meta'>none</li>" if not found else "")
        + "</ul></div>"
        for title, found, kind in items
    )
    title = "<h2>What changed since the last audit</h2>"
    return f"<section>{title}<div class='two'>{lists}</div>{_changed(comparison)}</section>"


def _finding_row(f: dict[str, Any]) -> str:
    return (
        f"<tr><td><code>{escape(f['code'])}</code></td>"
        f"<td><span class='sev {escape(f['severity'])}'>{escape(f['severity'])}</span></td>"
        f"<td>{escape(f['field'] or '')}</td><td class='n'>{f['count']:,}</td>"
        f"<td>{escape(f['description'])}<br><span class='rule'>{escape(f['rule'])}</span></td>"
        f"<td class='ex'>{'<br>'.join(escape(e) for e in f['examples'])}</td></tr>"
    )


def _table(title: str, note: str, findings: list[dict[str, Any]]) -> str:
    if not findings:
        return ""
    return (
        f"<section><h2>{title}</h2><p class='meta'>{note}</p><table class='findings'><thead><tr>"
        "<th>code</th><th>severity</th><th>field</th><th>count</th><th>what</th>"
        f"<th>examples</th></tr></thead><tbody>{''.join(map(_finding_row, findings))}</tbody>"
        "</table></section>"
    )


def findings_table(doc: Doc) -> str:
    note = (
        "Errors, warnings and notes, the most severe first, then the most frequent. "
        "Count: records (values for field checks)."
    )
    return _table("Findings", note, priorities.problems(doc))


def fixed_table(doc: Doc) -> str:
    note = "Values normalization rewrites on the way into the target (before shown)."
    return _table("Written differently, fixed automatically", note, priorities.rewrites(doc))


def duplicates(doc: Doc) -> str:
    metrics = doc["dimensions"]["uniqueness"]["metrics"]
    top = metrics.get("top_clusters", [])
    if not top:
        return ""
    blocks = "".join(
        f"<div class='cluster'><h3>{c['size']} records</h3><table>{_CLUSTER_HEAD}<tbody>"
        + "".join(
            f"<tr><td class='src'>{escape(r['source'])}:{escape(r['source_id'])}</td>"
            + "".join(f"<td>{escape(r.get(k) or '')}</td>" for k in ("full_name", "email", "phone"))
            + "</tr>"
            for r in c["records"]
        )
        + _more_members(c)
        + "</tbody></table></div>"
        for c in top
    )
    summary = (
        f"{metrics['duplicates']:,} duplicate records in {metrics['clusters']:,} clusters; "
        f"largest: {metrics['largest_cluster']} records."
    )
    return f"<section><h2>Duplicates</h2><p class='meta'>{summary}</p>{blocks}</section>"


_CLUSTER_HEAD = (
    "<colgroup><col class='c-src'><col class='c-name'><col class='c-email'><col class='c-phone'>"
    "</colgroup><thead><tr><th>Source record</th><th>Name</th><th>E-mail</th><th>Phone</th>"
    "</tr></thead>"
)


def _more_members(cluster: dict[str, Any]) -> str:
    hidden = cluster["size"] - len(cluster["records"])
    return f"<tr><td class='meta' colspan='4'>and {hidden:,} more</td></tr>" if hidden > 0 else ""


def _other_spellings(group: dict[str, Any]) -> str:
    others = group.get("other_spellings", 0)
    if not others:
        return ""
    records = group.get("other_records", 0)
    return f" &middot; <span class='meta'>{others:,} other spellings ({records:,})</span>"


def consistency(doc: Doc) -> str:
    fields = doc["dimensions"]["consistency"]["metrics"].get("fields", {})
    blocks = []
    for name, metrics in fields.items():
        if not metrics["top"]:
            continue
        items = "".join(
            "<li>" + " &middot; ".join(
                f"{escape(s['text'])} <span class='meta'>({s['count']:,})</span>"
                for s in group["spellings"]
            ) + _other_spellings(group) + "</li>"
            for group in metrics["top"]
        )  # fmt: skip
        blocks.append(f"<div><h3>{escape(name)}</h3><ul>{items}</ul></div>")
    if not blocks:
        return ""
    return (
        f"<section><h2>Written several ways</h2><div class='two'>{''.join(blocks)}</div></section>"
    )
