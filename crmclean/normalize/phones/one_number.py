"""One phone number as typed -> E.164 with phonenumbers, or the rule saying why not.

Besides the number: its kind (``mobile``, ``fixed_line``, ``toll_free``...) and the extension
typed with it (``ramal 23``, ``x23``), which E.164 cannot hold.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberFormat

from crmclean.normalize.phones.words import strip_words
from crmclean.normalize.values.multi_cells import Part

# "5,51199E+12" / "5.511987654321E12": a number Excel showed in scientific notation.
EXCEL = re.compile(r"\s*([0-9])[.,]([0-9]+)\s*e\s*\+?\s*([0-9]{1,2})\s*", re.IGNORECASE)
# An extension at the end, bracketed or not: "ramal 23", "(ramal 301)", "ext. 4", "R:22", "x23".
EXTENSION = re.compile(
    r"\s*[(\[]?\s*(?:ramal|r\.|r\s*:|ext(?:ens[aã]o|ension|ensi[oó]n)?\.?|x|#)"
    r"\s*:?\s*([0-9]{1,6})\s*[)\]]?\s*$",
    re.IGNORECASE,
)
KINDS = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if name.isupper() and name != "UNKNOWN"
}
BR_MOBILE_WITHOUT_NINE = re.compile(r"^([1-9][1-9])([6-9][0-9]{7})$")
# Digits grouped as a North American number writes them, 3-3-4 (``(416) 979-5000``,
# ``416-979-5000``, ``1 416 979 5000``). Under a region of two-digit area codes they are never
# read as that region's number (``(212) 736-5000`` is no Rio landline, ``(416) 979-5000`` no
# Curitiba mobile short of its 9: Brazil writes 2-4-4): invalid, the value as typed in the
# finding.
_AREA = r"(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})"
NANP_SHAPE = rf"^\s*(?:\+?1[\s.-]*)?{_AREA}[\s.-]*[2-9][0-9]{{2}}[\s.-]+[0-9]{{4}}\s*$"
# Regions whose area codes all have two digits: a 3-3-4 grouping cannot be one of their
# numbers (Mexico, with three-digit area codes, writes its own numbers 3-3-4).
TWO_DIGIT_AREAS = frozenset({"BR"})


def kind_of(number: PhoneNumber) -> str | None:
    """``mobile``, ``fixed_line``, ``fixed_line_or_mobile``, ``toll_free``...; None if unknown."""
    return KINDS.get(phonenumbers.number_type(number))


def to_e164(text: str, region: str, words: tuple[str, ...] = (), ninth: bool = True) -> Part:
    """One typed number in E.164, with the rule when it changed or was dropped.

    ``words``: labels and notes typed around numbers (taken off first); ``ninth``: an old
    8-digit Brazilian mobile gets its 9 (else it is dropped, the fix suggested).
    """
    damaged = EXCEL.fullmatch(text)
    if damaged:
        return _from_excel(text, damaged, region)
    bare = strip_words(text, words)
    typed_extension = EXTENSION.search(bare)
    body = EXTENSION.sub("", bare)
    parsed = _parse(body, region)
    if parsed is None:
        return Part(None, "phone.unparseable", text)
    if _foreign_nanp(body, region):
        return Part(None, "phone.invalid", text)
    if not phonenumbers.is_valid_number(parsed):
        return _invalid(text, body, parsed, region, ninth)
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    extension = typed_extension.group(1) if typed_extension else parsed.extension or None
    kind = kind_of(parsed)
    if extension:
        return Part(e164, "phone.extension_kept", text, f"{e164} ext. {extension}", kind, extension)
    if e164 == text:
        return Part(e164, kind=kind)
    return Part(e164, "phone.formatted_e164", text, e164, kind)


def _foreign_nanp(body: str, region: str) -> bool:
    """A North American number typed without "+" under a region of two-digit area codes."""
    plus = body.lstrip().startswith("+")
    return region in TWO_DIGIT_AREAS and not plus and re.match(NANP_SHAPE, body) is not None


def _invalid(text: str, body: str, parsed: PhoneNumber, region: str, ninth: bool) -> Part:
    """Why a parsed number is not valid: no area code, a missing 9th digit (added when
    ``ninth``), or just invalid."""
    if _local_only(parsed, body, region):
        return Part(None, "phone.missing_area_code", text)
    fixed = ninth_digit_fix(parsed)
    if fixed is not None and ninth:
        return Part(fixed, "phone.ninth_digit_added", text, fixed, "mobile")
    if fixed is not None:
        return Part(None, "phone.missing_ninth_digit", text, fixed)
    return Part(None, "phone.invalid", text)


def ninth_digit_fix(parsed: PhoneNumber) -> str | None:
    """A Brazilian 8-digit mobile written without its leading 9: the number with it, if valid."""
    match = BR_MOBILE_WITHOUT_NINE.match(str(parsed.national_number))
    if parsed.country_code != 55 or match is None:
        return None
    candidate = _parse(f"+55{match.group(1)}9{match.group(2)}", "BR")
    if candidate is None or kind_of(candidate) != "mobile":
        return None
    return phonenumbers.format_number(candidate, PhoneNumberFormat.E164)


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
            return Part(e164, "phone.excel_recovered", text, e164, kind_of(candidate))
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
    return len(str(parsed.national_number)) in local_lengths(region)


@cache
def _country_code(region: str) -> int:
    return phonenumbers.country_code_for_region(region)


@cache
def local_lengths(region: str) -> frozenset[int]:
    """Lengths of numbers dialled inside an area without its code (8 and 9 in Brazil)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return frozenset()
    descs = (metadata.general_desc, metadata.fixed_line, metadata.mobile)
    return frozenset(n for desc in descs if desc for n in desc.possible_length_local_only)
