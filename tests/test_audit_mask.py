"""``--mask-pii`` masks: e-mails ``j***@d***.com``, phones and tax ids keep the last 2 digits."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from crmclean.audit.mask import mask_digits, mask_email, mask_name, mask_text, masker
from crmclean.rules import Rules


def test_examples_from_the_issue() -> None:
    assert mask_email("john.doe@domain.com") == "j***@d***.com"
    assert mask_email("ana@empresa.com.br") == "a***@e***.com.br"
    assert mask_email("not-an-email") == "n***"
    assert mask_digits("+5511987654321") == "+***********21"
    assert mask_digits("123.456.789-09") == "***.***.***-09"
    assert mask_name("Maria da Silva") == "M*** d*** S***"
    assert mask_text("call 11 98765-4321 or ana@x.com") == "call ** *****-**21 or a***@x***.com"


def test_mask_follows_the_field_type() -> None:
    model = Rules().model
    assert masker(model, "tax_id")("52998224725") == "*********25"
    assert masker(model, "email")("zé@b.org") == "z***@b***.org"
    assert masker(model, "created_at")("2024-01-01") == "2024-01-01"
    assert masker(model, None)("write to ana@x.com") == "write to a***@x***.com"


@given(st.from_regex(r"\+?[0-9 ()-]{3,20}", fullmatch=True))
def test_masked_numbers_show_at_most_two_digits(number: str) -> None:
    masked = mask_digits(number)
    assert len(masked) == len(number)
    assert len(re.findall(r"\d", masked)) == min(2, len(re.findall(r"\d", number)))


@given(st.emails())
def test_masked_emails_keep_only_initials(address: str) -> None:
    user, _, domain = address.partition("@")
    masked_user, _, masked_domain = mask_email(address).partition("@")
    assert masked_user == f"{user[0]}***"
    assert masked_domain.startswith(f"{domain[0]}***")
    assert masked_domain.removeprefix(f"{domain[0]}***") in domain
