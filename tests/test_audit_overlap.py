"""The audit measures the records while the dedupe stage runs (:func:`crmclean.audit.run.settled`):
its document is the one measuring every dimension after the stage gives, whatever the stage
appends to the findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crmclean import pipeline
from crmclean.audit import load_audit_config
from crmclean.audit.document import build_document
from crmclean.audit.findings import Examples
from crmclean.audit.run import measure, measure_records, settled
from crmclean.batch import FINDING_SCHEMA, Batch
from crmclean.dedupe.blocking import OVERSIZED
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

PLANTED = Path(__file__).parent / "data" / "audit" / "planted.csv"
RULES = Rules()
SETTINGS = load_audit_config(RULES)
ARGS: dict[str, Any] = {
    "config": SETTINGS,
    "as_of": date(2026, 1, 1),
    "examples": Examples(RULES.model, False, SETTINGS.examples),
}
OPTIONS = pipeline.RunOptions(merge=False, slim_pairs=True, learned_model=False, aside=False)


@pytest.fixture(scope="module")
def stages() -> tuple[Batch, Batch]:
    """The planted file's batch before and after the dedupe stage."""
    result = pipeline.run([SourceSpec(path=PLANTED)], RULES, OPTIONS, stop_before="dedupe")
    before = result.batch
    pipeline.run_dedupe(result, RULES, OPTIONS)
    return before, result.batch


def _document(batch_measures: list[Any]) -> dict[str, Any]:
    doc = build_document(
        batch_measures, config=SETTINGS, model=RULES.model, sources=["planted"],
        as_of=ARGS["as_of"], masked=False,
    )  # fmt: skip
    doc.pop("generated_at")
    return doc


def _finding(field: str, code: str, rule: str, severity: str, before: str) -> pl.DataFrame:
    row = {"_source": "contacts", "_source_id": "3", "field": field, "code": code}
    row |= {"rule": rule, "severity": severity, "before": before, "after": None}
    return pl.DataFrame([row]).cast(FINDING_SCHEMA)  # type: ignore[arg-type]


def _settled_equals_measured(before: Batch, after: Batch) -> dict[str, Any]:
    early = measure_records(before, RULES, ARGS)
    doc = _document(settled(early, before, after, RULES, ARGS))
    assert doc == _document(measure(after, RULES, ARGS))
    return doc


def test_measured_alongside_the_dedupe_as_after_it(stages: tuple[Batch, Batch]) -> None:
    doc = _settled_equals_measured(*stages)
    assert doc["dimensions"]["uniqueness"]["failed"] == 3  # the golden ids were read


def test_the_dedupe_stages_own_findings_join_validity(stages: tuple[Batch, Batch]) -> None:
    before, after = stages
    oversized = _finding("email_key", "DD01", OVERSIZED.rule, "warning", "x@y.com")
    doc = _settled_equals_measured(before, after.add_findings(oversized))
    assert any(f["code"] == "DD01" for f in doc["findings"])


def test_a_kind_found_before_is_counted_once(stages: tuple[Batch, Batch]) -> None:
    before, after = stages
    found = _finding("email_key", "DD01", OVERSIZED.rule, "warning", "a@y.com")
    again = _finding("email_key", "DD01", OVERSIZED.rule, "warning", "b@y.com")
    earlier = before.add_findings(found)
    added = after.findings.slice(before.findings.height)
    later = replace(after, findings=pl.concat([earlier.findings, added, again]))
    doc = _settled_equals_measured(earlier, later)
    [counted] = [f for f in doc["findings"] if f["field"] == "email_key"]
    assert counted["count"] == 2 and counted["examples"] == ["a@y.com", "b@y.com"]


def test_a_finding_on_a_record_field_measures_again(stages: tuple[Batch, Batch]) -> None:
    before, after = stages
    invalid = _finding("email", "EM01", "email.invalid", "warning", "ana@")
    doc = _settled_equals_measured(before, after.add_findings(invalid))
    early = _document(measure(replace(after, findings=before.findings), RULES, ARGS))
    assert doc["dimensions"]["validity"] != early["dimensions"]["validity"]
