"""The audit on data with planted defects: each dimension's numbers equal the planted counts.

tests/data/audit/planted.csv holds 24 records (audited as of 2026-01-01) with, on purpose:
2 unreachable contacts; 3 invalid e-mails and 2 invalid phones; one person 3 times and one
twice (3 duplicates in 2 clusters); Brasil/Brazil/BR, SP/São Paulo/sp, Acme Ltda/ACME LTDA./Acme
and Gerente de Vendas/gerente de vendas (2+2+2+1 records off the usual spelling); 4 stale, 2
future-dated and 2 undated records; 2 opted-out contacts still marked for marketing, 2 without
consent and 2 past the 60-month retention period.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crmclean.audit import AuditConfig, audit, load_audit_config
from crmclean.audit.run import AuditResult, source_label
from crmclean.errors import UserError
from crmclean.rules import Rules

PLANTED = Path(__file__).parent / "data" / "audit" / "planted.csv"
AS_OF = date(2026, 1, 1)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return audit([PLANTED], as_of=AS_OF).to_dict()


def _dim(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return doc["dimensions"][name]


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    return {f"{f['code']}:{f['field'] or ''}": f["count"] for f in doc["findings"]}


def test_completeness_counts_unreachable_contacts(doc: dict[str, Any]) -> None:
    dim = _dim(doc, "completeness")
    assert dim["metrics"]["records"] == 24 and dim["metrics"]["unreachable"] == 2
    assert dim["metrics"]["filled"]["email"] == 19  # 24 - 2 empty - 3 invalid (dropped)
    assert _counts(doc)["CT01:"] == 2
    fields = {row["field"]: row for row in doc["fields"]}
    assert fields["company"]["fill_rate"] == 1.0 and fields["state"]["filled"] == 20


def test_validity_counts_invalid_emails_and_phones(doc: dict[str, Any]) -> None:
    dim = _dim(doc, "validity")
    fields = dim["metrics"]["fields"]
    assert fields["email"] == {"present": 22, "invalid": 3}
    assert fields["phone"] == {"present": 22, "invalid": 2}
    # 3 e-mails, 2 phones, and the record updated 2030-01-01: a date more than a year ahead
    # is a normalize warning (DT04).
    assert dim["failed"] == 6 and dim["metrics"]["records_with_invalid"] == 6
    assert dim["score"] == round(100 * (1 - 6 / dim["checked"]), 1)
    assert _counts(doc)["DT04:updated_at"] == 1
    assert _counts(doc)["EM01:email"] == 3
    rows = {row["field"]: row for row in doc["fields"]}
    assert rows["email"]["validity"] == round(1 - 3 / 22, 4)


def test_uniqueness_counts_planted_duplicates(doc: dict[str, Any]) -> None:
    metrics = _dim(doc, "uniqueness")["metrics"]
    assert (metrics["clusters"], metrics["records_in_clusters"], metrics["duplicates"]) == (2, 5, 3)
    assert metrics["golden"] == 21 and metrics["largest_cluster"] == 3
    top = metrics["top_clusters"]
    assert [c["size"] for c in top] == [3, 2]
    assert {r["source_id"] for r in top[0]["records"]} == {"1", "2", "3"}
    assert _dim(doc, "uniqueness")["score"] == 87.5


def test_consistency_counts_values_written_several_ways(doc: dict[str, Any]) -> None:
    fields = _dim(doc, "consistency")["metrics"]["fields"]
    off = {name: m["inconsistent"] for name, m in fields.items()}
    assert off == {"country": 2, "state": 2, "city": 0, "company": 2, "job_title": 1}
    spellings = [s["text"] for s in fields["company"]["top"][0]["spellings"]]
    assert spellings == ["Acme Ltda", "ACME LTDA.", "Acme"]
    assert {s["text"] for s in fields["country"]["top"][0]["spellings"]} == {
        "Brasil",
        "Brazil",
        "BR",
    }
    assert _dim(doc, "consistency")["checked"] == 24 + 20 + 24 + 24 + 24


def test_cities_written_without_accents_count_against_consistency(tmp_path: Path) -> None:
    path = tmp_path / "contatos.csv"
    cities = ["São Paulo", "São Paulo", "Sao Paulo", "SAO PAULO", "Ciudad de México"]
    path.write_text(
        "nome,email,cidade\n"
        + "".join(f"P{i},p{i}@x{i}.com.br,{c}\n" for i, c in enumerate(cities)),
        encoding="utf-8",
    )
    doc = audit([path], as_of=AS_OF).to_dict()
    city = doc["dimensions"]["consistency"]["metrics"]["fields"]["city"]
    assert (city["records"], city["inconsistent"]) == (5, 2)
    assert doc["dimensions"]["consistency"]["score"] < 100


def test_timeliness_counts_stale_future_and_undated(doc: dict[str, Any]) -> None:
    dim = _dim(doc, "timeliness")
    metrics = dim["metrics"]
    assert (metrics["stale"], metrics["future"], metrics["undated"]) == (4, 2, 2)
    assert metrics["stale_before"] == "2024-01-01" and dim["checked"] == 22
    assert dim["score"] == round(100 * (1 - 6 / 22), 1)


def test_compliance_counts_consent_opt_out_and_retention(doc: dict[str, Any]) -> None:
    metrics = _dim(doc, "compliance")["metrics"]
    planted = {"opted_out_marketable": 2, "no_consent": 2, "past_retention": 2, "with_problem": 6}
    assert {k: metrics[k] for k in planted} == planted
    assert _dim(doc, "compliance")["score"] == 75.0
    severities = {f["code"]: f["severity"] for f in doc["findings"]}
    assert severities["CP02"] == "error"


def test_overall_score_is_the_weighted_mean(doc: dict[str, Any]) -> None:
    dims = doc["dimensions"]
    expected = sum(d["weight"] * d["score"] for d in dims.values()) / sum(
        d["weight"] for d in dims.values()
    )
    assert doc["score"]["overall"] == round(expected, 1)
    assert doc["schema"] == "crmclean-audit" and doc["schema_version"] == 1
    assert doc["records"] == {"audited": 24, "rejected": 0, "read": 24}


def test_weights_and_periods_come_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "audit.yml"
    config.write_text(
        "weights: {completeness: 0, validity: 0, uniqueness: 1, consistency: 0,"
        " timeliness: 0, compliance: 0}\ntimeliness: {stale_months: 120}\n"
    )
    doc = audit([PLANTED], config=config, as_of=AS_OF).to_dict()
    assert doc["score"]["overall"] == doc["dimensions"]["uniqueness"]["score"] == 87.5
    assert doc["dimensions"]["timeliness"]["metrics"]["stale"] == 0


def test_report_lists_are_capped_but_count_everything(doc: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "audit.yml"
    config.write_text("uniqueness: {records_shown: 2}\nconsistency: {spellings_shown: 1}\n")
    capped = audit([PLANTED], config=config, as_of=AS_OF).to_dict()
    cluster = capped["dimensions"]["uniqueness"]["metrics"]["top_clusters"][0]
    assert cluster["size"] == 3 and len(cluster["records"]) == 2
    country = capped["dimensions"]["consistency"]["metrics"]["fields"]["country"]
    top = country["top"][0]
    assert len(top["spellings"]) == 1 and top["other_spellings"] == 2
    uncapped = _dim(doc, "consistency")["metrics"]["fields"]["country"]["top"][0]["spellings"]
    assert top["spellings"][0]["count"] + top["other_records"] == sum(s["count"] for s in uncapped)
    assert country["inconsistent"] == 2


def test_inferred_countries_are_not_spellings(tmp_path: Path) -> None:
    path = tmp_path / "contatos.csv"
    rows = ["Brasil", "Brasil", "Brazil", ""]
    path.write_text(
        "nome,email,estado,pais\n"
        + "".join(f"P{i},p{i}@x{i}.com.br,SP,{c}\n" for i, c in enumerate(rows)),
        encoding="utf-8",
    )
    doc = audit([path], as_of=AS_OF).to_dict()
    country = doc["dimensions"]["consistency"]["metrics"]["fields"]["country"]
    assert country["records"] == 3 and country["inconsistent"] == 1
    texts = {s["text"] for s in country["top"][0]["spellings"]}
    assert texts == {"Brasil", "Brazil"}
    assert any(f["rule"] == "country.inferred" for f in doc["findings"])


def test_bad_config_is_a_user_error(tmp_path: Path) -> None:
    config = tmp_path / "audit.yml"
    config.write_text("weights: {happiness: 3}\n")
    with pytest.raises(UserError, match="weights"):
        load_audit_config(Rules(), config)
    config.write_text("consistency: {fields: [favourite_color]}\n")
    with pytest.raises(UserError, match="favourite_color"):
        load_audit_config(Rules(), config)


def test_masked_examples_hide_personal_data() -> None:
    doc = audit([PLANTED], as_of=AS_OF, mask_pii=True).to_dict()
    text = str(doc["findings"]) + str(doc["dimensions"]["uniqueness"]["metrics"])
    assert "ana.souza" not in text and "Souza" not in text and "91234" not in text
    assert "a***@a***.com.br" in text
    phones = next(f for f in doc["findings"] if f["code"] == "PH05")["examples"]
    assert all(p.endswith(("01", "02")) or "*" in p for p in phones)
    assert doc["masked"] is True


def _result(score: float, severities: list[str]) -> AuditResult:
    findings = [{"severity": s, "count": 1} for s in severities]
    return AuditResult({"score": {"overall": score}, "findings": findings})


def test_failure_rules_for_schedulers() -> None:
    assert _result(80, ["info", "warning"]).failure("error") is None
    assert _result(80, ["info", "warning"]).failure("warning") is not None
    assert _result(80, ["error"]).failure("never") is None
    assert _result(79.9, []).failure("never", 80) == "score 79.9 is under 80"
    assert _result(80, []).failure("never", 80) is None


def test_config_object_can_be_passed_directly() -> None:
    settings = load_audit_config(Rules())
    changed = AuditConfig.model_validate({**settings.model_dump(), "examples": 1})
    doc = audit([PLANTED], config=changed, as_of=AS_OF).to_dict()
    assert all(len(f["examples"]) <= 1 for f in doc["findings"])


def test_unusable_records_are_counted_apart(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(PLANTED.read_text(encoding="utf-8") + "25,,,,,,,Recife,PE,Brasil,,,,,,\n")
    doc = audit([source], as_of=AS_OF).to_dict()
    assert doc["records"] == {"audited": 24, "rejected": 1, "read": 25}
    rejected = next(f for f in doc["findings"] if f["code"] == "RJ01")
    assert rejected["count"] == 1 and rejected["severity"] == "error"
    assert rejected["examples"] == ["contacts:25"]


def test_database_passwords_stay_out_of_the_document() -> None:
    assert source_label("postgresql://crm:s3cret@db/crm") == "postgresql://crm:***@db/crm"
    assert source_label(PLANTED) == str(PLANTED)


def test_matcher_findings_are_described() -> None:
    import polars as pl

    from crmclean.audit.findings import Examples, normalizer_findings
    from crmclean.batch import FINDING_SCHEMA
    from crmclean.dedupe.blocking import OVERSIZED

    row = {"_source": "a", "_source_id": "1", "field": "email_key", "code": "DD01"}
    row |= {"rule": OVERSIZED.rule, "severity": "warning", "before": "x@y.com", "after": None}
    findings = pl.DataFrame([row]).cast(FINDING_SCHEMA)  # type: ignore[arg-type]
    [finding] = normalizer_findings(findings, Examples(Rules().model))
    assert finding.description == OVERSIZED.description != OVERSIZED.rule
