"""Every finding the normalize stage can emit: code, dotted rule name, severity, meaning.

Normalizers name findings by rule (``"email.invalid"``); this table is the one place that gives
each rule its short code and severity, so reports and docs can be generated from it. EM02 is
kept for ``email.typo_domain`` (typo domains are a later addition).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import polars as pl

Severity = Literal["info", "warning", "error"]


class Code(NamedTuple):
    """One kind of finding."""

    code: str
    rule: str
    severity: Severity
    description: str


CODES: tuple[Code, ...] = (
    Code("TX01", "text.cleaned", "info", "Whitespace trimmed or collapsed, or Unicode made NFC."),
    Code("EM01", "email.invalid", "warning", "Not a valid e-mail address; dropped."),
    Code("EM03", "email.lowercased", "info", "Address lowercased."),
    Code("EM04", "email.normalized", "info", "Address cleaned (mailto:, brackets, IDNA domain)."),
    Code("EM05", "email.split", "info", "Several addresses in one cell; the rest go to email_alt."),
    Code("PH01", "phone.unparseable", "warning", "Not a phone number; dropped."),
    Code("PH02", "phone.invalid", "warning", "Not a valid number for its region; dropped."),
    Code("PH03", "phone.missing_area_code", "warning", "Local number without area code; dropped."),
    Code("PH04", "phone.excel_damaged", "warning", "Excel scientific notation lost digits."),
    Code("PH05", "phone.formatted_e164", "info", "Number rewritten in E.164."),
    Code("PH06", "phone.extension_dropped", "info", "Extension removed from the E.164 number."),
    Code("PH07", "phone.excel_recovered", "info", "Digits recovered from Excel notation."),
    Code("PH08", "phone.split", "info", "Several numbers in one cell; the rest go to phone_alt."),
    Code("NM01", "name.recased", "info", "ALL CAPS or all-lowercase name cased."),
    Code("NM02", "name.split_full_name", "info", "First/last name taken from the full name."),
    Code("NM03", "name.filled_full_name", "info", "Full name built from first/middle/last."),
    Code("NM04", "name.reordered", "info", "'Surname, Given' rewritten as 'Given Surname'."),
    Code("DT01", "date.unparseable", "warning", "Not a recognizable date; dropped."),
    Code("DT02", "date.reformatted", "info", "Date rewritten as ISO 8601."),
    Code("DT03", "date.excel_serial", "info", "Excel serial day number converted to a date."),
    Code("BO01", "bool.unknown_value", "warning", "Not a known yes/no value; dropped."),
    Code("BO02", "bool.mapped", "info", "Yes/no value rewritten as true/false."),
    Code("CO01", "country.unknown", "warning", "Country not recognized; kept as typed."),
    Code("CO02", "country.coded", "info", "Country rewritten as its ISO 3166 alpha-2 code."),
)

BY_RULE: dict[str, Code] = {code.rule: code for code in CODES}


def table() -> pl.DataFrame:
    """The codes as a frame: ``code, rule, severity, description``."""
    return pl.DataFrame(list(CODES), schema=list(Code._fields), orient="row")
