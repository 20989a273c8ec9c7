"""One phone number as typed -> E.164 with phonenumbers, or the rule saying why not."""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberFormat

from crmclean.normalize.cells import Part

# "5,51199E+12" / "5.511987654321E12": a number Excel showed in scientific notation.
EXCEL = re.compile(r"\s*([0-9])[.,]([0-9]+)\s*e\s*\+?\s*([0-9]{1,2})\s*", re.IGNORECASE)
EXTENSION = re.compile(
    r"\s*(?:ramal|r\.|ext(?:ens[aã]o|ension|ensi[oó]n)?\.?|x|#)\s*:?\s*([0-9]{1,6})\s*$",
    re.IGNORECASE,
)


def to_e164(text: str, region: str) -> Part:
    """One typed number in E.164, with the rule when it changed or was dropped."""
    damaged = EXCEL.fullmatch(text)
    if damaged:
        return _from_excel(text, damaged, region)
    body = EXTENSION.sub("", text)
    parsed = _parse(body, region)
    if parsed is None:
        return Part(None, "phone.unparseable", text)
    if not phonenumbers.is_valid_number(parsed):
        rule = "phone.missing_area_code" if _local_only(parsed, body, region) else "phone.invalid"
        return Part(None, rule, text)
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    if body != text or parsed.extension:
        return Part(e164, "phone.extension_dropped", text, e164)
    return Part(e164) if e164 == text else Part(e164, "phone.formatted_e164", text, e164)


def excel_digits(match: re.Match[str]) -> str | None:
    """The digits behind scientific notation when the mantissa holds every one of them."""
    lead, fraction, exponent = match.groups()
    return lead + fraction if len(fraction) == int(exponent) else None


def _from_excel(text: str, match: re.Match[str], region: str) -> Part:
    digits = excel_digits(match)
    if digits is None:
        return Part(None, "phone.excel_damaged", text)
    for candidate in (_parse("+" + digits, region), _parse(digits, region)):
        if candidate is not None and phonenumbers.is_valid_number(candidate):
            e164 = phonenumbers.format_number(candidate, PhoneNumberFormat.E164)
            return Part(e164, "phone.excel_recovered", text, e164)
    return Part(None, "phone.excel_damaged", text)


def _parse(text: str, region: str) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _local_only(parsed: PhoneNumber, text: str, region: str) -> bool:
    """A number typed without its area code (dialable only inside the area)."""
    if text.lstrip().startswith("+") or parsed.country_code != _country_code(region):
        return False
    return len(str(parsed.national_number)) in _local_lengths(region)


@cache
def _country_code(region: str) -> int:
    return phonenumbers.country_code_for_region(region)


@cache
def _local_lengths(region: str) -> frozenset[int]:
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return frozenset()
    descs = (metadata.general_desc, metadata.fixed_line, metadata.mobile)
    return frozenset(n for desc in descs if desc for n in desc.possible_length_local_only)
