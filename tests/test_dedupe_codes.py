"""Coded keys: text and list keys as integer codes into tables of distinct values."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.dedupe.coded_keys import (
    encode,
    encode_firsts,
    encode_flat,
    encode_list,
    encode_numbered_flat,
    encode_text,
    factorize,
    group_of,
    index_of,
    ranks,
)


def test_text_and_list_keys_round_trip() -> None:
    keys = pl.DataFrame(
        {
            "city": ["recife", None, "recife", "natal"],
            "emails": [["a@x.com", "b@y.com"], [], None, ["b@y.com"]],
        }
    )
    table = encode(keys)
    assert table.codes["city"].to_list() == [0, None, 0, 1]
    assert table.values["city"].to_list() == ["recife", "natal"]
    assert table.is_list("emails") and not table.is_list("city")
    decoded = table.decoded()
    assert decoded["city"].to_list() == keys["city"].to_list()
    assert decoded["emails"].to_list() == [["a@x.com", "b@y.com"], [], [], ["b@y.com"]]


def test_list_codes_carry_the_domain() -> None:
    table = encode(pl.DataFrame({"emails": [["ana@acme.com", "bia@acme.com", "ana@other.com"]]}))
    codes = table.codes.select(
        pl.col("emails").list.eval(group_of(pl.element())).alias("group"),
        pl.col("emails").list.eval(index_of(pl.element())).alias("index"),
    ).row(0, named=True)
    assert codes["index"] == [0, 1, 2]
    assert codes["group"][0] == codes["group"][1] != codes["group"][2]


def test_an_all_null_column_of_unknown_type_is_a_key_without_values() -> None:
    table = encode(pl.DataFrame({"tax_id": [None, None]}))
    assert table.codes["tax_id"].null_count() == 2
    assert table.values["tax_id"].is_empty()


def test_record_shares_follow_the_shares_given() -> None:
    table = encode(pl.DataFrame({"city": ["recife", None, "recife", "natal"]}))
    shares = pl.Series([0.5, 0.25])
    assert table.record_shares("city", shares).to_list() == [0.5, None, 0.5, 0.25]
    assert table.record_shares("city", shares) is table.record_shares("city", shares)
    other = pl.Series([0.1, 0.9])
    assert table.record_shares("city", other).to_list() == [0.1, None, 0.1, 0.9]


def test_single_pairs_are_made_once_per_chunk_of_pairs() -> None:
    table = encode(pl.DataFrame({"emails": [["a@x.com"], ["a@x.com", "b@y.com"], [], ["b@y.com"]]}))
    chunk = pl.DataFrame(
        {"left": [0, 0, 2], "right": [1, 3, 3]}, schema={"left": pl.UInt32, "right": pl.UInt32}
    )
    made = table.single_pairs("emails", chunk, "left", "right")
    expected = table.single("emails").pairs(chunk["left"], chunk["right"])
    assert all(a.equals(b) for a, b in zip(made, expected, strict=True))
    assert made[2].to_list() == [0]  # record 1 holds two addresses
    assert table.single_pairs("emails", chunk, "left", "right") is made  # the comparison's and tf's
    other = chunk.slice(1)  # the next chunk: made anew
    assert (
        table.single_pairs("emails", other, "left", "right")[0].to_list()
        == expected[0].to_list()[1:]
    )


def test_values_and_rows_are_numbered_in_order_of_first_appearance() -> None:
    distinct, index = factorize(
        pl.DataFrame(
            {"first": ["ana", None, "ana", "bia", None], "last": ["s", "s", "s", "s", None]}
        )
    )
    assert distinct.rows() == [("ana", "s"), (None, "s"), ("bia", "s"), (None, None)]
    assert index.to_list() == [0, 1, 0, 2, 3] and index.dtype == pl.UInt32
    seen, rank = ranks(pl.Series("unit", [7, None, 3, 7, None, 3, 9], dtype=pl.UInt64))
    assert seen.to_list() == [7, None, 3, 9] and rank.to_list() == [0, 1, 2, 0, 1, 2, 3]
    table = encode(pl.DataFrame({"city": [None, None, "natal", None, "recife", "natal"]}))
    assert table.codes["city"].to_list() == [None, None, 0, None, 1, 0]
    empty, none = factorize(pl.DataFrame({"city": []}, schema={"city": pl.String}))
    assert empty.is_empty() and none.is_empty()
    unfilled = pl.DataFrame(
        {"a": [None] * 3, "b": [None] * 3}, schema={"a": pl.String, "b": pl.Int8}
    )
    one, zeros = factorize(unfilled)
    assert one.rows() == [(None, None)] and one.schema == unfilled.schema
    assert zeros.to_list() == [0, 0, 0] and zeros.dtype == pl.UInt32 and zeros.name == index.name


def test_lists_laid_out_flat_code_as_the_lists_do() -> None:
    lists = pl.Series("k", [["b@y", "a@x"], [], None, ["a@x", "c@y"], ["d"]])
    flat = lists.to_frame().with_row_index("row").explode("k", keep_nulls=False).drop_nulls()
    rows, values = flat["row"], flat["k"]
    codes, distinct = encode_flat(rows, values, lists.len())
    expected_codes, expected_values = encode_list(lists)
    assert codes.to_list() == expected_codes.to_list()
    assert distinct.to_list() == expected_values.to_list() == ["b@y", "a@x", "c@y", "d"]
    first, values_first = encode_firsts(rows, values, lists.len())
    text, text_values = encode_text(lists.list.first())
    assert first.to_list() == text.to_list() == [0, None, None, 1, 2]
    assert values_first.to_list() == text_values.to_list()


_ADDRESSES = st.sampled_from(["a@x", "b@x", "c@y", "d", "e", "a@y"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_ADDRESSES, max_size=3, unique=True), max_size=12),
    st.sets(_ADDRESSES),
)
def test_numbered_values_code_as_their_text(lists: list[list[str]], left_out: set[str]) -> None:
    """Values numbered once, some left out, code as the text left (:func:`encode_flat`)."""
    flat = (
        pl.Series("k", lists, dtype=pl.List(pl.String))
        .to_frame()
        .with_row_index("row")
        .explode("k", keep_nulls=False)
        .drop_nulls()
    )
    numbers, values = encode_text(flat["k"])
    kept = ~flat["k"].is_in(list(left_out))
    rows = flat["row"].filter(kept)
    codes, distinct = encode_numbered_flat(rows, numbers.filter(kept), values, len(lists))
    expected_codes, expected_values = encode_flat(rows, flat["k"].filter(kept), len(lists))
    assert codes.equals(expected_codes) and distinct.equals(expected_values)


def test_values_of_a_chunked_column_come_in_one_chunk() -> None:
    column = pl.concat([pl.Series("city", ["recife", None]), pl.Series("city", ["natal"])])
    codes, values = encode_text(column)
    assert column.n_chunks() == 2 and values.n_chunks() == 1
    assert codes.to_list() == [0, None, 1] and values.to_list() == ["recife", "natal"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["ana", "bia", None, "c@y"]), max_size=5), max_size=6))
def test_a_chunked_column_codes_as_its_one_chunk(parts: list[list[str | None]]) -> None:
    """A column in several chunks codes as the same column in one, its values in one chunk."""
    column = pl.concat([pl.Series("k", part, dtype=pl.String) for part in parts or [[]]])
    codes, values = encode_text(column)
    expected_codes, expected_values = encode_text(column.rechunk())
    assert codes.equals(expected_codes) and values.equals(expected_values)
    assert values.n_chunks() == 1
