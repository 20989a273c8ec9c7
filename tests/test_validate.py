"""The validation gate: the shipped suite over small golden frames, and suite file errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crmclean.batch import Batch
from crmclean.errors import UserError
from crmclean.rules import Rules
from crmclean.validate import GateResult, render_text, validate, write_failures

SHIPPED = Path(__file__).resolve().parents[1] / "rules" / "expectations" / "contacts.json"


def golden(rules: Rules, **columns: list[Any]) -> pl.DataFrame:
    """Three clean golden records; keyword arguments replace whole columns."""
    data: dict[str, list[Any]] = {
        "golden_id": ["g1", "g2", "g3"],
        "email": ["ana@exemplo.com.br", "bob@example.com", None],
        "phone": ["+5511987654321", None, "+14155550123"],
        "country": ["BR", None, "US"],
        "full_name": ["Ana Souza", "Bob", "Zé"],
        **columns,
    }
    frame = pl.DataFrame(data, schema={name: pl.String for name in data})
    return frame.with_columns(
        *(pl.lit(None, pl.String).alias(n) for n in rules.model.names if n not in data),
        email_alt=pl.Series([["a@x.com"], [], None], dtype=pl.List(pl.String)),
        phone_alt=pl.Series([[], [], ["+14155550124"]], dtype=pl.List(pl.String)),
        source_count=pl.Series([2, 1, 1], dtype=pl.UInt32),
    )


def gate(frame: pl.DataFrame, rules: Rules, suite: str = "contacts") -> GateResult:
    lineage = pl.DataFrame({"golden_id": ["g2"], "_source": ["crm"], "_source_id": ["2"]})
    return validate(Batch(frame=lineage, golden=frame), rules, suite=suite)


@pytest.fixture(scope="module")
def module_rules() -> Rules:
    return Rules()


@pytest.fixture(scope="module")
def failing(module_rules: Rules) -> GateResult:
    """Bad e-mail and phone on g2, a golden id used twice, a lowercase country, a shared e-mail."""
    frame = golden(
        module_rules,
        golden_id=["g1", "g2", "g2"],
        email=["ana@exemplo.com.br", "not-an-email", "ana@exemplo.com.br"],
        phone=["+5511987654321", "11 98765-4321", None],
        country=["BR", "br", None],
    )
    return gate(frame, module_rules)


def example(
    golden_id: str | None,
    value: str | None,
    source: str | None = None,
    source_id: str | None = None,
) -> dict[str, str | None]:
    """A failing row as the gate reports it."""
    return {"golden_id": golden_id, "source": source, "source_id": source_id, "value": value}


def by_check(failures: list[Any]) -> dict[tuple[str, str | None], Any]:
    return {(f.expectation, f.column): f for f in failures}


def test_clean_records_pass(module_rules: Rules) -> None:
    result = gate(golden(module_rules), module_rules)
    expected = len(json.loads(SHIPPED.read_text(encoding="utf-8"))["expectations"])
    assert (result.success, result.checked) == (True, expected)
    assert (result.failures, result.warnings, result.exceptions) == ([], [], [])


def test_bad_rows_fail_with_examples(failing: GateResult) -> None:
    assert not failing.success and failing.exceptions == []
    failures = by_check(failing.failures)
    assert set(failures) == {
        ("expect_column_values_to_be_unique", "golden_id"),
        ("expect_column_values_to_match_regex", "email"),
        ("expect_column_values_to_be_valid_email", "email"),
        ("expect_column_values_to_match_regex", "phone"),
        ("expect_column_values_to_be_in_set", "country"),
    }
    email = failures["expect_column_values_to_match_regex", "email"]
    assert (email.severity, email.unexpected_count, email.element_count) == ("error", 1, 3)
    assert email.examples == [example("g2", "not-an-email", "crm", "2")]
    duplicated = failures["expect_column_values_to_be_unique", "golden_id"]
    assert duplicated.examples == [example("g2", "g2", "crm", "2"), example("g2", "g2", "crm", "2")]


def test_warnings_are_reported_apart(failing: GateResult) -> None:
    [warning] = failing.warnings
    assert (warning.expectation, warning.column, warning.severity) == (
        "expect_column_values_to_be_unique",
        "email",
        "warning",
    )
    assert sorted(e["golden_id"] for e in warning.examples) == ["g1", "g2"]
    assert failing.failing_rows.filter(severity="warning").height == 2


def test_warning_only_passes(module_rules: Rules) -> None:
    shared = ["ana@exemplo.com.br", "ana@exemplo.com.br", None]
    result = gate(golden(module_rules, email=shared), module_rules)
    assert result.success and result.failures == []
    assert [w.unexpected_count for w in result.warnings] == [2]


def test_report_is_json_and_text(failing: GateResult) -> None:
    assert json.loads(json.dumps(failing.to_dict())) == failing.to_dict()
    text = render_text(failing)
    assert text.startswith("Gate FAILED: 19 expectations, 5 failed, 1 warnings")
    assert "FAIL expect_column_values_to_match_regex(email): 1 of 3" in text
    assert "    crm 2  (g2): 'not-an-email'" in text


def test_failing_rows_file_lists_every_row(failing: GateResult, tmp_path: Path) -> None:
    written = pl.read_csv(write_failures(failing, tmp_path / "gate" / "failures.csv"))
    assert written.columns == [
        "expectation",
        "column",
        "severity",
        "golden_id",
        "source",
        "source_id",
        "value",
    ]
    assert written.height == failing.failing_rows.height == 8  # 2 + 1 + 1 + 1 + 1, 2 warnings


def test_missing_column_fails_closed(module_rules: Rules) -> None:
    result = gate(golden(module_rules).drop("country"), module_rules)
    assert not result.success
    assert [f.expectation for f in result.failures] == ["expect_table_columns_to_match_set"]
    assert len(result.exceptions) == 1 and "country" in result.exceptions[0]


def test_examples_of_nulls_and_numbers(module_rules: Rules) -> None:
    frame = golden(module_rules, golden_id=["g1", None, "g3"]).with_columns(
        source_count=pl.Series([0, 1, 1], dtype=pl.UInt32)
    )
    failures = by_check(gate(frame, module_rules).failures)
    assert set(failures) == {
        ("expect_column_values_to_not_be_null", "golden_id"),
        ("expect_column_values_to_be_between", "source_count"),
    }
    missing = failures["expect_column_values_to_not_be_null", "golden_id"]
    assert missing.examples == [example(None, None)]
    zero = failures["expect_column_values_to_be_between", "source_count"]
    assert zero.examples == [example("g1", "0")]


def test_crmclean_expectations(module_rules: Rules) -> None:
    """CPF/CNPJ check digits within ``mostly``, dates not in the future, e-mail as the
    normalizer judges it; an unknown lifecycle stage only warns."""
    ids = ["529.982.247-25", "11.222.333/0001-81", "123.456.789-00"]
    frame = golden(
        module_rules,
        tax_id=ids,
        created_at=["2020-01-01", "2999-01-01T00:00:00", None],
        email=["ana@exemplo.com.br", "Bob@Example.com", None],
        lifecycle_stage=["lead", "customer", "quase cliente"],
    )
    result = gate(frame, module_rules)
    failures = by_check(result.failures)
    assert set(failures) == {
        ("expect_column_values_to_be_valid_br_tax_id", "tax_id"),
        ("expect_column_values_to_not_be_in_the_future", "created_at"),
        ("expect_column_values_to_be_valid_email", "email"),
    }
    assert failures["expect_column_values_to_be_valid_br_tax_id", "tax_id"].examples == [
        example("g3", "123.456.789-00")
    ]
    assert (
        failures["expect_column_values_to_not_be_in_the_future", "created_at"].unexpected_count == 1
    )
    assert [(w.column, w.unexpected_count) for w in result.warnings] == [("lifecycle_stage", 1)]
    # two valid ids of three are below mostly=0.95; 20 valid of 21 are not
    many = pl.DataFrame(
        {"golden_id": [f"g{n}" for n in range(21)], "tax_id": ids[:2] * 10 + ids[2:]}
    )
    many = many.with_columns(
        *(pl.lit(None, pl.String).alias(n) for n in module_rules.model.names if n != "tax_id"),
        source_count=pl.lit(1),
    )
    assert gate(many, module_rules).success


def test_no_records_fail(module_rules: Rules) -> None:
    result = gate(golden(module_rules).clear(), module_rules)
    assert not result.success
    [failure] = result.failures
    assert (failure.expectation, failure.observed_value) == (
        "expect_table_row_count_to_be_between",
        0,
    )


def write_suite(tmp_path: Path, text: str) -> Rules:
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "custom.json").write_text(text, encoding="utf-8")
    return Rules(directory=tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name": "custom",\n "expectations": [}', r"custom\.json:2: invalid JSON"),
        ('{"expectations": []}', "name: Field required"),
        (
            '{"name": "c", "expectations": [{"type": "expect_x", "kwargs": {},'
            ' "meta": {"severity": "fatal"}}]}',
            r"expectations\.0\.meta\.severity: Input should be 'error' or 'warning'",
        ),
        (
            '{"name": "c", "expectations": [{"type": "expect_nothing_at_all", "kwargs": {}},'
            ' {"type": "expect_column_values_to_not_be_null", "kwargs": {}}]}',
            r"expectations\.0 \(expect_nothing_at_all\): .*not found; "
            r"expectations\.1 \(expect_column_values_to_not_be_null\): .*column",
        ),
    ],
)
def test_bad_suite_files_are_user_errors(
    tmp_path: Path, module_rules: Rules, text: str, message: str
) -> None:
    rules = write_suite(tmp_path, text)
    with pytest.raises(UserError, match=message):
        gate(golden(module_rules), rules, suite="custom")


def test_unknown_suite_is_a_user_error(module_rules: Rules) -> None:
    with pytest.raises(UserError, match=r"nope\.json: expectation suite not found"):
        gate(golden(module_rules), module_rules, suite="nope")


def test_import_does_not_load_great_expectations() -> None:
    code = "import sys, crmclean.validate; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


PRELOAD = """
import sys
from pathlib import Path
from crmclean import pipeline
from crmclean.rules import Rules
from crmclean.sources import SourceSpec
from crmclean.validate import preload
spec = [SourceSpec(path=Path(sys.argv[1]))]
pipeline.run(spec, Rules(), stop_before="validate")
print("great_expectations" in sys.modules, len(preload._started))
result = pipeline.run(spec, Rules(), stop_before="load")
print(len(preload._started), preload._started[0].name, result.gate.success)
preload._started[0].join()
print("great_expectations" in sys.modules)
"""


def test_a_run_that_reaches_the_gate_imports_great_expectations_meanwhile(tmp_path: Path) -> None:
    """A run stopping before the gate never imports Great Expectations; one that reaches it
    starts the import in a thread at its start, and its gate runs as usual."""
    source = tmp_path / "crm.csv"
    source.write_text("id,Name,Email\n1,Ana Souza,ana@exemplo.com.br\n", encoding="utf-8")
    command = [sys.executable, "-c", PRELOAD, str(source)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["False 0", "1 crmclean-gx-import True", "True"]
