"""The region a record's numbers are read in: country, e-mail ccTLD, the source's commonest
country, the default."""

from __future__ import annotations

import phonenumbers
import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from normalize_support import frame

from crmclean.batch import SOURCE
from crmclean.normalize.phones.columns import normalize_phones, parse_cell
from crmclean.normalize.phones.regions import record_region, record_regions
from crmclean.normalize.phones.words import PhoneSpec

GENERIC = ["io", "co", "me"]


def _regions(data: pl.DataFrame, default: str = "BR") -> list[str]:
    return data.select(record_region(data, default, GENERIC).alias("r"))["r"].to_list()


def test_country_first_then_the_emails_cctld_then_the_default() -> None:
    data = pl.DataFrame(
        {
            "country": ["US", None, None, None, None, None, "Narnia", None],
            "email": [
                "a@x.pt",
                "b@empresa.pt",
                "c@firm.co.uk",
                "d@startup.io",
                "e@marca.co",
                "f@empresa.com.co",
                "g@x.de",
                "not an e-mail",
            ],
        }
    )
    assert _regions(data) == ["US", "PT", "GB", "BR", "BR", "CO", "DE", "BR"]


def test_the_sources_commonest_country_fills_its_gaps() -> None:
    data = pl.DataFrame(
        {
            SOURCE: ["lisboa"] * 4 + ["mixed"] * 4,
            "country": ["PT", "PT", "ES", None, "PT", "ES", "MX", None],
            "email": [None, None, None, None, None, None, None, "h@x.ar"],
        }
    )
    # mixed: no country reaches half of its records with one; the e-mail beats the source
    assert _regions(data) == ["PT", "PT", "ES", "PT", "PT", "ES", "MX", "AR"]


def test_a_number_without_a_country_code_is_read_in_the_emails_country() -> None:
    data = frame(
        phone=["912 345 678", "(11) 98765-4321"],
        email=["ana@empresa.pt", "joao@empresa.com.br"],
        country=[None, None],
    )
    step = normalize_phones(data, "BR", fields=("phone",), spec=PhoneSpec(generic_cctlds=GENERIC))
    assert step.frame["phone"].to_list() == ["+351912345678", "+5511987654321"]


def test_a_number_invalid_in_the_emails_country_is_read_in_the_next_region() -> None:
    # a Sao Paulo mobile (old 8 digits) at a German company's domain; a Berlin number at one
    # stays German
    data = frame(
        phone=["11 61064210", "(11) 3123-4567", "030 1234567", "(201) 543-3634"],
        email=["dp@andeslitoral.de", "ana@firma.de", "k@firma.de", "j@vale.de"],
        country=[None, None, None, None],
    )
    spec = PhoneSpec(generic_cctlds=GENERIC)
    step = normalize_phones(data, "BR", fields=("phone",), spec=spec)
    assert step.frame["phone"].to_list() == [
        "+5511961064210",
        "+551131234567",
        "+49301234567",
        "+492015433634",  # valid in Germany: the e-mail's country stands
    ]
    assert step.frame["phone_type"].to_list()[0] == "mobile"
    rules = step.findings.filter(pl.col("field") == "phone")["rule"].to_list()
    assert "phone.invalid" not in rules


RECORDS = st.lists(
    st.tuples(
        st.none() | st.text(max_size=4) | st.sampled_from(["PT", "GB", "xx"]),
        st.none() | st.text(max_size=12) | st.sampled_from(["a@b.uk", "a@b.com.co", "@.io"]),
        st.sampled_from(["s1", "s2"]),
    ),
    max_size=12,
)


@given(RECORDS)
def test_every_record_gets_a_supported_region(rows: list[tuple[str | None, ...]]) -> None:
    data = pl.DataFrame(
        rows, schema={c: pl.String for c in ("country", "email", SOURCE)}, orient="row"
    )
    regions = _regions(data)
    assert len(regions) == len(rows)
    assert all(region in phonenumbers.SUPPORTED_REGIONS for region in regions)


@given(RECORDS, st.booleans())
def test_both_regions_at_once_are_each_alone(
    rows: list[tuple[str | None, ...]], mail: bool
) -> None:
    """``record_regions`` (the e-mail's region once per domain) gives what ``record_region``
    gives with and without the e-mail's hint."""
    data = pl.DataFrame(
        rows, schema={c: pl.String for c in ("country", "email", SOURCE)}, orient="row"
    )
    data = data if mail else data.drop("email")
    region, fallback = record_regions(data, "BR", GENERIC)
    alone = data.select(
        record_region(data, "BR", GENERIC).alias("r"),
        record_region(data, "BR", GENERIC, by_email=False).alias("f"),
    )
    assert region.to_list() == alone["r"].to_list()
    assert fallback.to_list() == alone["f"].to_list()


ONE_NUMBER = st.sampled_from(
    [
        "11 61064210",  # a Sao Paulo mobile short of its 9: invalid in Germany
        "(11) 3123-4567",
        "030 1234567",
        "912 345 678",
        "(201) 543-3634",
        "+49 30 1234567",
        "21 2345 678",
        "12345",
        "98765-432l",  # a letter: the library's
        "5.511987654321E12",
    ]
)
DOMAINS = st.sampled_from(["a@firma.de", "a@empresa.pt", "a@empresa.com.br", "a@x.com", None])


RECORDS_WITH_PHONES = st.lists(
    st.tuples(st.none() | ONE_NUMBER, DOMAINS, st.none() | st.just("PT")), min_size=1, max_size=12
)


@given(RECORDS_WITH_PHONES)
def test_a_number_is_read_again_where_the_emails_region_calls_it_invalid(
    rows: list[tuple[str | None, ...]],
) -> None:
    """Each number as reading its cell alone gives it: in the record's region, or else (one
    number, invalid there) in the region the other hints give, where it is valid."""
    names = ("phone", "email", "country")
    data = frame(**dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))
    region, fallback = record_regions(data, "BR", GENERIC)
    step = normalize_phones(data, "BR", fields=("phone",), spec=PhoneSpec(generic_cctlds=GENERIC))
    expected = []
    for cell, first, second in zip(data["phone"], region, fallback, strict=True):
        parts = parse_cell(cell, first) if cell is not None else []
        if len(parts) == 1 and parts[0].value is None and first != second:
            again = parse_cell(cell, second)
            parts = again if len(again) == 1 and again[0].value is not None else parts
        expected.append((parts[0].value, parts[0].kind) if parts else (None, None))
    assert list(zip(step.frame["phone"], step.frame["phone_type"], strict=True)) == expected
