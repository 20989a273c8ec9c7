from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.connectors import detect, load_connectors
from crmclean.errors import UserError
from crmclean.mapping import suggest
from crmclean.read import read_file
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

HUBSPOT = ["Record ID", "First Name", "Last Name", "Email", "Lifecycle Stage", "Contact owner"]
SALESFORCE = ["Id", "AccountId", "FirstName", "LastName", "Email", "MailingPostalCode", "IsDeleted"]


def test_bundled_specs_load_and_detect(rules):
    assert detect(HUBSPOT, rules.connectors).name == "hubspot_contacts"
    assert detect(SALESFORCE, rules.connectors).name == "salesforce_contact"
    assert detect(["Nome", "Email"], rules.connectors) is None


def test_connector_mapping_wins_and_rest_is_auto(rules):
    spec = detect(SALESFORCE, rules.connectors)
    cols = {c.header: c for c in suggest(SALESFORCE, rules.model, spec).columns}
    assert cols["Id"].field == "record_id" and cols["Id"].method == "connector"
    assert cols["MailingPostalCode"].field == "postal_code"
    assert cols["AccountId"].field is None


def spec_text(field: str) -> str:
    return (
        f"name: hubspot_contacts\ntitle: mine\ndetect: [Record ID]\nfields:\n  Record ID: {field}\n"
    )


def test_user_spec_overrides_bundled_and_bad_field_is_named(tmp_path: Path):
    (tmp_path / "hubspot_contacts.yaml").write_text(spec_text("recordid"), encoding="utf-8")
    rules = Rules(connectors_dir=tmp_path)
    with pytest.raises(UserError, match=r"hubspot_contacts\.yaml: unknown fields \['recordid'\]"):
        load_connectors(rules.model, tmp_path)


def test_user_spec_replaces_bundled_one(tmp_path: Path):
    (tmp_path / "hubspot_contacts.yaml").write_text(spec_text("record_id"), encoding="utf-8")
    specs = {s.name: s for s in Rules(connectors_dir=tmp_path).connectors}
    assert specs["hubspot_contacts"].title == "mine"
    assert "salesforce_contact" in specs


PUBLIC_ACCOUNT = Path(__file__).parent / "data" / "public" / "jsforce_salesforce_Account.csv"
SAMPLES = Path(__file__).parent / "data" / "connectors"


def test_real_salesforce_account_export_reads_as_companies(rules):
    headers = [c for c in read_file(PUBLIC_ACCOUNT).frame.columns if c != "_row"]
    assert detect(headers, rules.connectors).name == "salesforce_account"
    frame = read_all([SourceSpec(PUBLIC_ACCOUNT)], rules).frame
    assert frame.height == 82 and frame["full_name"].null_count() == 82
    assert frame["company"].null_count() == 0
    dell = frame.row(0, named=True)
    assert (dell["company"], dell["website"], dell["city"]) == (
        "Bulk Account - Dell",
        "www.dell.com",
        "Round Rock",
    )
    assert '"ANNUALREVENUE":"6.11E+10"' in dell["extra"]


def test_deleted_rows_go_to_rejects_and_are_counted(rules):
    path = SAMPLES / "salesforce_lead" / "sample.csv"
    batch = read_all([SourceSpec(path, name="leads")], rules)
    assert batch.frame.height == 2 and batch.stats["read:leads"]["deleted_rows"] == 1
    reject = batch.rejects.row(0, named=True)
    assert (reject["_source_id"], reject["rule"], reject["column"], reject["actual"]) == (
        "00Q5e00000Lead3AAA",
        "source.deleted",
        "IsDeleted",
        "1",
    )


def test_report_footer_lines_are_dropped_and_counted(rules):
    path = SAMPLES / "salesforce_contact_report" / "sample.csv"
    batch = read_all([SourceSpec(path, name="report")], rules)
    assert batch.frame.height == 2
    assert batch.stats["read:report"] == {"rows": 2, "blank_rows": 2, "footer_rows": 2, "seen": 6}


def test_sql_spec_needs_a_query_and_file_spec_needs_detect(tmp_path: Path):
    (tmp_path / "mine.yaml").write_text(
        "name: mine\ntitle: t\nkind: sql\nfields: {id: record_id}\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="a sql connector needs a `query`"):
        load_connectors(Rules().model, tmp_path)
    (tmp_path / "mine.yaml").write_text(
        "name: mine\ntitle: t\nfields: {id: record_id}\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="a file connector needs `detect` headers"):
        load_connectors(Rules().model, tmp_path)


def test_named_connector_must_exist(rules):
    path = SAMPLES / "hubspot_companies" / "sample.csv"
    with pytest.raises(UserError, match=r"unknown connector 'nope' \(known: activecampaign"):
        read_all([SourceSpec(path, connector="nope")], rules)
    with pytest.raises(UserError, match="connector 'vtiger' reads a database: give `url`"):
        read_all([SourceSpec(path, connector="vtiger")], rules)


def test_the_spec_in_the_docs_loads_and_reads(tmp_path: Path):
    doc = (Path(__file__).parents[1] / "docs" / "connectors.md").read_text(encoding="utf-8")
    block = doc.split("```yaml\n# ACME CRM")[1].split("```")[0]
    (tmp_path / "acme.yaml").write_text("# ACME CRM" + block, encoding="utf-8")
    rules = Rules(connectors_dir=tmp_path)
    sample = tmp_path / "acme.csv"
    sample.write_text(
        "Client No,Given name,Surname,E-mail,E-mail (other),Removed,Stage,Internal score\n"
        "7,Ana,Lima,a@x.com,b@x.com,no,Prospect,Lima\nGenerated by ACME on 2025-03-01\n"
        "8,Rui,Sá,r@x.com,,yes,Client,3\n",
        encoding="utf-8",
    )
    batch = read_all([SourceSpec(sample, name="acme")], rules)
    row = batch.frame.row(0, named=True)
    assert (row["record_id"], row["email"], row["last_name"]) == ("7", "a@x.com; b@x.com", "Lima")
    assert batch.stats["read:acme"] == {
        "rows": 2,
        "blank_rows": 0,
        "footer_rows": 1,
        "deleted_rows": 1,
        "seen": 3,
    }
    assert batch.rejects["_source_id"].to_list() == ["8"]
    assert row["lifecycle_stage"] == "lead" and '"Internal score":"Lima"' in row["extra"]


FLAGS = st.sampled_from(["true", "TRUE", " 1", "false", "0", "", "yes"])


@settings(max_examples=40, deadline=None)
@given(flags=st.lists(FLAGS, min_size=1, max_size=30))
def test_deleted_rows_and_kept_rows_account_for_every_row(flags: list[str]):
    import tempfile

    rows = "".join(f"00Q{i:03d},Last{i},Co,{flag},false\n" for i, flag in enumerate(flags))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        path.write_text("Id,LastName,Company,IsDeleted,IsConverted\n" + rows, encoding="utf-8")
        batch = read_all([SourceSpec(path, name="leads")], Rules())
    deleted = {f"00Q{i:03d}" for i, f in enumerate(flags) if f.strip().lower() in ("1", "true")}
    assert set(batch.rejects["_source_id"]) == deleted
    assert set(batch.frame["_source_id"]) | deleted == {f"00Q{i:03d}" for i in range(len(flags))}
    assert batch.frame.height + batch.rejects.height == len(flags)
