"""Matching keys: folded names, generation markers, e-mail and phone lists."""

from __future__ import annotations

from unittest import mock

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from test_dedupe_support import contacts

from crmclean.dedupe import keys
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import (
    KEYS,
    RECORD,
    _alike,
    _alike_pairs,
    _holder_initials,
    _once,
    _shared_values,
    fold,
    matching_keys,
    postal_area,
)
from crmclean.rules import Rules


@pytest.fixture(scope="module")
def config(rules: Rules) -> MatchConfig:
    return load_match_config(rules)


def _keys(config: MatchConfig, *records: dict[str, object]) -> list[dict[str, object]]:
    frame = contacts(*records).with_row_index(RECORD)
    return matching_keys(frame, list(KEYS), config).to_dicts()


def test_fold_strips_accents_case_and_punctuation() -> None:
    values = pl.Series(["  José  d'Ávila-Conceição ", "ÇÃO", "--", None])
    folded = pl.select(fold(pl.lit(values))).to_series().to_list()
    assert folded == ["jose d avila conceicao", "cao", None, None]


def test_name_keys(config: MatchConfig) -> None:
    (keys,) = _keys(config, {"first_name": "Ana Lúcia", "last_name": "da Silva Filho"})
    assert keys["name"] == "ana lucia da silva"
    assert keys["first_name"] == "ana"
    assert keys["first_initial"] == "a"
    assert keys["last_name"] == "silva"
    assert keys["generation"] == "junior"


def test_an_initial_that_spells_a_particle_is_the_given_name(config: MatchConfig) -> None:
    """``E.`` and ``Y`` are initials, not the ``e`` of ``Tejeda e Aparicio``: the given name
    (never the first surname), and a word of the whole name; a particle within a first name
    and a first name of a longer particle (``Del`` of a name split badly) are left out."""
    initial, other, within, split = _keys(
        config,
        {"first_name": "E.", "last_name": "Tejeda Aparicio"},
        {"first_name": "Y", "last_name": "Tejeda e Aparicio"},
        {"first_name": "María del Carmen", "last_name": "Ruiz"},
        {"first_name": "Del", "last_name": "Martinez"},
    )
    assert (initial["given_names"], initial["surnames"]) == ("e", "tejeda aparicio")
    assert initial["name_tokens"] == "aparicio e tejeda"
    assert (other["given_names"], other["surnames"]) == ("y", "tejeda aparicio")
    assert within["given_names"] == "maria carmen"
    assert split["given_names"] == "martinez"


def test_lost_accents_give_the_same_keys(config: MatchConfig) -> None:
    accented, plain = _keys(
        config,
        {"first_name": "José", "last_name": "Conceição"},
        {"first_name": "JOSE", "last_name": "conceicao"},
    )
    for key in ("name", "first_name", "last_name", "last_name_phonetic", "first_name_phonetic"):
        assert accented[key] == plain[key]


def test_phonetic_key_groups_spelling_variants(config: MatchConfig) -> None:
    silva, sylva, souza = _keys(
        config, {"last_name": "Silva"}, {"last_name": "Sylva"}, {"last_name": "Souza"}
    )
    assert silva["last_name_phonetic"] == sylva["last_name_phonetic"] == "SLF"
    assert souza["last_name_phonetic"] != silva["last_name_phonetic"]


def test_generation_is_empty_without_marker_and_null_without_name(config: MatchConfig) -> None:
    plain, jr, nameless = _keys(
        config,
        {"first_name": "João", "last_name": "Souza"},
        {"first_name": "João", "last_name": "Souza Jr."},
        {"email": "x@y.com"},
    )
    assert (plain["generation"], jr["generation"], nameless["generation"]) == ("", "junior", None)
    assert plain["last_name"] == jr["last_name"] == "souza"


def test_a_surname_that_is_only_a_marker_is_kept(config: MatchConfig) -> None:
    (keys,) = _keys(config, {"first_name": "Ana", "last_name": "Neto"})
    assert keys["last_name"] == "neto"


def test_email_keys_skip_role_addresses(config: MatchConfig) -> None:
    (keys,) = _keys(
        config,
        {"email": "contato@empresa.com.br", "email_alt": ["ana@empresa.com.br", "info@x.com"]},
    )
    assert keys["emails"] == ["ana@empresa.com.br"]
    assert keys["email"] == "ana@empresa.com.br"


def test_email_keys_split_personal_and_work_mailboxes(config: MatchConfig) -> None:
    (keys,) = _keys(
        config, {"email": "ana@empresa.com.br", "email_alt": ["ana.s@gmx.de", "ana@gmail.com"]}
    )
    assert keys["work_emails"] == ["ana@empresa.com.br"]
    assert keys["personal_emails"] == ["ana.s@gmx.de", "ana@gmail.com"]


def test_a_work_or_team_address_names_the_company_a_record_lacks(config: MatchConfig) -> None:
    named, work, free, team = _keys(
        config,
        {"company": "NorteAlfa Logística", "email": "j@other.com"},
        {"email": "jnascimento@nortealfa100.es"},
        {"email": "jessica.n@gmail.com"},
        {"email": "vendas@nortealfa100.es"},
    )
    assert named["company"] == "nortealfa logistica"
    assert work["company"] == "nortealfa"
    assert free["company"] is None
    assert team["company"] == "nortealfa"  # a team mailbox's domain is the employer's too


def test_company_start_is_one_workplace_however_written(config: MatchConfig) -> None:
    records = _keys(
        config,
        {"company": "Pampa Logística Ltda."},
        {"company": "PampaLogistica"},
        {"email": "lpacheco@pampa1266.com.br"},
        {"company": "Ppampa"},
        {"email": "ana@gmail.com"},
    )
    assert [keys["company_start"] for keys in records] == ["pamp", "pamp", "pamp", "pamp", None]


def test_phones_key_holds_every_number_once(config: MatchConfig) -> None:
    (keys,) = _keys(
        config,
        {"phone": "+551130001000", "mobile": "+5511987654321", "phone_alt": ["+551130001000"]},
    )
    assert keys["phones"] == ["+551130001000", "+5511987654321"]


def test_a_line_that_people_of_other_names_share_is_no_ones_number(config: MatchConfig) -> None:
    switchboard, mobile = "+551130001000", "+5511987654321"
    keys = _keys(
        config,
        {"first_name": "Ana", "last_name": "Silva", "phone": switchboard, "mobile": mobile},
        {"first_name": "Bruno", "last_name": "Costa", "mobile": switchboard},
        {"first_name": "Ana", "last_name": "Silva", "mobile": mobile},
    )
    assert [record["phones"] for record in keys] == [[mobile], [], [mobile]]
    assert [record["mobile"] for record in keys] == [mobile, None, mobile]
    assert keys[1]["phone_tails"] == []


def test_a_familys_landline_is_no_ones_number(config: MatchConfig) -> None:
    # a parent and children at one address: the surname is shared, the given names are not
    # (Sofia starts like the surname: a surname initial both hold is no given name)
    landline = "+551130001000"
    keys = _keys(
        config,
        {"first_name": "Maria", "last_name": "Silva", "phone": landline},
        {"first_name": "João", "last_name": "Silva", "phone": landline},
        {"first_name": "Sofia", "last_name": "Silva", "phone": landline},
    )
    assert [record["phones"] for record in keys] == [[], [], []]
    assert [record["phone_tails"] for record in keys] == [[], [], []]


@pytest.mark.parametrize(
    ("first", "other"),
    [
        (
            {"first_name": "William", "last_name": "Smith"},
            {"first_name": "Bill", "last_name": "Smith"},
        ),
        ({"first_name": "João", "last_name": "Silva"}, {"first_name": "J.", "last_name": "Silva"}),
        (
            {"first_name": "Hans", "last_name": "Köhler"},
            {"first_name": "Htns", "last_name": "Köhler"},
        ),
        (
            {"first_name": "Thiago", "last_name": "Araújo"},
            {"first_name": "Araújo", "last_name": "Thiago"},
        ),
        (
            {"first_name": "José", "last_name": "Paiva"},
            {"first_name": "Pepe", "last_name": "Paiva"},
        ),
        # a slip on the first letter: another one, one left out, the first two swapped
        (
            {"first_name": "Gillian", "last_name": "Bonanno"},
            {"first_name": "Rillian", "last_name": "Bonanno"},
        ),
        (
            {"first_name": "Antoine", "last_name": "Sokolov"},
            {"first_name": "Ntoine", "last_name": "Sokolov"},
        ),
        (
            {"first_name": "Boris", "last_name": "Middleton"},
            {"first_name": "Obris", "last_name": "Middleton"},
        ),
        # a compound given name kept in part, each record its own part
        (
            {"first_name": "Maria", "last_name": "Souza"},
            {"first_name": "Aparecida", "last_name": "Souza"},
        ),
    ],
)
def test_one_persons_number_under_another_form_of_the_given_name_stays_theirs(
    config: MatchConfig, first: dict[str, object], other: dict[str, object]
) -> None:
    number = "+551130001000"
    compound = {"first_name": "Maria Aparecida", "last_name": "Lima"}  # another person
    keys = _keys(config, {**first, "phone": number}, {**other, "phone": number}, compound)
    assert [record["phones"] for record in keys] == [[number], [number], []]


def test_a_persons_two_records_and_a_child_keep_the_number(config: MatchConfig) -> None:
    # more than half the holders may be one person: the number is theirs
    landline = "+551130001000"
    keys = _keys(
        config,
        {"first_name": "Maria", "last_name": "Silva", "phone": landline},
        {"first_name": "Mria", "last_name": "Silva", "phone": landline},
        {"first_name": "João", "last_name": "Silva", "phone": landline},
    )
    assert [record["phones"] for record in keys] == [[landline]] * 3


def test_a_number_normalize_could_not_read_is_matched_on_its_digits(config: MatchConfig) -> None:
    # one US number typed with the 00 prefix, in US dots, and read (+1) elsewhere
    frame = contacts(
        {"first_name": "Ana"}, {"first_name": "Ana"}, {"first_name": "Ana", "phone": "+12818224304"}
    ).with_columns(phone_unread=pl.Series([["0012818224304"], ["2818224304"], []]))
    keys = matching_keys(frame.with_row_index(RECORD), ["phones", "phone_tails", "mobile"], config)
    assert keys["phone_tails"].to_list() == [["18224304"]] * 3
    assert keys["phones"][0].to_list() == ["0012818224304"]
    assert keys["mobile"].to_list() == [None] * 3  # an unread number is never the mobile


def test_a_phone_its_numbering_plan_calls_a_mobile_is_the_mobile(config: MatchConfig) -> None:
    frame = contacts(
        {"phone": "+5511987654321"},
        {"phone": "+551130001000"},
        {"phone": "+5511987654321", "mobile": "+5511912345678"},
    ).with_columns(phone_type=pl.Series(["mobile", "fixed_line", "mobile"]))
    keys = matching_keys(frame.with_row_index(RECORD), ["mobile"], config).to_dicts()
    assert [record["mobile"] for record in keys] == ["+5511987654321", None, "+5511912345678"]


def test_a_landline_in_the_mobile_column_is_no_mobile(config: MatchConfig) -> None:
    frame = contacts(
        {"mobile": "+551151457431"},  # a São Paulo landline
        {"phone": "+5511987654321", "mobile": "+551151457431"},
        {"mobile": "+12015083418"},  # a US number may be either: kept
    ).with_columns(phone_type=pl.Series([None, "mobile", None]))
    keys = matching_keys(frame.with_row_index(RECORD), ["mobile", "phones"], config).to_dicts()
    assert [record["mobile"] for record in keys] == [None, "+5511987654321", "+12015083418"]
    assert keys[0]["phones"] == ["+551151457431"]  # still one of its numbers


def test_the_mobile_type_normalize_gave_is_read_and_only_untyped_mobiles_are_typed(
    config: MatchConfig,
) -> None:
    landline, mobile = "+551151457431", "+5511987654321"
    frame = contacts(
        {"mobile": mobile},  # typed fixed_line by normalize: its word is taken, not re-parsed
        {"mobile": landline},  # not typed (a golden record of the target): typed here
        {"mobile": mobile},
    ).with_columns(mobile_type=pl.Series(["fixed_line", None, "mobile"]))
    keys = matching_keys(frame.with_row_index(RECORD), ["mobile"], config).to_dicts()
    assert [record["mobile"] for record in keys] == [None, None, mobile]


def test_the_work_domain_is_the_company_domain_of_the_work_address(config: MatchConfig) -> None:
    work, free = _keys(
        config,
        {"email": "ana@gmail.com", "email_alt": ["ana@empresa.com.br", "a.s@outra.es"]},
        {"email": "ana@gmail.com"},
    )
    assert work["work_domain"] == "empresa.com.br"
    assert free["work_domain"] is None


def test_company_and_postal_code_keys(config: MatchConfig) -> None:
    (keys,) = _keys(config, {"company": "Açúcar & Cia. 3M", "postal_code": "01310-100"})
    assert keys["company"] == "acucar cia 3m"
    assert keys["postal_code"] == "01310100"


def test_nicknames_become_the_full_first_name(config: MatchConfig) -> None:
    ze, jose = _keys(config, {"first_name": "Zé", "last_name": "Souza"}, {"first_name": "José"})
    assert ze["first_name"] == jose["first_name"] == "jose"
    assert ze["first_initial"] == "j"


def test_without_a_last_name_a_longer_whole_name_gives_one(config: MatchConfig) -> None:
    in_first, in_full, single = _keys(
        config,
        {"first_name": "Francisco Carvalho Martins"},
        {"full_name": "Beatriz Fernandes Jr"},
        {"first_name": "Ana"},
    )
    assert (in_first["last_name"], in_full["last_name"], single["last_name"]) == (
        "martins",
        "fernandes",
        None,
    )


def test_an_unmapped_source_column_is_a_key(config: MatchConfig) -> None:
    frame = contacts({"first_name": "Ana"}, {"first_name": "Bia"}, {"first_name": "Caio"})
    frame = frame.with_columns(
        extra=pl.Series(['{"Nº Sócio": " AB-12 "}', '{"Nº Sócio": "ab-12"}', '{"other": "1"}'])
    ).with_row_index(RECORD)
    keys = matching_keys(frame, ["extra.Nº Sócio"], config)
    assert keys["extra.Nº Sócio"].to_list() == ["ab-12", "ab-12", None]


@pytest.mark.parametrize(
    ("postal_code", "area"),
    [
        ("TQ13 8DF", "tq13"),  # a UK outward code
        ("sw1a 1aa", "sw1a"),
        ("M5V 2T6", "m5v"),  # a Canadian forward sortation area
        ("01310-100", "01310"),  # a CEP's first five digits
        ("02134", "02"),
        ("123", None),  # too short to have an area
        (None, None),
    ],
)
def test_postal_area_is_the_district_of_the_code(
    config: MatchConfig, postal_code: str | None, area: str | None
) -> None:
    (keys,) = _keys(config, {"first_name": "Ann", "postal_code": postal_code})
    assert keys["postal_area"] == area


def test_person_keys_birth_year_place_occupation_gender(config: MatchConfig) -> None:
    (keys,) = _keys(
        config,
        {
            "first_name": "Thomas",
            "birth_date": "1630-08-01",
            "birth_place": " Newcastle-upon-Tyne ",
            "job_title": "Member of Parliament",
            "gender": "male",
        },
    )
    assert keys["birth_year"] == "1630"
    assert keys["birth_place"] == "newcastle upon tyne"
    assert keys["job_title"] == "member of parliament"
    assert keys["gender"] == "male"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=20))
def test_postal_area_is_null_or_a_shorter_start_of_the_compact_code(codes: list) -> None:
    """On any text: never raises, and the area is the start of the code folded to lowercase
    letters and digits, shorter than it (the district, never the whole code)."""
    frame = pl.DataFrame({"postal_code": codes}, schema={"postal_code": pl.String})
    compact = fold(pl.col("postal_code"), keep="a-z0-9").str.replace_all(" ", "")
    got = frame.select(compact.alias("code"), postal_area().alias("area"))
    for code, area in got.iter_rows():
        assert area is None or (code.startswith(area) and 0 < len(area) < len(code))


def test_a_postcode_normalize_could_not_read_gives_no_postal_area(config: MatchConfig) -> None:
    # a US ZIP under the default BR: emptied by normalize, kept as typed in postal_unread
    frame = contacts({"first_name": "Ana"}, {"first_name": "Ana", "postal_code": "01310-100"})
    frame = frame.with_columns(postal_unread=pl.Series(["10001", None]))
    keys = matching_keys(frame.with_row_index(RECORD), ["postal_unread", "postal_area"], config)
    assert keys["postal_unread"].to_list() == ["10001", None]
    assert keys["postal_area"].to_list() == [None, "01310"]


def test_every_value_lists_each_value_once_in_column_order() -> None:
    from crmclean.dedupe.keys import _every_value

    rows = pl.DataFrame(
        {
            "a": ["1", None, "3", None, "5"],
            "b": ["2", "2", "3", None, None],
            "x": [["9", "1"], None, [], [None], ["5", "6", "5"]],
            "y": [["8"], ["2", "7"], None, None, ["4"]],
        }
    )
    every = pl.concat_list("a", "b", pl.col("x").fill_null([]), pl.col("y").fill_null([]))
    expected = rows.select(every.list.eval(pl.element().drop_nulls().unique(maintain_order=True)))
    flat = _every_value(rows, (pl.col("a"), pl.col("b")), ("x", "y"))
    listed = flat.group_by("_key_row", maintain_order=True).agg("_key_value")
    lists = dict(zip(listed["_key_row"], listed["_key_value"].to_list(), strict=True))
    assert [lists.get(row, []) for row in range(rows.height)] == expected.to_series().to_list()
    assert lists == {0: ["1", "2", "9", "8"], 1: ["2", "7"], 2: ["3"], 4: ["5", "6", "4"]}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c"]), max_size=4), max_size=8))
def test_each_rows_values_once_keeps_the_first_in_order(rows: list[list[str]]) -> None:
    """Searching only the rows holding several values for repeats gives what making every
    row unique gives."""
    flat = pl.DataFrame(
        [(row, value) for row, values in enumerate(rows) for value in values],
        schema={"_key_row": pl.UInt32, "_key_value": pl.String},
        orient="row",
    )
    expected = flat.unique(["_key_row", "_key_value"], maintain_order=True)
    assert _once(flat).equals(expected)


_NAME_PARTS = st.sampled_from(["ana", "anne", "bob", "robert", "maria", "lia", "ria", "é", "", "-"])
_A_NAME = st.none() | st.lists(_NAME_PARTS, max_size=3).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_A_NAME, _A_NAME, _A_NAME, st.integers(0, 2)), max_size=12))
def test_alike_pairs_equal_every_pair_compared(
    config: MatchConfig, held: list[tuple[str | None, str | None, str | None, int]]
) -> None:
    """Holders sharing a first word are alike without comparing their initials: the same
    ``_alike`` as comparing every pair's."""
    names = pl.DataFrame(
        [held_row[:3] for held_row in held],
        schema={"full_name": pl.String, "first_name": pl.String, "last_name": pl.String},
        orient="row",
    )
    kept = pl.concat(
        [
            pl.DataFrame(
                {"_distinct": range(len(held)), "_value": [row[3] for row in held]},
                schema={"_distinct": pl.UInt32, "_value": pl.Int64},
            ),
            _holder_initials(names, config),
        ],
        how="horizontal",
    )
    pairs = kept.join(kept, on="_value", suffix="_other")
    order = ["_value", "_distinct", "_distinct_other"]
    assert_frame_equal(
        _alike_pairs(pairs).sort(order), pairs.with_columns(_alike().alias("_alike")).sort(order)
    )


def _initials_folded_each_time(name: pl.Expr, config: MatchConfig) -> pl.Expr:
    """The initials as they were read before each name was folded once: folded per initial."""
    words = fold(name).str.split(" ")
    written = words.list.eval(pl.element().str.slice(0, 1))
    replaced = words.list.eval(pl.element().replace(config.nicknames).str.slice(0, 1))
    return written.list.concat(replaced).list.unique()


_SPELLED = st.sampled_from(["Zé", "bill", "ANA", "Ria", "-", "", " ", "é b", "Maria  Lia", "x.y"])
_SPELLED_NAME = st.none() | st.lists(_SPELLED, max_size=3).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_SPELLED_NAME, _SPELLED_NAME, _SPELLED_NAME), max_size=10))
def test_holder_initials_equal_folded_each_time(
    config: MatchConfig, held: list[tuple[str | None, str | None, str | None]]
) -> None:
    """Each name folded once gives every holder the initials folding per initial gave: a
    full name folded to nothing still reads none, not the first name's."""
    names = pl.DataFrame(
        held,
        schema={"full_name": pl.String, "first_name": pl.String, "last_name": pl.String},
        orient="row",
    )
    expected = names.select(
        _initials_folded_each_time(pl.coalesce("full_name", "first_name"), config).alias(
            "_initial"
        ),
        _initials_folded_each_time(pl.col("first_name"), config).alias("_given"),
        _initials_folded_each_time(pl.col("last_name"), config).alias("_surname"),
        fold(pl.col("first_name")).str.split(" ").alias("_words"),
    ).with_columns(pl.col("_words").list.first().alias("_first"))
    letters = [pl.col(c).list.sort() for c in ("_initial", "_given", "_surname")]
    made = _holder_initials(names, config)
    assert_frame_equal(made.with_columns(letters), expected.with_columns(letters))


def test_holder_initials_read_nicknames_and_a_folded_away_full_name(config: MatchConfig) -> None:
    """``Zé`` gives ``z`` and ``j`` (José); a full name of punctuation only gives no initial."""
    names = pl.DataFrame(
        {"full_name": ["Zé Lima", "--"], "first_name": ["Zé", "Ana"], "last_name": ["Lima", None]}
    )
    made = _holder_initials(names, config).select(pl.col("_initial", "_given").list.sort())
    assert made["_initial"].to_list() == [["j", "l", "z"], None]
    assert made["_given"].to_list() == [["j", "z"], ["a"]]


_HOLDER = st.tuples(
    st.sampled_from([None, "Ana Lima", "Ria Lima", "Bob Day", "--"]),
    st.sampled_from([None, "Ana", "Ria", "Bob", "Lia"]),
    st.sampled_from([None, "Lima", "Day"]),
    st.lists(st.integers(0, 3), max_size=3, unique=True),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_HOLDER, max_size=12))
def test_shared_values_skip_values_of_one_name_alike(
    config: MatchConfig, held: list[tuple[str | None, str | None, str | None, list[int]]]
) -> None:
    """Leaving out the values whose holders are all of one name (their initials unread)
    finds the shared values reading every holder's finds."""
    rows = pl.DataFrame(
        [holder[:3] for holder in held],
        schema={"full_name": pl.String, "first_name": pl.String, "last_name": pl.String},
        orient="row",
    )
    flat = pl.DataFrame(
        [(row, value) for row, holder in enumerate(held) for value in holder[3]],
        schema={"_key_row": pl.UInt32, "_key_number": pl.UInt32},
        orient="row",
    )
    with mock.patch.object(keys, "_named_apart", lambda several, rows: several):
        every = _shared_values(flat, rows, config).sort().to_list()
    assert _shared_values(flat, rows, config).sort().to_list() == every
