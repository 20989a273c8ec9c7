from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.values.dates import SLASHED, normalize_dates, to_iso


def iso(values: list[str | None], dayfirst: bool = True) -> list[str | None]:
    return to_iso(pl.Series(values, dtype=pl.String), dayfirst).to_list()


@pytest.mark.parametrize(
    ("typed", "dayfirst", "expected"),
    [
        ("2024-03-01", True, "2024-03-01"),
        ("2024-3-1", True, "2024-03-01"),
        ("2024/03/01", False, "2024-03-01"),
        ("2024.03.01", True, "2024-03-01"),
        ("2024-03-01T10:20:00", True, "2024-03-01T10:20:00"),
        ("2024-03-01 10:20", True, "2024-03-01T10:20:00"),
        ("2024-03-01T10:20:00.123Z", True, "2024-03-01T10:20:00"),
        ("2024-03-01T13:20:00.000-0300", True, "2024-03-01T16:20:00"),
        ("2024-03-01T01:00:00+02:00", True, "2024-02-29T23:00:00"),
        ("01/03/2024", True, "2024-03-01"),
        ("01/03/2024", False, "2024-01-03"),
        ("1-3-2024", True, "2024-03-01"),
        ("25/12/2023 14:05", True, "2023-12-25T14:05:00"),
        ("12/25/2023 2:05 PM", False, "2023-12-25T14:05:00"),
        ("12/25/2023 12:30 am", False, "2023-12-25T00:30:00"),
        ("01.03.2024", False, "2024-03-01"),
        ("1/3/24", True, "2024-03-01"),
        ("1/3/85", True, "1985-03-01"),
        ("45000", True, "2023-03-15"),
        ("45000.5", True, "2023-03-15T12:00:00"),
        ("20000", True, "1954-10-03"),
        ("19999", True, None),
        ("31/02/2024", True, None),
        ("13/13/2024", True, None),
        ("2024-03-01 25:00", True, None),
        ("soon", True, None),
        ("2024", True, None),
        (None, True, None),
    ],
)
def test_to_iso(typed: str | None, dayfirst: bool, expected: str | None) -> None:
    assert iso([typed], dayfirst) == [expected]


def test_day_or_month_first_is_decided_per_source() -> None:
    sources = ["br", "br", "us", "us", "mixed", "mixed", "plain", "plain"]
    data = frame(
        created_at=["03/01/2024", "25/12/2023", "03/01/2024", "12/25/2023"] + ["03/01/2024"] * 4,
        country=[None, None, None, None, "US", "US", None, "BR"],
    ).with_columns(_source=pl.Series(sources))
    step = normalize_dates(data, ["created_at"], "BR")
    assert step.frame["created_at"].to_list() == [
        "2024-01-03",  # a first part over 12 in the source: day first
        "2023-12-25",
        "2024-03-01",  # a second part over 12: month first
        "2023-12-25",
        "2024-03-01",  # no evidence, records in the US: month first
        "2024-03-01",
        "2024-01-03",  # no evidence, not the US: day first
        "2024-01-03",
    ]


def test_us_default_region_makes_ambiguous_dates_month_first() -> None:
    step = normalize_dates(frame(created_at=["03/01/2024"], country=[None]), ["created_at"], "US")
    assert step.frame["created_at"].to_list() == ["2024-03-01"]


def test_findings_per_kind_of_change() -> None:
    data = frame(
        created_at=["2024-03-01", "01/03/2024", "45000", "31/02/2024", None],
        updated_at=["2024-03-01T10:00:00", None, None, None, "ontem"],
        country=[None] * 5,
    )
    step = normalize_dates(data, ["created_at", "updated_at"], "BR")
    assert found(step.findings) == [
        ("2", "created_at", "DT02", "date.reformatted", "info", "01/03/2024", "2024-03-01"),
        ("3", "created_at", "DT03", "date.excel_serial", "info", "45000", "2023-03-15"),
        ("4", "created_at", "DT01", "date.unparseable", "warning", "31/02/2024", None),
        ("5", "updated_at", "DT01", "date.unparseable", "warning", "ontem", None),
    ]


DATES = st.from_regex(
    r"\d{1,5}[-/.]\d{1,2}[-/.]\d{1,4}( \d{1,2}:\d\d(:\d\d)?( ?[AP]M)?)?", fullmatch=True
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(DATES | st.text(max_size=25) | st.integers(0, 99_999).map(str), max_size=20),
    st.booleans(),
)
def test_to_iso_never_raises_and_is_idempotent(values: list[str], dayfirst: bool) -> None:
    once = iso(values, dayfirst)
    assert iso(once, dayfirst) == once
    assert iso(once, not dayfirst) == once


def _reference_day_first(texts: list[str | None], countries: list[str | None]) -> bool:
    """The documented rule for one source, in plain Python: evidence, then the US share."""
    parts = [m.group("a", "b") for t in texts if t and (m := re.match(SLASHED, t))]
    first_big = any(int(a) > 12 for a, _ in parts)
    second_big = any(int(b) > 12 for _, b in parts)
    if first_big != second_big:
        return first_big
    known = [country for country in countries if country is not None]
    return not (sum(c == "US" for c in known) / len(known) > 0.5 if known else False)


SLASHES = st.from_regex(r"\d{1,2}/\d{1,2}/\d{4}", fullmatch=True)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.none() | SLASHES | DATES | st.sampled_from(["2024-03-01", "45000", "x"]),
            st.none() | st.sampled_from(["US", "BR"]),
        ),
        max_size=30,
    )
)
def test_dates_read_each_source_in_its_order(
    rows: list[tuple[str, str | None, str | None]],
) -> None:
    """Worked once per distinct (source, text), each row reads what :func:`to_iso` gives its
    text in its source's order."""
    data = pl.DataFrame(
        rows,
        schema={"_source": pl.String, "created_at": pl.String, "country": pl.String},
        orient="row",
    )
    step = normalize_dates(data.with_columns(_source_id=pl.lit("1")), ["created_at"], "BR")
    order = {
        source: _reference_day_first(
            [t for s, t, _ in rows if s == source], [c for s, _, c in rows if s == source]
        )
        for source, _, _ in rows
    }
    expected = [iso([text], order[source])[0] for source, text, _ in rows]
    assert step.frame["created_at"].to_list() == expected
