"""``--history DIR``: every audit's JSON kept, compared with the previous one, drawn as a trend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crmclean.errors import UserError
from crmclean.write import write_text

PATTERN = "audit-*.json"


def load_history(directory: Path) -> list[dict[str, Any]]:
    """Past audit documents in ``directory``, oldest first (none when it does not exist)."""
    if directory.exists() and not directory.is_dir():
        raise UserError("expected a folder for --history", file=str(directory))
    paths = sorted(directory.glob(PATTERN), key=lambda p: p.stat().st_mtime_ns)
    documents = [document for path in paths if (document := _read(path)) is not None]
    return sorted(documents, key=lambda d: d.get("generated_at", ""))  # stable: mtime breaks ties


def _read(path: Path) -> dict[str, Any] | None:
    """One past audit; an unreadable document (empty after a full disk, edited by hand) is
    skipped with a warning, so one bad file never stops every later audit."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _skip(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None
    if not isinstance(document, dict) or "score" not in document:
        _skip(path, "no 'score'")
        return None
    return document


def _skip(path: Path, reason: str) -> None:
    click.echo(f"Warning: {path}: skipped, not a readable audit document ({reason})", err=True)


def save(directory: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` as ``audit-<timestamp>.json`` in ``directory``; the path written."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = document["generated_at"].replace("-", "").replace(":", "").split(".")[0]
    path, n = directory / f"audit-{stamp}.json", 1
    while path.exists():  # two audits in the same second keep both
        n += 1
        path = directory / f"audit-{stamp}-{n}.json"
    return write_text(path, json.dumps(document, ensure_ascii=False, indent=1))


def subject(document: dict[str, Any]) -> list[str]:
    """What an audit was of: its sources' file names or database URLs (no password), sorted."""
    names = []
    for source in document.get("sources", []):
        if "://" in source:
            scheme, _, rest = source.partition("://")
            names.append(f"{scheme}://{rest.rpartition('@')[2]}")
        else:
            names.append(Path(source).name)
    return sorted(names)


def same_subject(
    document: dict[str, Any], past: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The past audits of the same data as ``document``, and warnings: the history holds
    audits of other data (left out), or the previous audit was of other data."""
    this = subject(document)
    same = [d for d in past if subject(d) == this]
    others = {", ".join(subject(d)) for d in past if subject(d) != this}
    warnings = []
    if past and subject(past[-1]) != this:
        warnings.append(
            f"the previous audit in this history was of {', '.join(subject(past[-1]))}; "
            f"this one is of {', '.join(this)}: compared only with audits of the same data"
        )
    elif others:
        warnings.append(
            f"audits of other data in this history left out: {'; '.join(sorted(others))}"
        )
    return same, warnings


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 1)


def _findings(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{f['code']}:{f.get('field') or ''}": f for f in document.get("findings", [])}


def compare(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Score and per-dimension deltas; findings new, resolved and changed in count."""
    now, before = _findings(current), _findings(previous)
    dims = current["dimensions"]
    old_dims = previous.get("dimensions", {})
    return {
        "previous_at": previous.get("generated_at"),
        "previous_score": previous["score"].get("overall"),
        "score_delta": _delta(current["score"]["overall"], previous["score"].get("overall")),
        "dimension_deltas": {
            name: _delta(d["score"], old_dims.get(name, {}).get("score"))
            for name, d in dims.items()
        },
        "new": [_brief(now[k]) for k in now if k not in before],
        "resolved": [_brief(before[k]) for k in before if k not in now],
        "changed": [
            {**_brief(now[k]), "previous_count": before[k]["count"]}
            for k in now
            if k in before and now[k]["count"] != before[k]["count"]
        ],
    }


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    keys = ("code", "rule", "severity", "field", "count")
    return {k: finding.get(k) for k in keys}


def trend(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Date, overall score and dimension scores of each audit, oldest first."""
    return [
        {
            "generated_at": d["generated_at"],
            "overall": d["score"].get("overall"),
            "dimensions": {n: v.get("score") for n, v in d.get("dimensions", {}).items()},
        }
        for d in documents
    ]
