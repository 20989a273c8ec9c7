from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe import company_keys, email_keys
from crmclean.dedupe.derived_keys import DERIVED, add_keys
from crmclean.normalize.companies import vocabulary as companies
from crmclean.normalize.emails import vocabulary as emails
from crmclean.rules import Rules


@pytest.fixture(scope="module")
def spec() -> emails.EmailSpec:
    return emails.load(Rules())


def test_add_keys_gives_the_three_matching_columns() -> None:
    frame = pl.DataFrame(
        {"email": ["J.Silva+x@googlemail.com", "vendas@acme.com.br", None]},
        schema={"email": pl.String},
    ).with_columns(company=pl.Series(["ACME LTDA.", None, "Padaria S/A"]))
    keyed = add_keys(frame, Rules())
    assert keyed.select(DERIVED).rows() == [
        ("jsilva@gmail.com", False, "acme"),
        ("vendas@acme.com.br", True, None),
        (None, None, "padaria"),
    ]
    assert keyed.schema["email_is_role"] == pl.Boolean
    assert add_keys(frame, Rules(), ["company_key"]).columns == [*frame.columns, "company_key"]
    assert "company_key" not in add_keys(frame, Rules(), ["email_key"]).columns


LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,12}", fullmatch=True)
HOSTS = st.sampled_from(["gmail.com", "googlemail.com", "outlook.com", "acme.com.br", "x.io"])


@settings(max_examples=200, deadline=None)
@given(LOCAL, HOSTS)
def test_the_email_key_is_a_fixed_point(spec: emails.EmailSpec, local: str, host: str) -> None:
    frame = pl.DataFrame({"email": [f"{local}@{host}"]})
    once = email_keys.with_keys(frame, spec)[email_keys.KEY].item()
    again = email_keys.with_keys(pl.DataFrame({"email": [once]}), spec)[email_keys.KEY].item()
    assert once == again
    assert once.endswith("@" + ("gmail.com" if host == "googlemail.com" else host))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_company_key_never_raises_and_is_folded(text: str) -> None:
    pattern = companies.suffix_pattern(Rules())
    key = pl.DataFrame({"c": [text]}).select(company_keys.company_key(pl.col("c"), pattern)).item()
    assert key is None or (key == key.strip() and key == key.lower() and key != "")


def _role_by_the_rule(address: str, spec: emails.EmailSpec) -> bool:
    """The rule in words: the local part before any +tag, or its first word, is a role word."""
    local, at, _ = address.rpartition("@")
    untagged = local.split("+")[0]
    roles = {word.lower() for word in spec.role_local_parts}
    return bool(at) and (untagged in roles or re.split(r"[._-]", untagged)[0] in roles)


ROLE_WORDS = st.sampled_from(["contato", "vendas", "no-reply", "info", "sac", "joao", "rh", "x"])
LOCALS = st.lists(ROLE_WORDS | st.text(alphabet="ab.-_+@", max_size=4), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(LOCALS.map("".join), st.sampled_from(["@x.com", "@gmail.com", "", "@a@b.com"]))
def test_the_role_pattern_follows_the_rule(local: str, host: str) -> None:
    spec = emails.load(Rules())
    address = local + host
    keyed = email_keys.with_keys(pl.DataFrame({"email": [address]}), spec)
    assert keyed[email_keys.ROLE].item() == _role_by_the_rule(address, spec)
