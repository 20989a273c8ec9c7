"""A rerun's gate: the golden records the target holds and the run leaves alone passed the
gate when they were loaded, so crmclean's per-value checks skip their values; every value the
run writes is still checked, and table-level expectations (uniqueness) still see every row."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from crmclean.api import migrate
from crmclean.load.changes import TableChange
from crmclean.load.gated import gate_plan
from crmclean.load.plan import LoadPlan
from crmclean.load.run import RunInfo
from crmclean.rules import Rules
from crmclean.sources import SourceSpec
from crmclean.validate import stored_values
from tests.test_validate_verdict import golden

VALID_EMAIL = "expect_column_values_to_be_valid_email"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules()


def rerun_plan(rules: Rules, stored: list[str], new: list[str]) -> LoadPlan:
    """A plan whose ``after`` holds ``stored`` golden records (left as the target holds them)
    and ``new`` ones (written by the run), by e-mail address."""
    after = golden(rules, [*stored, *new])
    written = after.tail(len(new))
    lineage = after.select(
        "golden_id", pl.lit("crm").alias("_source"), pl.col("golden_id").alias("_source_id")
    )
    change = TableChange(written.head(0).select("golden_id"), written, {})
    return LoadPlan("", {"contacts": change}, after, 0, lineage)


def gate(plan: LoadPlan, rules: Rules, tmp_path: Path):
    run = RunInfo.start("test")
    result, stage = gate_plan(plan, str(tmp_path / "crm.db"), rules, run=run)
    assert stage is None
    return result


def test_the_kept_records_are_those_the_run_does_not_write(rules):
    plan = rerun_plan(rules, ["a@x.com", "b@x.com"], ["c@x.com"])
    assert plan.kept()["email"].to_list() == ["a@x.com", "b@x.com"]
    trusted = stored_values(plan.kept(), rules, {"email": pl.Series(["c@x.com"])})
    assert sorted(trusted["email"]) == ["a@x.com", "b@x.com", "c@x.com"]
    assert "tax_id" in trusted and "full_name" not in trusted


def test_a_stored_value_is_not_checked_again_but_a_new_one_is(rules, tmp_path):
    """'Eve@Example.com' fails the per-value check (the normalizer would lower-case it): held
    by the target it passed when loaded; written by this run it fails."""
    stored = gate(rerun_plan(rules, ["Eve@Example.com"], ["ana@x.com"]), rules, tmp_path)
    assert stored.success
    new = gate(rerun_plan(rules, ["ana@x.com"], ["Eve@Example.com"]), rules, tmp_path)
    [failure] = [f for f in new.failures if f.expectation == VALID_EMAIL]
    assert [e["value"] for e in failure.examples] == ["Eve@Example.com"]
    assert not new.success


def test_a_duplicate_between_a_new_and_a_stored_record_is_still_caught(rules, tmp_path):
    result = gate(rerun_plan(rules, ["ana@x.com", "bo@x.com"], ["ana@x.com"]), rules, tmp_path)
    [warning] = [w for w in result.warnings if w.column == "email"]
    assert warning.expectation == "expect_column_values_to_be_unique"
    assert sorted(e["golden_id"] for e in warning.examples) == ["g0", "g2"]


def _write(path: Path, rows: list[list[str]]) -> SourceSpec:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "Nome", "E-mail", "Cidade"])
        writer.writerows(rows)
    return SourceSpec(path)


def test_a_rerun_gate_rejects_a_bad_new_value(rules, tmp_path):
    """End to end: after a first load, a changed source brings an address the normalizer
    keeps as typed with an error; the rerun's gate fails on it and writes nothing."""
    crm = _write(tmp_path / "crm.csv", [["1", "Ana Lima", "ana@lima.dev", "Curitiba"]])
    sheet = _write(tmp_path / "sheet.csv", [["s1", "Bruno Dias", "bruno@dias.com", "Recife"]])
    target = str(tmp_path / "crm.db")
    assert migrate([crm, sheet], rules, target=target).gate.success
    bad = [["s1", "Bruno Dias", "bruno@dias.com", "Recife"]]
    bad.append(["s2", "Carla Reis", "carla reis@gmail.com", "Natal"])
    _write(tmp_path / "sheet.csv", bad)
    rerun = migrate([crm, sheet], rules, target=target)
    assert rerun.info["sources_unchanged"] == ["crm"]
    assert rerun.gate is not None and not rerun.gate.success
    [failure] = [f for f in rerun.gate.failures if f.expectation == VALID_EMAIL]
    assert [e["value"] for e in failure.examples] == ["carla reis@gmail.com"]
    assert rerun.loaded is None or rerun.loaded.run_id is None
