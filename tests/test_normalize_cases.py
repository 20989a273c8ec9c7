"""Every case of ``tests/cases/normalize/*.yaml``: one record in, the fields and findings out.

A case file holds ``cases:``, each with ``id``, ``in`` (canonical fields as typed), ``out`` (the
fields expected after normalize; the matching columns the dedupe stage derives from them, such
as ``email_key``, too) and optionally ``findings`` (the exact codes the record gets, in any
order; ``{PH09: "+55..."}`` also checks the suggestion) or ``rejected: true``. Each case is
its own source, so column-level decisions
(day-first dates) are taken per case. A record with no identifying field gets company "ACME".
Adding a case needs no Python.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from normalize_support import mapped

from crmclean.batch import Batch
from crmclean.dedupe.derived_keys import add_keys
from crmclean.normalize import normalize
from crmclean.normalize.unidentifiable import IDENTIFYING
from crmclean.rules import Rules

CASES = Path(__file__).parent / "cases" / "normalize"
FILLER = {"company": "ACME"}


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.stem, case)
        for path in sorted(CASES.glob("*.yaml"))
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    ]


def _record(case: dict[str, Any]) -> dict[str, str]:
    typed = {key: None if value is None else str(value) for key, value in case["in"].items()}
    return typed if set(typed) & set(IDENTIFYING) else {**FILLER, **typed}


@cache
def normalized(family: str) -> Batch:
    """One normalize run over every case of a file, each case its own source."""
    rules = Rules()
    cases = [case for stem, case in load_cases() if stem == family]
    frames = [mapped(rules, [_record(case)], source=case["id"]) for case in cases]
    batch = normalize(Batch(pl.concat(frames)), rules)
    return batch.with_frame(add_keys(batch.frame, rules))  # the dedupe stage's matching keys


def _codes(expected: list[Any]) -> tuple[list[str], dict[str, str]]:
    codes = sorted(next(iter(e)) if isinstance(e, dict) else e for e in expected)
    suggestions = {k: v for e in expected if isinstance(e, dict) for k, v in e.items()}
    return codes, suggestions


@pytest.mark.parametrize(
    ("family", "case"), load_cases(), ids=lambda v: v.get("id", v) if isinstance(v, dict) else v
)
def test_case(family: str, case: dict[str, Any]) -> None:
    batch = normalized(family)
    rows = batch.frame.filter(pl.col("_source") == case["id"])
    rejected = batch.rejects.filter(pl.col("_source") == case["id"]).height == 1
    assert rejected == case.get("rejected", False)
    if "out" in case:
        got = rows.select(list(case["out"])).row(0, named=True)
        assert got == case["out"]
    if "findings" in case:
        mine = batch.findings.filter(pl.col("_source") == case["id"])
        codes, suggestions = _codes(case["findings"])
        assert sorted(mine["code"]) == codes, mine.select("field", "rule", "before", "after").rows()
        after = dict(zip(mine["code"], mine["after"], strict=True))
        assert {code: after[code] for code in suggestions} == suggestions


def test_there_are_at_least_300_cases_with_unique_ids() -> None:
    ids = [case["id"] for _, case in load_cases()]
    assert len(ids) >= 300
    assert len(set(ids)) == len(ids)
