"""The one registry of finding codes: every code any stage or the audit can emit.

Each kind of finding has a short code, a dotted rule name, a severity, the stage that emits it
and a sentence saying what it means; stages name findings by rule (``"email.invalid"``) and
take code and severity from here, so reports and docs/codes.md are generated from one table.
Codes and rule names are unique (``tests/test_codes.py`` checks it, and that every code or
rule the source emits is registered and documented).

Renamed when the registry was made one: the audit's ``contact.unreachable`` was ``CM01``
(also ``website.domain``), now ``CT01``; its ``date.future`` (also the normalizers' ``DT04``)
is ``record.future_date`` (still ``TM02``).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import polars as pl

Severity = Literal["info", "warning", "error"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
VALIDITY = "validity"  # the audit dimension of every finding a stage (not the audit) emits


class Code(NamedTuple):
    """One kind of finding."""

    code: str
    rule: str
    severity: Severity
    stage: str
    description: str
    dimension: str = VALIDITY


_Row = tuple[str, str, Severity, str]

_READ: tuple[_Row, ...] = (
    (
        "RD01",
        "read.encoding_repaired",
        "warning",
        "A line of a UTF-8 file was not UTF-8; read as cp1252 (Windows). Check its accents.",
    ),
    (
        "RD02",
        "read.mojibake",
        "warning",
        "Garbled accents (Ã£, Ã©, ûÈ): the text was decoded wrongly before it reached this file.",
    ),
    (
        "RD03",
        "read.formula",
        "warning",
        "A spreadsheet formula (=HYPERLINK, =cmd|...); kept as text, never run nor split.",
    ),
    ("RD04", "read.nul_removed", "warning", "NUL bytes removed from the cell."),
    (
        "RD05",
        "id.blank",
        "warning",
        "Record without an id: ``(row N)`` stands in (it changes if the rows are re-sorted).",
    ),
    (
        "RD06",
        "read.malformed_row",
        "warning",
        'Stray quotes (`"Bruno" Lima`): the row was read as a spreadsheet would; check it.',
    ),
)

_NORMALIZE: tuple[_Row, ...] = (
    ("OV01", "value.overridden", "info", "A value replaced by the overrides file."),
    ("TX01", "text.cleaned", "info", "Whitespace trimmed or collapsed, or Unicode made NFC."),
    ("TX02", "text.placeholder", "info", "A placeholder ('-', 'N/A', 'não informado') emptied."),
    ("EM01", "email.invalid", "warning", "Not a valid e-mail address; dropped."),
    ("EM02", "email.typo_domain", "warning", "Domain looks misspelled; the fix is suggested."),
    ("EM03", "email.lowercased", "info", "Address lowercased."),
    ("EM04", "email.normalized", "info", "Address cleaned (mailto:, brackets, IDNA domain)."),
    ("EM05", "email.split", "info", "Several addresses in one cell; the rest go to email_alt."),
    ("EM06", "email.undeliverable", "warning", "Domain has no mail server (DNS); kept."),
    ("EM07", "email.repaired", "info", "Stray spaces, commas or dots fixed: one reading only."),
    (
        "EM08",
        "email.ambiguous",
        "error",
        "Words glued to an address ('first last@x.com'): no single reading; kept as typed.",
    ),
    ("EM09", "email.typo_corrected", "info", "Misspelled domain of a big provider corrected."),
    ("PH01", "phone.unparseable", "warning", "Not a phone number; dropped."),
    ("PH02", "phone.invalid", "warning", "Not a valid number for its region; dropped."),
    ("PH03", "phone.missing_area_code", "warning", "Local number without area code; dropped."),
    ("PH04", "phone.excel_damaged", "warning", "Excel scientific notation lost digits."),
    ("PH05", "phone.formatted_e164", "info", "Number rewritten in E.164."),
    ("PH06", "phone.extension_kept", "info", "Extension moved to phone_extension."),
    ("PH07", "phone.excel_recovered", "info", "Digits recovered from Excel notation."),
    ("PH08", "phone.split", "info", "Several numbers in one cell; the rest go to phone_alt."),
    (
        "PH09",
        "phone.missing_ninth_digit",
        "warning",
        "Brazilian mobile without its 9th digit; dropped, the likely number suggested.",
    ),
    (
        "PH10",
        "phone.ninth_digit_added",
        "info",
        "Old 8-digit Brazilian mobile: the 9 every mobile has since 2016 added.",
    ),
    ("NM01", "name.recased", "info", "ALL CAPS or all-lowercase name cased."),
    ("NM02", "name.split_full_name", "info", "First/last name taken from the full name."),
    ("NM03", "name.filled_full_name", "info", "Full name built from first/middle/last."),
    ("NM04", "name.reordered", "info", "'Surname, Given' rewritten as 'Given Surname'."),
    ("NM05", "name.honorific_moved", "info", "Title (Dr., Sra.) moved to the honorific field."),
    ("NM06", "name.suffix_moved", "info", "Suffix (Jr., Filho) moved to the name_suffix field."),
    ("DT01", "date.unparseable", "warning", "Not a recognizable date; dropped."),
    ("DT02", "date.reformatted", "info", "Date rewritten as ISO 8601."),
    ("DT03", "date.excel_serial", "info", "Excel serial day number converted to a date."),
    ("DT04", "date.future", "warning", "Date more than a year ahead; kept, check it."),
    ("BO01", "bool.unknown_value", "warning", "Not a known yes/no value; dropped."),
    ("BO02", "bool.mapped", "info", "Yes/no value rewritten as true/false."),
    ("CO01", "country.unknown", "warning", "Country not recognized; kept as typed."),
    ("CO02", "country.coded", "info", "Country rewritten as its ISO 3166 alpha-2 code."),
    (
        "CO03",
        "country.inferred",
        "info",
        "No country: taken from the state, the phone's calling code or the postal code shape.",
    ),
    ("ST01", "state.coded", "info", "State rewritten as its code (UF, US state)."),
    ("ST02", "state.unknown", "warning", "Not a state of the record's country; kept as typed."),
    (
        "PC01",
        "postal_code.invalid",
        "warning",
        "Not a postal code of the country; emptied (matched as typed).",
    ),
    ("PC02", "postal_code.formatted", "info", "Postal code rewritten in its country's format."),
    ("PC03", "postal_code.zero_restored", "info", "Leading zero lost by a spreadsheet restored."),
    ("CI01", "city.recased", "info", "ALL CAPS or all-lowercase city cased."),
    ("ID01", "tax_id.invalid", "warning", "Not a valid CPF/CNPJ (check digits); kept as typed."),
    ("ID02", "tax_id.formatted", "info", "CPF/CNPJ rewritten in its standard format."),
    ("ID03", "tax_id.repeated_digits", "warning", "CPF/CNPJ of one repeated digit; rejected."),
    ("ID04", "tax_id.zero_restored", "info", "Leading zeros lost by a spreadsheet restored."),
    ("CM01", "website.domain", "info", "Registrable domain taken from the website."),
    ("CM02", "website.invalid", "warning", "Website has no recognizable domain."),
    ("CM03", "company.recased", "info", "All-lower-case company name cased, legal form kept."),
    ("CM04", "website.social", "info", "Social-media page: not a company domain."),
    ("PL01", "picklist.mapped", "info", "Value mapped to the canonical vocabulary."),
    ("PL02", "picklist.unknown_value", "warning", "Not a known value; kept as typed."),
)

_DEDUPE: tuple[_Row, ...] = (
    (
        "DD01",
        "dedupe.oversized_block",
        "warning",
        "A blocking key shared by too many records; they were not compared on it.",
    ),
    (
        "LK01",
        "company.link_conflict",
        "warning",
        "A contact's CNPJ, e-mail domain or company name point to different companies.",
    ),
)

# Reasons a record leaves for ``rejects`` (the gate's reasons are its expectations' names).
_REJECT: tuple[_Row, ...] = (
    ("RJ02", "id.duplicate", "error", "Another row of the same source has this id; rejected."),
    ("RJ03", "id.too_long", "error", "Id longer than a target key holds (255); rejected."),
    ("RJ04", "source.deleted", "info", "The source marks the record deleted; not loaded."),
    (
        "RJ05",
        "record.unidentifiable",
        "error",
        "No name, e-mail, phone or company left after cleaning; rejected.",
    ),
    (
        "RJ06",
        "company.unidentifiable",
        "error",
        "Company with no name, legal name, domain, CNPJ, tax id or phone; rejected.",
    ),
)

# Orders the segment stage could not use (``crmclean segment --problems``).
_SEGMENT: tuple[_Row, ...] = (
    (
        "OR01",
        "order.unlinked",
        "warning",
        "No golden record has the order's customer id or e-mail.",
    ),
    (
        "OR02",
        "order.no_customer",
        "warning",
        "The order names neither a customer id nor an e-mail.",
    ),
    ("OR03", "order.not_won", "info", "The order's status is not one of the won statuses."),
    ("OR04", "order.bad_date", "warning", "The order's date is not a recognizable date."),
    ("OR05", "order.bad_amount", "warning", "The order's amount is not a recognizable number."),
)

_AUDIT: tuple[tuple[str, str, Severity, str, str], ...] = (
    ("RJ01", "record.rejected", "error", "completeness",
     "Record with nothing to identify it; it cannot be used."),
    ("CT01", "contact.unreachable", "warning", "completeness",
     "No e-mail, phone or mobile: the contact cannot be reached."),
    ("DU01", "record.duplicate", "warning", "uniqueness",
     "Another record of the same person exists (same golden record)."),
    ("CS01", "value.spelled_differently", "info", "consistency",
     "The same value is written several ways; not the usual spelling."),
    ("TM01", "record.stale", "warning", "timeliness",
     "No update or activity for longer than the stale period."),
    ("TM02", "record.future_date", "warning", "timeliness", "A date lies in the future."),
    ("TM03", "record.undated", "info", "timeliness",
     "No creation, update or activity date: freshness unknown."),
    ("CP01", "consent.missing", "warning", "compliance",
     "No marketing consent recorded (LGPD/GDPR)."),
    ("CP02", "consent.opted_out_marketable", "error", "compliance",
     "Opted out of e-mail but still marked for marketing."),
    ("CP03", "record.past_retention", "warning", "compliance",
     "No sign of life for longer than the retention period."),
)  # fmt: skip

CODES: tuple[Code, ...] = (
    *(Code(c, r, s, stage, d) for stage, rows in (
        ("read", _READ), ("normalize", _NORMALIZE), ("dedupe", _DEDUPE), ("reject", _REJECT),
        ("segment", _SEGMENT),
    ) for c, r, s, d in rows),
    *(Code(c, r, s, "audit", d, dim) for c, r, s, dim, d in _AUDIT),
)  # fmt: skip

BY_CODE: dict[str, Code] = {code.code: code for code in CODES}
BY_RULE: dict[str, Code] = {code.rule: code for code in CODES}
AUDIT_CODES: frozenset[str] = frozenset(c.code for c in CODES if c.stage == "audit")


def table() -> pl.DataFrame:
    """The registry as a frame: ``code, rule, severity, stage, description, dimension``."""
    return pl.DataFrame(list(CODES), schema=list(Code._fields), orient="row")
