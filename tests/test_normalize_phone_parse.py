"""The polars port of phonenumbers' parse/is_valid_number agrees with the library."""

from __future__ import annotations

import re

import phonenumbers
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers.phonenumberutil import _number_type_helper

from crmclean.normalize.phones import parse_port as port
from crmclean.normalize.phones.columns import parse_cell
from crmclean.normalize.phones.fast_path import fast_path
from crmclean.normalize.phones.metadata import SPECIAL, anchored, kind, metadata
from crmclean.normalize.phones.one_number import KINDS as TYPE_NAMES
from crmclean.normalize.phones.one_number import kind_of, ninth_digit_fix

EVERY_REGION = sorted(phonenumbers.SUPPORTED_REGIONS)
DESCS = ("general_desc", "fixed_line", "mobile", *SPECIAL)
COMMON = ["BR", "US", "PT", "GB", "AR", "MX", "CA", "IT", "DE", "FR", "ES", "AU", "RU", "IN"]
REGIONS = st.sampled_from(COMMON) | st.sampled_from(EVERY_REGION)
KINDS = st.sampled_from(list(phonenumbers.PhoneNumberType.values()))
PREFIXES = ["", "0", "00", "011", "1", "55", "0055", "90", "015", "021", "44", "0800"]


@st.composite
def typed_digits(draw: st.DrawFn) -> tuple[bool, str]:
    """Digits of an example number of some region and type, maybe edited, or random digits."""
    example = phonenumbers.example_number_for_type(draw(REGIONS), draw(KINDS))
    if example is None or draw(st.booleans()):
        return draw(st.booleans()), draw(st.text(alphabet="0123456789", min_size=1, max_size=18))
    text = phonenumbers.format_number(example, draw(st.sampled_from([0, 1, 2])))
    digits = "".join(char for char in text if char.isdigit())
    at = draw(st.integers(0, len(digits)))
    digit = draw(st.sampled_from("0123456789"))
    edits = [digits, digits[:at] + digit + digits[at + 1 :], digits[:at] + digits[at + 1 :]]
    edits += [digits[:at] + digit + digits[at:], digits[-8:], digits[-9:]]
    edited = draw(st.sampled_from(PREFIXES)) + draw(st.sampled_from(edits))
    return text.startswith("+") != draw(st.booleans()), edited


def library(plus: bool, digits: str, region: str) -> tuple[object, ...] | None:
    """What the library says: calling code, national number, kind, local-only, 9th-digit fix."""
    text = ("+" if plus else "") + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number):
        nsn = phonenumbers.national_significant_number(number)
        return str(number.country_code), nsn, kind_of(number), None
    local = (
        not plus
        and number.country_code == phonenumbers.country_code_for_region(region)
        and len(str(number.national_number)) in _local_lengths(region)
    )
    return str(number.country_code), None, None, "local" if local else ninth_digit_fix(number)


def _local_lengths(region: str) -> set[int]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    descs = (meta.general_desc, meta.fixed_line, meta.mobile)
    return {n for desc in descs if desc for n in desc.possible_length_local_only}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(typed_digits(), REGIONS), min_size=1, max_size=80))
def test_the_port_says_what_the_library_says_whenever_it_is_sure(
    cases: list[tuple[tuple[bool, str], str]],
) -> None:
    rows = [(plus, digits, region) for (plus, digits), region in cases]
    schema = {port.PLUS: pl.Boolean, port.DIGITS: pl.String, port.REGION: pl.String}
    table = pl.DataFrame(rows, schema=schema, orient="row").with_row_index("i")
    for row in port.analyze(table).sort("i").iter_rows(named=True):
        if not row[port.SURE]:
            continue
        expected = library(row[port.PLUS], row[port.DIGITS], row[port.REGION])
        if row[port.UNPARSEABLE]:
            assert expected is None, row
            continue
        valid = row[port.KIND] is not None
        problem = "local" if row[port.LOCAL] else row[port.NINTH]
        got = (row[port.CC], row[port.NATIONAL] if valid else None, row[port.KIND])
        assert expected == (*got, None if valid else problem), row


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(typed_digits(), REGIONS, st.text(max_size=3)), min_size=1, max_size=60))
def test_the_port_gives_every_row_back_whole_whatever_their_order(
    cases: list[tuple[tuple[bool, str], str, str]],
) -> None:
    rows = [(plus, digits, region, tag) for (plus, digits), region, tag in cases]
    schema = {port.PLUS: pl.Boolean, port.DIGITS: pl.String, port.REGION: pl.String, "t": pl.String}
    table = pl.DataFrame(rows, schema=schema, orient="row").with_row_index("i")
    analyzed = port.analyze(table).sort("i")
    again = port.analyze(table.reverse()).sort("i")
    assert analyzed.select(table.columns).equals(table)
    assert analyzed.equals(again.select(analyzed.columns))


def test_the_port_is_sure_of_the_common_shapes() -> None:
    rows = [
        (False, "11987654321", "BR"),
        (True, "5511987654321", "US"),
        (False, "2125550123", "US"),
    ]
    rows += [(False, "912345678", "PT"), (False, "02079460958", "GB"), (False, "0114169", "BR")]
    schema = {port.PLUS: pl.Boolean, port.DIGITS: pl.String, port.REGION: pl.String}
    result = port.analyze(pl.DataFrame(rows, schema=schema, orient="row"))
    assert result[port.SURE].all()


CELLS = st.from_regex(r"\+?[0-9 ()\-.]{6,18}( ramal [0-9]{1,3})?", fullmatch=True)
CELLS |= st.from_regex(r"[0-9][.,][0-9]{8,14}[eE]\+?1[0-4]", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELLS, REGIONS), min_size=1, max_size=60))
def test_the_fast_path_gives_what_parse_cell_gives_in_any_region(
    cases: list[tuple[str, str]],
) -> None:
    fast = fast_path("p", "r")
    cells = fast.prepared(pl.DataFrame(cases, schema=["p", "r"], orient="row"))
    taken = cells.filter(fast.when.fill_null(False)).select("p", "r", **fast.then)
    for text, where, *part in taken.iter_rows():
        assert [tuple(part)] == [tuple(p) for p in parse_cell(text, where)]


def _examples() -> list[str]:
    """The national numbers of every region's examples, some behind a prefix typed before."""
    found = [
        phonenumbers.national_significant_number(example)
        for region in EVERY_REGION
        for kind in phonenumbers.PhoneNumberType.values()
        if (example := phonenumbers.example_number_for_type(region, kind)) is not None
    ]
    return sorted({prefix + number for number in found for prefix in PREFIXES})


NUMBERS = st.text(alphabet="0123456789", max_size=18) | st.sampled_from(_examples())


def _patterns(region: str) -> list[str]:
    """Every pattern of a region's metadata the port reads."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    found = [meta.international_prefix, meta.national_prefix_for_parsing, meta.leading_digits]
    found += [getattr(getattr(meta, name), "national_number_pattern", None) for name in DESCS]
    return [pattern for pattern in found if pattern]


@settings(max_examples=60, deadline=None)
@given(REGIONS, st.lists(NUMBERS, min_size=1, max_size=30))
def test_anchored_patterns_read_ascii_digits_as_the_library_does(
    region: str, numbers: list[str]
) -> None:
    table = pl.DataFrame({"n": numbers})
    for pattern in _patterns(region):
        got = table.select(
            start=pl.col("n").str.contains(anchored(pattern)),
            whole=pl.col("n").str.contains(anchored(pattern, whole=True)),
        )
        assert got["start"].to_list() == [bool(re.match(pattern, n)) for n in numbers]
        assert got["whole"].to_list() == [bool(re.fullmatch(pattern, n)) for n in numbers]


@settings(max_examples=60, deadline=None)
@given(REGIONS, st.lists(NUMBERS, min_size=1, max_size=30))
def test_kind_names_the_type_the_library_finds(region: str, numbers: list[str]) -> None:
    """Of numbers of every length, and of those of one length (a length the region has no
    number of included: a null for each row)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    expected = [TYPE_NAMES.get(_number_type_helper(n, meta)) for n in numbers]
    table = pl.DataFrame({"n": numbers})
    if metadata(region) is None:
        expected = [None] * len(numbers)
    assert table.with_columns(kind(pl.col("n"), region).alias("k"))["k"].to_list() == expected
    for size in {len(n) for n in numbers}:
        alike = [k for n, k in zip(numbers, expected, strict=True) if len(n) == size]
        rows = table.filter(pl.col("n").str.len_chars() == size)
        assert rows.with_columns(kind(pl.col("n"), region, size).alias("k"))["k"].to_list() == alike
