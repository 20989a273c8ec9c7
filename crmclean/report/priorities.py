"""What the reports put first: findings ranked by impact, facts about the whole data set kept
apart, and the findings that are real rewrites.

Impact = records affected x the weight of the finding's dimension x its severity (an error
counts twice a warning). A finding of the audit's own checks that holds for every record
audited (no record has consent, none is dated) is a fact about the data set, not a list of
records to fix: the source most likely has no such column, so it goes to its own box.
"""

from __future__ import annotations

from typing import Any

from crmclean.codes import AUDIT_CODES

Doc = dict[str, Any]
_SEVERITY = {"error": 2.0, "warning": 1.0, "info": 0.0}


def is_fact(doc: Doc, finding: dict[str, Any]) -> bool:
    """An audit check failed by every record audited: a fact about the data set."""
    audited = doc["records"]["audited"]
    return finding["code"] in AUDIT_CODES and audited > 0 and finding["count"] >= audited


def dataset_facts(doc: Doc) -> list[dict[str, Any]]:
    """The findings that describe the data set as a whole, most severe first."""
    facts = [f for f in doc["findings"] if is_fact(doc, f)]
    return sorted(facts, key=lambda f: -_SEVERITY.get(f["severity"], 0.0))


def impact(doc: Doc, finding: dict[str, Any]) -> float:
    """Records affected x dimension weight x severity; 0 for facts about the data set."""
    if is_fact(doc, finding):
        return 0.0
    weight = doc["weights"].get(finding["dimension"], 1.0)
    return finding["count"] * weight * _SEVERITY.get(finding["severity"], 0.0)


def fix_first(doc: Doc, limit: int = 5) -> list[dict[str, Any]]:
    """Errors and warnings a record-level fix can clear, the largest impact first."""
    ranked = [(impact(doc, f), f) for f in doc["findings"]]
    ranked = [(score, f) for score, f in ranked if score > 0]
    ranked.sort(key=lambda pair: (-pair[0], pair[1]["code"], pair[1]["field"] or ""))
    return [f for _, f in ranked[:limit]]


def is_rewrite(finding: dict[str, Any]) -> bool:
    """An informational finding of a normalizer: a value written differently and fixed."""
    return finding["severity"] == "info" and finding["code"] not in AUDIT_CODES


def problems(doc: Doc) -> list[dict[str, Any]]:
    """Every finding that is not a rewrite (errors, warnings, the audit's own notes)."""
    return [f for f in doc["findings"] if not is_rewrite(f)]


def rewrites(doc: Doc) -> list[dict[str, Any]]:
    """The values normalization rewrote on the way into the target."""
    return [f for f in doc["findings"] if is_rewrite(f)]
