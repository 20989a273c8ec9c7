from __future__ import annotations

from pathlib import Path

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.phones.columns import (
    clean_phones,
    normalize_phones,
    parse_cell,
    split,
)
from crmclean.normalize.phones.fast_path import fast_path
from crmclean.normalize.phones.one_number import to_e164
from crmclean.normalize.values.multi_cells import Part
from crmclean.rules import Rules


@pytest.mark.parametrize(
    ("text", "where", "value", "rule"),
    [
        ("(11) 98765-4321", "BR", "+5511987654321", "phone.formatted_e164"),
        ("+55 (11) 3456-7890", "BR", "+551134567890", "phone.formatted_e164"),
        ("011 98765 4321", "BR", "+5511987654321", "phone.formatted_e164"),
        ("021 11 98765 4321", "BR", "+5511987654321", "phone.formatted_e164"),
        ("11987654321", "BR", "+5511987654321", "phone.formatted_e164"),
        ("5511987654321", "BR", "+5511987654321", "phone.formatted_e164"),
        ("Tel: (11) 98765-4321", "BR", "+5511987654321", "phone.formatted_e164"),
        ("+5511987654321", "BR", "+5511987654321", None),
        ("+5511987654321", "US", "+5511987654321", None),
        ("98765-4321", "BR", None, "phone.missing_area_code"),
        ("3456-7890", "BR", None, "phone.missing_area_code"),
        ("555-0123", "US", None, "phone.missing_area_code"),
        ("5.511987654321E12", "BR", "+5511987654321", "phone.excel_recovered"),
        ("5,511987654321E+12", "US", "+5511987654321", "phone.excel_recovered"),
        ("1.1987654321E10", "BR", "+5511987654321", "phone.excel_recovered"),
        ("5,51199E+12", "BR", None, "phone.excel_damaged"),
        ("5.5119876543E12", "BR", None, "phone.excel_damaged"),
        ("5.51198765432123E12", "BR", None, "phone.excel_damaged"),
        ("11 3456-7890 ramal 23", "BR", "+551134567890", "phone.extension_kept"),
        ("11 3456-7890 x23", "BR", "+551134567890", "phone.extension_kept"),
        ("(11) 3456-7890 ext. 23", "BR", "+551134567890", "phone.extension_kept"),
        ("+55 11 3456-7890 r. 4", "BR", "+551134567890", "phone.extension_kept"),
        ("(212) 555-0123", "US", "+12125550123", "phone.formatted_e164"),
        ("+1 (212) 555-0123", "BR", "+12125550123", "phone.formatted_e164"),
        ("912 345 678", "PT", "+351912345678", "phone.formatted_e164"),
        ("020 7946 0958", "GB", "+442079460958", "phone.formatted_e164"),
        ("612 345 678", "ES", "+34612345678", "phone.formatted_e164"),
        ("abc", "BR", None, "phone.unparseable"),
        ("-", "BR", None, "phone.unparseable"),
        ("12345", "BR", None, "phone.invalid"),
        ("+55 11 1234", "BR", None, "phone.invalid"),
    ],
)
def test_to_e164(text: str, where: str, value: str | None, rule: str | None) -> None:
    part = to_e164(text, where)
    assert (part.value, part.rule) == (value, rule)
    assert part.before == (text if rule else None)


@pytest.mark.parametrize(
    ("cell", "pieces"),
    [
        ("(11) 3456-7890 / 3456-7891", ["(11) 3456-7890", "3456-7891"]),
        ("11 98765-4321; 11 3456-7890", ["11 98765-4321", "11 3456-7890"]),
        ("11 98765-4321, 11 3456-7890", ["11 98765-4321", "11 3456-7890"]),
        ("11 98765-4321\n11 3456-7890", ["11 98765-4321", "11 3456-7890"]),
        ("11 98765-4321 e 11 3456-7890", ["11 98765-4321", "11 3456-7890"]),
        ("11 98765-4321 ou 11 3456-7890", ["11 98765-4321", "11 3456-7890"]),
        ("212 555 0123 or 212 555 0124", ["212 555 0123", "212 555 0124"]),
        ("5,51199E+12", ["5,51199E+12"]),
        ("n/a", ["n/a"]),
        ("  ", []),
    ],
)
def test_split(cell: str, pieces: list[str]) -> None:
    assert split(cell) == pieces


def test_parse_cell_adds_a_split_part_for_several_numbers() -> None:
    assert parse_cell("+5511987654321; 98765-4321", "BR") == [
        Part("+5511987654321", kind="mobile"),
        Part(None, "phone.missing_area_code", "98765-4321"),
        Part(None, "phone.split", "+5511987654321; 98765-4321", "+5511987654321"),
    ]


def test_normalize_phones_primaries_alternates_and_findings() -> None:
    phones = ["(11) 3456-7890 / (11) 3456-7891", "(212) 555-0123", "98765-4321", None]
    mobiles = ["11 98765-4321 e 11 3456-7891", None, None, "11 98765-4321"]
    data = frame(phone=phones, mobile=mobiles, country=["BR", "US", "BR", None])
    step = normalize_phones(data, "BR")
    land, land2, cell = "+551134567890", "+551134567891", "+5511987654321"
    assert step.frame.select("phone", "mobile", "phone_alt").rows() == [
        (land, cell, [land2]),
        ("+12125550123", None, []),
        (None, None, []),
        (None, cell, []),
    ]
    e164 = ("PH05", "phone.formatted_e164", "info")
    split = ("PH08", "phone.split", "info")
    assert found(step.findings) == [
        ("1", "mobile", *e164, "11 98765-4321", cell),
        ("1", "mobile", *e164, "11 3456-7891", land2),
        ("1", "mobile", *split, mobiles[0], cell),
        ("1", "phone", *e164, "(11) 3456-7890", land),
        ("1", "phone", *e164, "(11) 3456-7891", land2),
        ("1", "phone", *split, phones[0], land),
        ("2", "phone", *e164, "(212) 555-0123", "+12125550123"),
        ("3", "phone", "PH03", "phone.missing_area_code", "warning", "98765-4321", None),
        ("4", "mobile", *e164, "11 98765-4321", cell),
    ]
    again = normalize_phones(step.frame, "BR")
    assert again.frame.equals(step.frame)
    assert again.findings.is_empty()


def test_the_mobile_columns_first_number_gets_its_type() -> None:
    # a landline typed as the mobile, a cell of two numbers (the first valid one's type), an
    # invalid number and an old mobile given its 9th digit
    mobiles = ["(11) 3456-7890", "abc / 11 98765-4321 / 11 3456-7891", "123", "11 8765-4321"]
    step = normalize_phones(frame(phone=[None] * 4, mobile=mobiles, country=["BR"] * 4), "BR")
    assert step.frame["mobile_type"].to_list() == ["fixed_line", "mobile", None, "mobile"]
    assert step.frame["mobile_type"].equals(normalize_phones(step.frame, "BR").frame["mobile_type"])


def test_the_digits_of_a_number_no_region_reads_are_kept_for_matching() -> None:
    # a US number typed with the 00 prefix and one in US dots, under the default region BR: no
    # number for BR, nor anywhere (no country known); a valid one and a short one add nothing
    typed = ["0012818224304", "281.822.4304", "+55 11 98765-4321", "123"]
    step = normalize_phones(frame(phone=typed, mobile=[None, "(393) 278-5680", None, None]), "BR")
    assert step.frame["phone"].to_list() == [None, None, "+5511987654321", None]
    assert step.frame["phone_unread"].to_list() == [
        ["0012818224304"],
        ["2818224304", "3932785680"],
        [],
        [],
    ]
    assert normalize_phones(step.frame, "BR").frame.equals(step.frame)  # kept on a second run


def test_a_field_list_without_mobile_adds_no_mobile_type() -> None:
    step = normalize_phones(frame(phone=["(11) 3456-7890"]), "BR", fields=("phone",))
    assert "mobile_type" not in step.frame.columns


REGIONS = st.sampled_from(["BR", "US", "PT", "ES", "MX", "AR", "GB"])
TYPED = st.from_regex(r"\+?[0-9 ()\-.]{6,18}", fullmatch=True) | st.text(max_size=30)


@settings(max_examples=200, deadline=None)
@given(TYPED, REGIONS, REGIONS)
def test_e164_output_parses_to_itself_anywhere(text: str, where: str, elsewhere: str) -> None:
    for part in parse_cell(text, where):
        if part.value is not None:
            parsed = phonenumbers.parse(part.value)
            assert phonenumbers.is_valid_number(parsed)
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == (
                part.value
            )
            again = to_e164(part.value, elsewhere)
            assert (again.value, again.rule) == (part.value, None)


def _examples() -> list[tuple[str, str]]:
    """Example numbers of every type of a few regions, in three formats each."""
    found = []
    for where in ("BR", "US", "PT", "ES", "MX", "AR", "GB"):
        for kind in phonenumbers.PhoneNumberType.values():
            number = phonenumbers.example_number_for_type(where, kind)
            if number is not None:
                found += [(phonenumbers.format_number(number, f), where) for f in range(3)]
    return found


EXAMPLES = _examples()


@st.composite
def near_valid(draw: st.DrawFn) -> tuple[str, str]:
    """A real example number, maybe with one digit changed, dropped or added, in any region."""
    text, where = draw(st.sampled_from(EXAMPLES))
    positions = [i for i, char in enumerate(text) if char.isdigit()]
    at = draw(st.sampled_from(positions))
    digit = draw(st.sampled_from("0123456789"))
    edits = [text, text[:at] + digit + text[at + 1 :], text[:at] + text[at + 1 :]]
    edits += [text[:at] + digit + text[at:], text[-9:], text[-8:], text + " ramal 12"]
    return draw(st.sampled_from(edits)), draw(st.sampled_from([where, "BR", "US", "GB"]))


@settings(max_examples=200, deadline=None)
@given(near_valid() | st.tuples(TYPED, REGIONS))
def test_the_fast_path_gives_what_the_library_gives(case: tuple[str, str]) -> None:
    text, where = case
    fast = fast_path("p", "r")
    cells = fast.prepared(pl.DataFrame({"p": [text], "r": [where]}))
    if not cells.select(fast.when.fill_null(False)).item():
        return
    got = cells.select(**fast.then).row(0)
    assert [got] == [tuple(part) for part in parse_cell(text, where)]


# Shapes the fast path answers without parsing: North American 3-3-4 groupings (typed where
# area codes have two digits, they are invalid) and numbers after "+" or an international
# prefix whose calling code exists nowhere (unparseable), plus a "+" before a prefix.
_NANP = r"(\+?1[ .-]?)?(\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-]?)[2-9][0-9]{2}[ .-][0-9]{4}"
_NOWHERE = ["0", "28", "42", "69", "80", "83", "89", "210", "259", "384", "801", "875", "969"]
NANP_CELLS = st.from_regex(_NANP + r"( ramal [0-9]{1,3}| x[0-9])?", fullmatch=True)
NO_CODE_CELLS = st.tuples(
    st.sampled_from(["+", "+ ", "00", "0014 ", "011 ", "810", "+00", "+0014", "+011", "+810"]),
    st.sampled_from([*_NOWHERE, "1", "44", "55", "351"]),
    st.from_regex(r"[0-9 ]{1,12}", fullmatch=True),
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(NANP_CELLS | NO_CODE_CELLS, st.sampled_from(["BR", "US", "MX", "PT", "RU"])),
        min_size=1,
        max_size=40,
    )
)
def test_the_shapes_answered_without_parsing_are_answered_as_the_library_would(
    cases: list[tuple[str, str]],
) -> None:
    fast = fast_path("p", "r")
    cells = fast.prepared(pl.DataFrame(cases, schema=["p", "r"], orient="row"))
    taken = cells.filter(fast.when.fill_null(False)).select("p", "r", **fast.then)
    for text, where, *part in taken.iter_rows():
        assert [tuple(part)] == [tuple(p) for p in parse_cell(text, where)], (text, where)


EXCEL_CELLS = st.from_regex(r"[0-9][.,][0-9]{1,14}[eE]\+?[0-9]{1,2}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(EXCEL_CELLS | TYPED | st.none(), st.sampled_from(["BR", "US", "GB"])),
        min_size=1,
        max_size=30,
    )
)
def test_excel_cells_among_others_are_answered_as_the_library_would(
    cases: list[tuple[str | None, str]],
) -> None:
    # Excel shapes (recovered, damaged or with digits lost) beside other cells and nulls: the
    # shape is found once for the whole frame and read by the test and the outputs
    fast = fast_path("p", "r")
    schema = {"p": pl.String, "r": pl.String}
    cells = fast.prepared(pl.DataFrame(cases, schema=schema, orient="row"))
    taken = cells.filter(fast.when.fill_null(False)).select("p", "r", **fast.then)
    for text, where, *part in taken.iter_rows():
        assert [tuple(part)] == [tuple(p) for p in parse_cell(text, where)], (text, where)


@pytest.mark.parametrize(
    ("text", "where", "taken"),
    [
        ("(11) 98765-4321", "BR", True),
        ("+55 11 3456-7890", "BR", True),
        ("+5511987654321", "BR", True),
        ("(212) 555-0123", "US", True),
        ("0800 123 4567", "BR", True),
        ("11 3456-7890 x23", "BR", True),
        ("98765-4321", "BR", True),
        ("+1 212 555 0123", "BR", True),
        ("(11) 98765-4321", "US", True),
        ("5.511987654321E12", "BR", True),
        ("5,51199E+12", "BR", True),
        ("(416) 979-5000", "BR", True),  # foreign shape: invalid without parsing
        ("1 416 979 5000 ramal 5", "BR", True),
        ("+0 661 690 5022", "BR", True),  # no calling code: unparseable without the library
        ("+28 1234 5678", "US", True),
        ("0028 1234 5678", "BR", True),
        ("+0014 212 555 0123", "BR", False),  # read again without "+": the library's
        ("5.5 E 12", "BR", False),
        ("11 98765-4321 / 3456-7890", "BR", False),
        ("abc", "BR", False),
        (" 11 98765-4321", "BR", False),
    ],
)
def test_the_fast_path_takes_the_common_shapes(text: str, where: str, taken: bool) -> None:
    fast = fast_path("p", "r")
    cells = fast.prepared(pl.DataFrame({"p": [text], "r": [where]}))
    assert cells.select(fast.when.fill_null(False)).item() is taken


@pytest.mark.parametrize("ninth", [True, False])
def test_the_ninth_digit_setting_is_the_same_on_both_paths(ninth: bool) -> None:
    text, fixed = "(11) 8553-8853", "+5511985538853"
    fast = fast_path("p", "r", ninth=ninth)
    cells = fast.prepared(pl.DataFrame({"p": [text], "r": ["BR"]}))
    assert cells.select(fast.when).item()
    expected = parse_cell(text, "BR", ninth=ninth)
    assert [cells.select(**fast.then).row(0)] == [tuple(part) for part in expected]
    rule = "phone.ninth_digit_added" if ninth else "phone.missing_ninth_digit"
    assert (expected[0].value, expected[0].rule, expected[0].after) == (
        fixed if ninth else None,
        rule,
        fixed,
    )


def test_the_ninth_digit_can_be_turned_off_in_the_rules(tmp_path: Path) -> None:
    (tmp_path / "normalize").mkdir()
    (tmp_path / "normalize" / "phones.yaml").write_text("br_ninth_digit: false\n")
    records = frame(phone=["(11) 8553-8853"], mobile=[None], country=[None])
    step = clean_phones(records, Rules(directory=tmp_path))
    assert step.frame["phone"].to_list() == [None]
    assert step.findings["rule"].to_list() == ["phone.missing_ninth_digit"]
