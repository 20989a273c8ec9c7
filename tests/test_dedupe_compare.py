"""Comparison methods over coded keys: both records' codes gathered per pair, distinct pairs of
different values scored once."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe import compare as compare_module
from crmclean.dedupe.coded_keys import KeyTable, encode
from crmclean.dedupe.compare import _KEPT, LEFT, METHODS, RIGHT, compare


def _similarity(method: str, left: list[object], right: list[object]) -> list[float | None]:
    """Records 0..n-1 hold ``left``, n..2n-1 ``right``; pair i compares record i with n + i."""
    table = encode(pl.DataFrame({"k": left + right}))
    count = len(left)
    pairs = pl.DataFrame(
        {LEFT: range(count), RIGHT: range(count, 2 * count)},
        schema={LEFT: pl.UInt32, RIGHT: pl.UInt32},
    )
    values = compare(pairs, table, "k", method).to_list()
    return [None if value is None else round(value, 3) for value in values]


def test_exact_is_null_when_a_side_is_missing() -> None:
    assert _similarity("exact", ["a", "a", None], ["a", "b", "a"]) == [1.0, 0.0, None]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("jaro_winkler", [1.0, 0.971, 0.6, None]),
        ("levenshtein", [1.0, 0.714, 0.4, None]),
        ("token_set", [1.0, 0.857, 0.4, None]),
    ],
)
def test_string_similarities(method: str, expected: list[float | None]) -> None:
    left = ["silva", "pereira", "costa", None]
    right = ["silva", "pereria", "souza", "lima"]
    assert _similarity(method, left, right) == expected


def test_token_set_ignores_word_order() -> None:
    assert _similarity("token_set", ["ana maria silva"], ["silva ana maria"]) == [1.0]


def test_repeated_value_pairs_keep_their_row() -> None:
    left = ["ana", "bia", "ana", None, "ana"]
    right = ["ana", "bia", "ane", "ana", "ana"]
    assert _similarity("jaro_winkler", left, right) == [1.0, 1.0, 0.822, None, 1.0]


def test_any_shared_compares_lists() -> None:
    left = [["a@x.com", "b@x.com"], ["a@x.com"], [], None]
    right = [["c@x.com", "b@x.com"], ["c@x.com"], ["a@x.com"], ["a@x.com"]]
    assert _similarity("any_shared", left, right) == [1.0, 0.0, None, None]


_LISTS = [[], ["a@x.com"], ["b@x.com"], ["a@y.com"], ["a@x.com", "c@y.com"], ["c@y.com", "b@x.com"]]


def _every_pair() -> tuple[KeyTable, pl.DataFrame]:
    """The records of :data:`_LISTS` (none, one or several addresses), every pair of them."""
    table = encode(pl.DataFrame({"k": _LISTS}))
    count = len(_LISTS)
    pairs = pl.DataFrame(
        [(i, j) for i in range(count) for j in range(count) if i != j],
        schema={LEFT: pl.UInt32, RIGHT: pl.UInt32},
        orient="row",
    )
    return table, pairs


@pytest.mark.parametrize("method", ["any_shared", "same_domain"])
def test_list_methods_on_one_value_agree_with_the_lists(method: str) -> None:
    table, pairs = _every_pair()
    lists = table.codes["k"]
    sides = pl.DataFrame({LEFT: lists.gather(pairs[LEFT]), RIGHT: lists.gather(pairs[RIGHT])})
    expected = METHODS[method].similarity(sides, LEFT, RIGHT).cast(pl.Float64).to_list()
    assert compare(pairs, table, "k", method).to_list() == expected


def test_methods_score_text_columns_directly() -> None:
    pairs = pl.DataFrame({"a": ["silva", None, "ana"], "b": ["sylva", "x", "ana"]})
    values = METHODS["jaro_winkler"].similarity(pairs, "a", "b").round(3).to_list()
    assert values == [0.88, None, 1.0]


def test_given_name_sets_masculine_and_feminine_apart() -> None:
    left = ["fernando", "daniel", "mario", "luis", "ana"]
    right = ["fernanda", "daniela", "maria", "luiz", "ana"]
    assert _similarity("given_name", left, right) == [0.0, 0.0, 0.0, 0.883, 1.0]


def test_same_domain_tells_one_address_from_two_colleagues() -> None:
    left = [["ana@acme.com"], ["ana@acme.com"], ["ana@acme.com"], []]
    right = [["ana@acme.com", "x@y.com"], ["bia@acme.com"], ["ana@other.com"], ["a@b.com"]]
    assert _similarity("same_domain", left, right) == [1.0, 0.0, None, None]


def test_best_token_finds_the_shared_part_of_compound_names() -> None:
    left = ["ribeiro almeida", "maria eduarda", "fernando", "silva"]
    right = ["almeida", "eduarda", "fernanda jose", "costa"]
    assert _similarity("best_token", left, right)[:2] == [1.0, 1.0]
    assert _similarity("best_given_name", left, right)[2] < 0.8  # fernanda is his sister
    assert _similarity("best_token", left, right)[3] < 0.6


def test_word_subset_needs_every_word_of_one_name_in_the_other() -> None:
    left = ["ribeiro almeida", "chavez cruz", "fonseca brito", "maria eduarda", "fernando"]
    right = ["almeida", "cruz cervantes", "brito fonseca", "maria fernanda", "fernanda jose"]
    same = _similarity("word_subset", left, right)
    assert same[0] == 1.0 and same[2] == 1.0  # a part kept, the parts in another order
    assert same[1] < 0.8  # Chávez Cruz is not Cruz Cervantes, though both hold Cruz
    given = _similarity("given_word_subset", left, right)
    assert given[3] < 0.8 and given[4] < 0.8  # Eduarda is not Fernanda; Fernanda his sister


def test_swapped_names_are_found_through_typos() -> None:
    left = ["ricrado|ortiz", "ana|costa", "ana|costa"]
    right = ["ortiz|ricardo", "costa|ana", "ana|costa"]
    assert _similarity("swapped", left, right)[:2] == [0.967, 1.0]
    assert _similarity("swapped", left, right)[2] == 1.0  # the same value is 1 for every method


def test_date_levels_of_a_birth_date() -> None:
    left = ["19800514", "19800514", "19800514", "19800514", "19800514", "19800514"]
    right = ["19800514", "19800541", "19800515", "19801405", "19801231", "19790514"]
    assert _similarity("date", left, right) == [1.0, 0.9, 0.9, 0.8, 0.5, 0.7]


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("17990503", "18000503", 0.7),  # the year off, day and month right (three digits)
        ("18061117", "18061129", 0.7),  # another day of the same month and year
        ("18061017", "18061117", 0.9),  # one digit of the month off
        ("18061117", "18061711", 0.8),  # day and month swapped
        ("18060101", "18061129", 0.5),  # only the year known on one side (1 January)
        ("18060101", "18070202", 0.0),  # nothing in common
        ("1806", "18061129", 0.5),  # a year alone still agrees on the year
        (None, "18061129", None),  # a missing date says nothing
    ],
)
def test_date_levels_one_component_off(left: str | None, right: str, level: float | None) -> None:
    assert _similarity("date", [left], [right]) == [level]


@pytest.mark.parametrize("method", ["word_subset", "given_word_subset"])
def test_an_initial_agrees_a_little_with_the_name_it_starts(method: str) -> None:
    left = ["j", "h", "john", "j smith", "j"]
    right = ["john", "humphrey", "j", "john smith", "mary"]
    got = _similarity(method, left, right)
    assert got[:4] == [0.8, 0.8, 0.8, 0.8]
    assert got[4] < 0.8  # another initial still disagrees


def test_company_names_run_together_or_as_acronyms_agree() -> None:
    left = ["andes delta consultores", "norte andes", "norteandes", "acme"]
    right = ["adc", "norteandes", "norte andes servizi", "beta"]
    assert _similarity("company", left, right)[:3] == [0.95, 1.0, 0.95]
    assert _similarity("company", left, right)[3] < 0.5


def test_company_names_each_with_a_word_of_its_own_disagree_but_for_a_typo() -> None:
    left = ["orion nova systems", "nexus consultores", "vertex", "vertex"]
    right = ["horizonte nova systems", "nexus consultore", "vertex granito systems", "vertex"]
    two, typo, leading, same = _similarity("company", left, right)
    assert two is not None and two < 0.9
    assert typo is not None and typo >= 0.9
    assert leading == same == 1.0


def test_a_name_found_inside_another_not_at_its_start_agrees_only_loosely() -> None:
    left = ["vertex systems", "nova", "norte andes", "andes norte"]
    right = ["vertex granito systems", "granito nova logistica", "andes norte servizi", "andes"]
    assert _similarity("company", left, right) == [0.8, 0.8, 0.8, 1.0]


def test_work_address_tells_a_typo_from_a_colleague() -> None:
    left = ["ana@alfa.com", "hannah88@powers.com", "pedro.ptavares@alfa.com", "ana@alfa.com"]
    right = ["ana@alfa.com", "hannah8@powers.com", "ptavares@alfa.com", "ana@beta.com"]
    same, typo, colleague, elsewhere = _similarity("work_address", left, right)
    assert same == 1.0
    assert typo is not None and 0.75 <= typo < 1.0
    assert colleague is not None and colleague < 0.75
    assert elsewhere is None


def test_a_looser_short_form_of_a_company_name_scores_below_its_acronym() -> None:
    left = ["vertex alfa", "atlanticadelta tecnologia", "orion"]
    right = ["vas", "adt", "beta"]
    got = _similarity("company", left, right)
    assert got[:2] == [0.8, 0.8]
    assert got[2] < 0.5


_DATES = st.text(alphabet="0123456789", min_size=8, max_size=8) | st.sampled_from(
    ["1985", "198503", "1985031x", "19850312", "19851203", "19580312", "2001031é"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_DATES, _DATES), min_size=1, max_size=40))
def test_date_on_digits_is_date_on_text(dates: list[tuple[str, str]]) -> None:
    """Full dates compared on their digits give what the text method gives, every level."""
    values = pl.Series(sorted({value for pair in dates for value in pair}))
    index = {value: code for code, value in enumerate(values)}
    left = pl.Series([index[a] for a, _ in dates], dtype=pl.UInt32)
    right = pl.Series([index[b] for _, b in dates], dtype=pl.UInt32)
    differ = left != right
    left, right = left.filter(differ), right.filter(differ)
    texts = pl.DataFrame({"a": values.gather(left), "b": values.gather(right)})
    on_digits = METHODS["date"].on_values
    assert on_digits is not None
    assert (
        on_digits(left, right, values).to_list()
        == METHODS["date"].similarity(texts, "a", "b").to_list()
    )


def test_token_set_keeps_one_cache_per_key_across_chunks() -> None:
    """Two keys compared by ``token_set`` in turn, chunk after chunk, score as a fresh table
    does, and each key keeps the value pairs of every chunk (not reset by the other key)."""
    keys = pl.DataFrame(
        {
            "a": ["ann lee", "lee ann", "bo ray", "ray bo jo"],
            "b": ["main st", "high st", "main street", "st high"],
        }
    )
    table = encode(keys)
    schema = {LEFT: pl.UInt32, RIGHT: pl.UInt32}
    chunks = [
        pl.DataFrame({LEFT: [0, 2], RIGHT: [1, 3]}, schema=schema),
        pl.DataFrame({LEFT: [0, 1], RIGHT: [1, 3]}, schema=schema),
    ]
    fresh = [[compare(c, encode(keys), key, "token_set").to_list() for key in "ab"] for c in chunks]
    kept = [[compare(c, table, key, "token_set").to_list() for key in "ab"] for c in chunks]
    assert kept == fresh
    for key in "ab":
        kept_pairs = _KEPT[METHODS["token_set"], key][1]
        assert kept_pairs.keeping and kept_pairs.pairs.size == 3


@pytest.mark.parametrize("method", ["jaro_winkler", "levenshtein", "token_set", "token_sort"])
def test_a_key_of_few_values_scores_as_a_key_of_many(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Texts gathered from the strings a key of few values keeps for the run score as texts
    converted per chunk do."""
    left = ["rio de janeiro", "sao paulo", "belo horizonte", "rio", None, "niteroi"]
    right = ["rio janeiro", "são paulo", "horizonte belo", "rio", "rio", "niterói"]
    few = _similarity(method, left, right)
    monkeypatch.setattr(compare_module, "FEW_VALUES", 0)
    assert _similarity(method, left, right) == few


def test_text_codes_kept_for_a_run_follow_their_table() -> None:
    """A key's codes, kept for the chunks of a run, are those of the table compared: two
    tables compared in turn under one key name score as each does alone, and forget_kept
    drops the codes."""
    schema = {LEFT: pl.UInt32, RIGHT: pl.UInt32}
    pairs = pl.DataFrame({LEFT: [0, 0, 1], RIGHT: [1, 2, 2]}, schema=schema)
    one = encode(pl.DataFrame({"k": ["silva", "silva", None]}))
    other = encode(pl.DataFrame({"k": ["costa", "souza", "costa"]}))
    alone = [compare(pairs, encode(table.decoded()), "k", "levenshtein") for table in (one, other)]
    compare_module.forget_kept()
    in_turn = [compare(pairs, table, "k", "levenshtein") for table in (one, other, one)]
    assert [s.to_list() for s in in_turn] == [s.to_list() for s in [*alone, alone[0]]]
    assert in_turn[0].to_list() == [1.0, None, None]
    compare_module.forget_kept()
    assert not compare_module._CODES
