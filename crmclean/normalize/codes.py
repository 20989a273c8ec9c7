"""Every finding the normalize stage can emit: code, dotted rule name, severity, meaning.

Normalizers name findings by rule (``"email.invalid"``); this table is the one place that gives
each rule its short code and severity, so reports and docs can be generated from it.
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
    Code(
        "TX02", "text.placeholder", "info", "A placeholder ('-', 'N/A', 'não informado') emptied."
    ),
    Code("EM01", "email.invalid", "warning", "Not a valid e-mail address; dropped."),
    Code("EM02", "email.typo_domain", "warning", "Domain looks misspelled; the fix is suggested."),
    Code("EM03", "email.lowercased", "info", "Address lowercased."),
    Code("EM04", "email.normalized", "info", "Address cleaned (mailto:, brackets, IDNA domain)."),
    Code("EM05", "email.split", "info", "Several addresses in one cell; the rest go to email_alt."),
    Code("EM06", "email.undeliverable", "warning", "Domain has no mail server (DNS); kept."),
    Code("EM07", "email.repaired", "info", "Stray spaces, commas or dots fixed: one reading only."),
    Code(
        "EM08",
        "email.ambiguous",
        "error",
        "Words glued to an address ('first last@x.com'): no single reading; not used.",
    ),
    Code("EM09", "email.typo_corrected", "info", "Misspelled domain of a big provider corrected."),
    Code("PH01", "phone.unparseable", "warning", "Not a phone number; dropped."),
    Code("PH02", "phone.invalid", "warning", "Not a valid number for its region; dropped."),
    Code("PH03", "phone.missing_area_code", "warning", "Local number without area code; dropped."),
    Code("PH04", "phone.excel_damaged", "warning", "Excel scientific notation lost digits."),
    Code("PH05", "phone.formatted_e164", "info", "Number rewritten in E.164."),
    Code("PH06", "phone.extension_kept", "info", "Extension moved to phone_extension."),
    Code("PH07", "phone.excel_recovered", "info", "Digits recovered from Excel notation."),
    Code("PH08", "phone.split", "info", "Several numbers in one cell; the rest go to phone_alt."),
    Code(
        "PH09",
        "phone.missing_ninth_digit",
        "warning",
        "Brazilian mobile without its 9th digit; dropped, the likely number suggested.",
    ),
    Code(
        "PH10",
        "phone.ninth_digit_added",
        "info",
        "Old 8-digit Brazilian mobile: the 9 every mobile has since 2016 added.",
    ),
    Code("NM01", "name.recased", "info", "ALL CAPS or all-lowercase name cased."),
    Code("NM02", "name.split_full_name", "info", "First/last name taken from the full name."),
    Code("NM03", "name.filled_full_name", "info", "Full name built from first/middle/last."),
    Code("NM04", "name.reordered", "info", "'Surname, Given' rewritten as 'Given Surname'."),
    Code("NM05", "name.honorific_moved", "info", "Title (Dr., Sra.) moved to the honorific field."),
    Code(
        "NM06", "name.suffix_moved", "info", "Suffix (Jr., Filho) moved to the name_suffix field."
    ),
    Code("DT01", "date.unparseable", "warning", "Not a recognizable date; dropped."),
    Code("DT02", "date.reformatted", "info", "Date rewritten as ISO 8601."),
    Code("DT03", "date.excel_serial", "info", "Excel serial day number converted to a date."),
    Code("DT04", "date.future", "warning", "Date more than a year ahead; kept, check it."),
    Code("BO01", "bool.unknown_value", "warning", "Not a known yes/no value; dropped."),
    Code("BO02", "bool.mapped", "info", "Yes/no value rewritten as true/false."),
    Code("CO01", "country.unknown", "warning", "Country not recognized; kept as typed."),
    Code("CO02", "country.coded", "info", "Country rewritten as its ISO 3166 alpha-2 code."),
    Code(
        "CO03",
        "country.inferred",
        "info",
        "No country: taken from the state, the phone's calling code or the postal code shape.",
    ),
    Code("ST01", "state.coded", "info", "State rewritten as its code (UF, US state)."),
    Code("ST02", "state.unknown", "warning", "Not a state of the record's country; kept as typed."),
    Code("PC01", "postal_code.invalid", "warning", "Not a postal code of the country; dropped."),
    Code("PC02", "postal_code.formatted", "info", "Postal code rewritten in its country's format."),
    Code(
        "PC03", "postal_code.zero_restored", "info", "Leading zero lost by a spreadsheet restored."
    ),
    Code("CI01", "city.recased", "info", "ALL CAPS or all-lowercase city cased."),
    Code(
        "ID01", "tax_id.invalid", "warning", "Not a valid CPF/CNPJ (check digits); kept as typed."
    ),
    Code("ID02", "tax_id.formatted", "info", "CPF/CNPJ rewritten in its standard format."),
    Code("ID03", "tax_id.repeated_digits", "warning", "CPF/CNPJ of one repeated digit; rejected."),
    Code("ID04", "tax_id.zero_restored", "info", "Leading zeros lost by a spreadsheet restored."),
    Code("CM01", "website.domain", "info", "Registrable domain taken from the website."),
    Code("CM02", "website.invalid", "warning", "Website has no recognizable domain."),
    Code("CM03", "company.recased", "info", "All-lower-case company name cased, legal form kept."),
    Code("CM04", "website.social", "info", "Social-media page: not a company domain."),
    Code("PL01", "picklist.mapped", "info", "Value mapped to the canonical vocabulary."),
    Code("PL02", "picklist.unknown_value", "warning", "Not a known value; kept as typed."),
    Code(
        "LK01",
        "company.link_conflict",
        "warning",
        "A contact's CNPJ, e-mail domain or company name point to different companies.",
    ),
)

BY_RULE: dict[str, Code] = {code.rule: code for code in CODES}


def table() -> pl.DataFrame:
    """The codes as a frame: ``code, rule, severity, description``."""
    return pl.DataFrame(list(CODES), schema=list(Code._fields), orient="row")
