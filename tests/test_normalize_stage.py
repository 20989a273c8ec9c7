from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from normalize_support import found, mapped

from crmclean.batch import Batch
from crmclean.errors import UserError
from crmclean.normalize import normalize
from crmclean.normalize.stage import run_steps, steps
from crmclean.rules import Rules

RECORDS = [
    {
        "full_name": "JOÃO DA SILVA",
        "email": "Joao.Silva@Gmail.COM; joao@work.com",
        "phone": "(11) 98765-4321",
        "country": "Brasil",
        "created_at": "01/03/2024",
        "consent": "Sim",
    },
    {"email": "joao@@x.com", "phone": "98765-4321"},
    {"company": "  ACME   Ltda ", "email_opt_out": "talvez"},
    {"city": "Recife"},
]
EXPECTED = "a name, e-mail, phone or company"


@pytest.fixture(scope="module")
def result() -> Batch:
    rules = Rules()
    return normalize(Batch(mapped(rules, RECORDS)), rules)


def test_the_steps_beside_each_other_give_what_they_give_in_turn() -> None:
    """The name step in its own thread: the same frame (columns in the same order) and the
    same findings as every step run one after another."""
    rules = Rules()
    frame = mapped(rules, RECORDS * 3)
    found = []
    alone = frame
    for _, step in steps(rules):
        alone, step_findings = step(alone)
        found.append(step_findings)
    together, beside = run_steps(frame, rules)
    assert together.columns == alone.columns
    assert together.equals(alone)
    assert [f.to_dicts() for f in beside] == [f.to_dicts() for f in found]


def test_frame_holds_the_normalized_records(result: Batch) -> None:
    columns = ["_source_id", "full_name", "first_name", "last_name", "email", "email_alt"]
    columns += ["phone", "phone_alt", "country", "created_at", "consent", "company"]
    first = ("1", "João da Silva", "João", "da Silva", "joao.silva@gmail.com", ["joao@work.com"])
    first += ("+5511987654321", [], "BR", "2024-03-01", "true", None)
    third = ("3", None, None, None, None, [], None, [], None, None, None, "ACME Ltda")
    assert result.frame.select(columns).rows() == [first, third]
    assert result.frame.schema["email_alt"] == pl.List(pl.String)
    assert result.frame.schema["phone_alt"] == pl.List(pl.String)


def test_every_change_is_a_finding(result: Batch) -> None:
    gmail = "joao.silva@gmail.com"
    assert found(result.findings) == [
        ("1", "consent", "BO02", "bool.mapped", "info", "Sim", "true"),
        ("1", "country", "CO02", "country.coded", "info", "Brasil", "BR"),
        ("1", "created_at", "DT02", "date.reformatted", "info", "01/03/2024", "2024-03-01"),
        ("1", "email", "EM03", "email.lowercased", "info", "Joao.Silva@Gmail.COM", gmail),
        ("1", "email", "EM05", "email.split", "info", RECORDS[0]["email"], gmail),
        ("1", "first_name", "NM02", "name.split_full_name", "info", "João da Silva", "João"),
        ("1", "full_name", "NM01", "name.recased", "info", "JOÃO DA SILVA", "João da Silva"),
        ("1", "last_name", "NM02", "name.split_full_name", "info", "João da Silva", "da Silva"),
        ("1", "phone", "PH05", "phone.formatted_e164", "info", "(11) 98765-4321", "+5511987654321"),
        ("2", "email", "EM01", "email.invalid", "warning", "joao@@x.com", None),
        ("2", "phone", "PH03", "phone.missing_area_code", "warning", "98765-4321", None),
        ("3", "company", "TX01", "text.cleaned", "info", "  ACME   Ltda ", "ACME Ltda"),
        ("3", "email_opt_out", "BO01", "bool.unknown_value", "warning", "talvez", None),
    ]
    assert set(result.findings["_source"]) == {"crm"}


def test_unidentifiable_records_are_rejected(result: Batch) -> None:
    why = "email='joao@@x.com', phone='98765-4321'"
    assert result.rejects.rows() == [
        ("crm", "2", "normalize", "*", "record.unidentifiable", EXPECTED, why),
        ("crm", "4", "normalize", "*", "record.unidentifiable", EXPECTED, "all empty"),
    ]


def test_stats(result: Batch) -> None:
    counts = {"values_changed": 13, "invalid_emails": 1, "invalid_phones": 1, "rejected": 2}
    assert result.stats == {"normalize": counts}


def test_normalizing_twice_changes_nothing(result: Batch) -> None:
    again = normalize(Batch(result.frame), Rules())
    assert again.frame.equals(result.frame)
    assert again.findings.is_empty()
    assert again.rejects.is_empty()


def test_an_empty_batch_gets_the_output_columns(rules: Rules) -> None:
    batch = normalize(Batch(mapped(rules, [])), rules)
    assert batch.frame.height == 0
    assert batch.frame.schema["email_alt"] == batch.frame.schema["phone_alt"] == pl.List(pl.String)


def test_a_broken_user_vocabulary_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "normalize").mkdir()
    (tmp_path / "normalize" / "names.yaml").write_text("particles: da\nsurprise: 1\n")
    rules = Rules(directory=tmp_path)
    with pytest.raises(UserError, match="particles") as error:
        normalize(Batch(mapped(rules, RECORDS)), rules)
    assert "surprise" in str(error.value)
    assert error.value.file == str(tmp_path / "normalize" / "names.yaml")


def test_a_user_vocabulary_overrides_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "normalize").mkdir()
    (tmp_path / "normalize" / "values.yaml").write_text('"true": [talvez]\n')
    rules = Rules(directory=tmp_path)
    batch = normalize(Batch(mapped(rules, RECORDS)), rules)
    assert batch.frame.filter(pl.col("_source_id") == "3")["email_opt_out"].to_list() == ["true"]


TEXT = st.text(alphabet=st.sampled_from("aÁ1 ;,@.-/()+xX\n"), max_size=20) | st.text(max_size=12)
FIELDS = ["full_name", "first_name", "last_name", "email", "phone", "mobile", "company"]
FIELDS += ["country", "created_at", "consent", "state", "postal_code", "city", "tax_id"]
FIELDS += ["website", "lifecycle_stage", "honorific", "name_suffix", "phone_extension"]
# Problems that stay (the value is kept as typed), so a second run reports them again.
LASTING = {"country.unknown", "state.unknown", "postal_code.invalid", "tax_id.invalid"}
LASTING |= {"website.invalid", "picklist.unknown_value", "email.typo_domain", "date.future"}
LASTING |= {"email.ambiguous"}


# Two runs an example, each about as costly for 1 record as for 12: fewer, longer examples.
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(dict.fromkeys(FIELDS, TEXT)), min_size=1, max_size=12))
def test_any_input_is_kept_or_rejected_and_settles(records: list[dict[str, str]]) -> None:
    rules = Rules()
    once = normalize(Batch(mapped(rules, records)), rules)
    assert once.frame.height + once.rejects.height == len(records)
    twice = normalize(Batch(once.frame), rules)
    assert twice.frame.equals(once.frame)
    assert set(twice.findings["rule"]) <= LASTING


def test_early_gets_the_frame_before_and_after_the_phone_step() -> None:
    """``early`` sees the frame twice, before the phones are normalized and after (the names
    are by then when their thread is done); the steps give the same frame and findings as
    without it."""
    rules = Rules()
    frame = mapped(rules, RECORDS * 3)
    seen: list[pl.DataFrame] = []
    together, found_early = run_steps(frame, rules, seen.append)
    alone, found_alone = run_steps(frame, rules)
    assert len(seen) == 2 and seen[0].height == seen[1].height == frame.height
    assert seen[0]["phone"].to_list()[:2] == ["(11) 98765-4321", "98765-4321"]
    assert seen[1]["phone"].to_list()[:2] == together["phone"].to_list()[:2]
    assert seen[0]["email"][0] == "joao.silva@gmail.com"  # the e-mail step came before
    assert together.equals(alone)
    assert [f.to_dicts() for f in found_early] == [f.to_dicts() for f in found_alone]
