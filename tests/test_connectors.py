from pathlib import Path

import pytest

from crmclean.connectors import detect, load_connectors
from crmclean.errors import UserError
from crmclean.mapping import suggest
from crmclean.rules import Rules

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
