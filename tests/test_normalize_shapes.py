"""Property tests per family: every output value has its family's shape, or is empty with a
finding naming the value as typed (nothing changes silently)."""

from __future__ import annotations

import polars as pl
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from normalize_support import mapped

from crmclean.batch import Batch
from crmclean.normalize import normalize
from crmclean.rules import Rules

RULES = Rules()
# A run costs about the same for 1 value as for 40 (fixed per-stage work): half the examples,
# with bounded lists allowed twice as long, try about as many values in half the time.
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(field: str, values: list[str], **fixed: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalize one record per value; ``(records with the typed value, findings)``."""
    records = [{"company": "X", **fixed, field: value} for value in values]
    batch = normalize(Batch(mapped(RULES, records)), RULES)
    typed = pl.Series("typed", values, dtype=pl.String)
    ids = batch.frame["_source_id"].cast(pl.Int64) - 1
    return batch.frame.with_columns(typed.gather(ids)), batch.findings


def shaped_or_reported(
    field: str, shape: str, values: list[str], **fixed: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each output matches ``shape`` or is a part of the value as typed with an error finding
    (no single reading); an empty one typed non-empty has a finding on it. Returns ``run``."""
    frame, findings = run(field, values, **fixed)
    out = frame.select("_source_id", "typed", field)
    noted = findings.filter(pl.col("field") == field)["_source_id"]
    errors = findings.filter((pl.col("field") == field) & (pl.col("severity") == "error"))
    kept = pl.col("typed").str.contains(pl.col(field), literal=True) & pl.col("_source_id").is_in(
        errors["_source_id"].implode()
    )
    bad = out.filter(pl.col(field).is_not_null() & ~pl.col(field).str.contains(shape) & ~kept)
    assert bad.is_empty(), bad.rows()
    emptied = out.filter(pl.col(field).is_null() & (pl.col("typed").str.strip_chars() != ""))
    silent = emptied.filter(~pl.col("_source_id").is_in(noted.implode()))
    assert silent.is_empty(), silent.rows()
    return frame, findings


DIGITISH = st.text(alphabet=st.sampled_from("0123456789 -.:/cepCEP"), max_size=14)
CEPS = st.builds(
    lambda d, sep: d[:5] + sep + d[5:],
    st.text(alphabet="0123456789", min_size=6, max_size=9),
    st.sampled_from(["", "-", " - ", " ", ".", "- ", " -"]),
)


@SETTINGS
@given(st.lists(CEPS | DIGITISH, min_size=1, max_size=40), st.sampled_from(["SP", "RJ", ""]))
def test_every_cep_is_ddddd_ddd_or_empty_with_a_finding(values: list[str], state: str) -> None:
    shaped_or_reported("postal_code", r"^\d{5}-\d{3}$", values, country="BR", state=state)


@SETTINGS
@given(st.lists(CEPS | DIGITISH, min_size=1, max_size=40))
def test_every_zip_is_a_zip_or_empty_with_a_finding(values: list[str]) -> None:
    shaped_or_reported("postal_code", r"^\d{5}(?:-\d{4})?$", values, country="US", state="MA")


POSTCODES = st.text(alphabet=st.sampled_from("ABCEHKMNSTVWXYZabc0123456789 -"), max_size=9)


@SETTINGS
@given(st.lists(POSTCODES, min_size=1, max_size=40), st.sampled_from(["CA", "GB", "PT", "AR"]))
def test_foreign_postal_codes_have_their_format(values: list[str], country: str) -> None:
    shapes = {
        "CA": r"^[A-Z]\d[A-Z] \d[A-Z]\d$",
        "GB": r"^[A-Z]{1,2}\d[A-Z0-9]? \d[A-Z]{2}$",
        "PT": r"^\d{4}-\d{3}$",
        "AR": r"^(?:[A-Z]\d{4}[A-Z]{3}|\d{4})$",
    }
    shaped_or_reported("postal_code", shapes[country], values, country=country)


PHONE_WORDS = st.sampled_from(["", " (whats)", " ramal 12", " (ramal 301)", " recado", " x9"])
PHONES = st.builds(
    lambda label, area, body, note: f"{label}{area}{body}{note}",
    st.sampled_from(["", "Cel: ", "Tel. ", "+55 ", "0xx"]),
    st.sampled_from(["(11) ", "21 ", "", "82"]),
    st.from_regex(r"[2-9][0-9]{3,4}-?[0-9]{4}", fullmatch=True),
    PHONE_WORDS,
)
JOINED = st.builds(lambda a, b: f"{a} - {b}", PHONES, PHONES)


@SETTINGS
@given(st.lists(PHONES | JOINED | st.text(alphabet="0123456789 ()-+xw", max_size=16), min_size=1))
def test_every_phone_is_e164_or_empty_with_a_finding(values: list[str]) -> None:
    shaped_or_reported("phone", r"^\+[1-9][0-9]{6,14}$", values)


PLACEHOLDERS = st.sampled_from(["-", "N/A", "n/a", "não informado", "NÃO TEM", "Sin dato", "?"])


@SETTINGS
@given(
    st.lists(PLACEHOLDERS | st.text(max_size=8), min_size=1, max_size=20),
    st.sampled_from(["job_title", "city", "street", "company", "phone", "email", "website"]),
)
def test_no_placeholder_survives_in_any_field(values: list[str], field: str) -> None:
    frame, findings = run(field, values, full_name="Ana Lima")
    left = frame.filter(pl.col("typed").is_in(PLACEHOLDERS.elements) & pl.col(field).is_not_null())
    assert left.is_empty(), left.select("typed", field).rows()
    emptied = findings.filter((pl.col("rule") == "text.placeholder") & (pl.col("field") == field))
    typed = frame.filter(pl.col("typed").is_in(PLACEHOLDERS.elements))["_source_id"]
    assert set(typed) <= set(emptied["_source_id"])


DATES = st.builds(
    lambda d, m, y, sep, time: f"{d}{sep}{m}{sep}{y}{time}",
    st.integers(1, 31),
    st.integers(1, 13) | st.sampled_from(["março", "Mar", "dez", "setiembre", "enero"]),
    st.integers(1990, 2030),
    st.sampled_from(["/", "-", ".", " de "]),
    st.sampled_from(["", " 10:30", " - 11h30", " às 9h", "T08:00:00Z"]),
)


@SETTINGS
@given(st.lists(DATES | st.from_regex(r"[0-9]{5,8}([.,][0-9])?", fullmatch=True), min_size=1))
def test_every_date_is_iso_or_empty_with_a_finding(values: list[str]) -> None:
    iso = r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2})?$"
    shaped_or_reported("created_at", iso, values)


COMPANY_WORDS = st.sampled_from(["padaria", "da", "ltda", "s.a.", "ACME", "Ltda", "me", "é", "&"])


@SETTINGS
@given(
    st.lists(
        st.builds(
            lambda head, rest: " ".join([head, *rest]),
            st.sampled_from(["padaria", "me", "é", "ACME"]),
            st.lists(COMPANY_WORDS, max_size=4),
        ),
        min_size=1,
    )
)
def test_no_company_stays_all_lower_case_and_casing_settles(values: list[str]) -> None:
    frame, _ = run("company", values, full_name="Ana Lima")
    company = pl.col("company")
    lower = frame.filter(
        (company == company.str.to_lowercase()) & (company != company.str.to_uppercase())
    )
    assert lower.is_empty(), lower.select("typed", "company").rows()
    again, _ = run("company", frame["company"].to_list(), full_name="Ana Lima")
    assert again["company"].to_list() == frame["company"].to_list()


MESSY_EMAILS = st.builds(
    lambda local, sep, host, tail: f"{local}{sep}{host}{tail}",
    st.sampled_from(["ana", "Ana Lima", "joão.silva", "first last", "x", "E-mail: bia"]),
    st.sampled_from(["@", " @", "@ ", " @ ", "@@", ""]),
    st.sampled_from(["gmail.com", "gmial.com", "gmail,com", "gmailcom", "hotmail.com.br", "x"]),
    st.sampled_from(["", " (pessoal)", "; bia@x.com", " ou caio@y.org", ","]),
)


@SETTINGS
@given(st.lists(MESSY_EMAILS | st.text(alphabet="aZé@., ;", max_size=14), min_size=1))
def test_every_email_is_valid_or_empty_with_a_finding(values: list[str]) -> None:
    # An address with a non-ASCII local part (SMTPUTF8) has no ASCII form: its domain stays
    # in Unicode, lower case; every other domain is stored in its ASCII (IDNA) form.
    label = r"[\p{Ll}\p{Lo}\p{N}-]+"
    frame, findings = shaped_or_reported("email", rf"^[^@\s,;]+@{label}(?:\.{label})+$", values)
    ambiguous = findings.filter(pl.col("code") == "EM08")["_source_id"].implode()
    for address in frame.filter(~pl.col("_source_id").is_in(ambiguous))["email"].drop_nulls():
        checked = validate_email(address, check_deliverability=False)
        # Domains are stored in their ASCII (IDNA) form: "a.é" as "a.xn--9ca".
        assert address in (checked.normalized, checked.ascii_email)
