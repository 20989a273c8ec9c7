"""The one URL formatter: whatever the password, it never reaches a person."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmclean.errors import UserError
from crmclean.urls import mask_credentials, mask_url, parse_url, scrub

PASSWORD = st.text(string.ascii_letters + string.digits + "!#$%&*+,-.:;<=>?@[]^_{|}~", min_size=4)


@given(PASSWORD)
def test_no_password_survives_masking(password):
    url = f"postgresql+psycopg://crm:{password}@db.example:5432/crm"
    shown = mask_url(url)
    assert password not in shown and shown.endswith("db.example:5432/crm")
    assert password not in mask_credentials(f"cannot connect to {url}: refused")
    assert password not in scrub(f"driver said {password} for {url}", url)


def test_a_bad_port_is_a_user_error_without_the_password():
    with pytest.raises(UserError, match=r"crm:\*\*\*@h:abc/crm.*port is not a number") as caught:
        parse_url("postgresql://crm:s3cret@h:abc/crm")
    assert "s3cret" not in str(caught.value)
