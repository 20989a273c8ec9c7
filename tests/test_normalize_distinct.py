from __future__ import annotations

from collections import Counter

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.normalize.distinct import (
    INDEX,
    MANY,
    FastPath,
    cell_parts,
    lazily,
    map_distinct,
    select_distinct,
    units,
)


def test_map_distinct_calls_once_per_value_and_keeps_row_order() -> None:
    calls: Counter[str] = Counter()

    def shout(value: str) -> tuple[str, int]:
        calls[value] += 1
        return value.upper(), len(value)

    frame = pl.DataFrame({"v": ["b", "a", None, "b", "a", "c"]})
    schema = {"up": pl.String(), "n": pl.Int64()}
    result = map_distinct(frame, ["v"], shout, schema)
    assert result.to_dict(as_series=False) == {
        "up": ["B", "A", None, "B", "A", "C"],
        "n": [1, 1, None, 1, 1, 1],
    }
    assert calls == Counter({"a": 1, "b": 1, "c": 1})


def test_map_distinct_with_two_keys_and_output_named_like_a_key() -> None:
    frame = pl.DataFrame({"v": ["x", "x", "y"], "r": ["1", "2", "1"]})
    result = map_distinct(frame, ["v", "r"], lambda v, r: (v + r,), {"v": pl.String()})
    assert result["v"].to_list() == ["x1", "x2", "y1"]


def test_fast_path_values_skip_python() -> None:
    seen: list[str] = []

    def slow(value: str) -> tuple[str]:
        seen.append(value)
        return (f"slow:{value}",)

    fast = FastPath(when=pl.col("v").str.starts_with("q"), then={"out": pl.lit("fast")})
    frame = pl.DataFrame({"v": ["quick", "lazy", "quick", None]})
    result = map_distinct(frame, ["v"], slow, {"out": pl.String()}, fast)
    assert result["out"].to_list() == ["fast", "slow:lazy", "fast", None]
    assert seen == ["lazy"]


def test_cell_parts_keeps_result_order_and_drops_empty_results() -> None:
    frame = pl.DataFrame({"v": ["a;b", "", "c", "a;b", None]})

    def parts(value: str) -> list[tuple[str]]:
        return [(piece,) for piece in value.split(";") if piece]

    result = cell_parts(frame, ["v"], parts, {"piece": pl.String()})
    assert result.head.rows() == [
        (None, True),
        (None, False),
        ("c", False),
        (None, True),
        (None, False),
    ]
    assert result.head.columns == ["piece", MANY]
    assert result.rest.rows() == [(0, "a"), (0, "b"), (3, "a"), (3, "b")]
    assert result.rest.columns == [INDEX, "piece"]


def test_cell_parts_fast_path_leaves_omitted_outputs_null() -> None:
    frame = pl.DataFrame({"v": ["ok", "bad"]})
    fast = FastPath(when=pl.col("v") == "ok", then={"value": pl.col("v")})
    schema = {"value": pl.String(), "note": pl.String()}
    result = cell_parts(frame, ["v"], lambda v: [(None, f"{v}!")], schema, fast)
    assert result.head.rows() == [("ok", None, False), (None, "bad!", False)]


def test_cell_parts_works_on_unique_values_when_they_repeat() -> None:
    calls: list[str] = []

    def twice(value: str) -> list[tuple[str]]:
        calls.append(value)
        return [(value,), (value * 2,)] if value == "b" else [(value.upper(),)]

    frame = pl.DataFrame({"v": ["a", "b"] * 50 + [None]})
    result = cell_parts(frame, ["v"], twice, {"out": pl.String()})
    assert sorted(calls) == ["a", "b"]
    assert result.head["out"].to_list() == ["A", None] * 50 + [None]
    assert result.head[MANY].to_list() == [False, True] * 50 + [False]
    assert result.rest.head(4).rows() == [(1, "b"), (1, "bb"), (3, "b"), (3, "bb")]


def _pieces(value: str) -> list[tuple[str, int]]:
    """The slow path of the property test: each ';' piece upper-cased, with its length."""
    return [(piece.upper(), len(piece)) for piece in value.split(";") if piece]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.none()
        | st.sampled_from(["a", "b;c", "", "qa", "q;r", "x;"])
        | st.from_regex(r"q?[a-z;]{0,6}", fullmatch=True),
        max_size=40,
    ),
    st.booleans(),
)
def test_cell_parts_answers_every_row_as_the_function_would(
    values: list[str | None], with_fast: bool
) -> None:
    """Whatever the share of null cells (answered in place or gathered and scattered back),
    repeated or not, through the fast path or not: each row's parts are the function's."""
    schema = {"up": pl.String(), "n": pl.Int64()}
    fast = FastPath(
        when=pl.col("v").str.contains(r"^q[^;]*$"),
        then={"up": pl.col("v").str.to_uppercase(), "n": pl.col("v").str.len_chars().cast(int)},
    )
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    result = cell_parts(frame, ["v"], _pieces, schema, fast if with_fast else None)
    rest = result.rest.rows()
    for index, (value, (up, n, many)) in enumerate(zip(values, result.head.rows(), strict=True)):
        expected = [] if value is None else _pieces(value)
        got = [tuple(part) for at, *part in rest if at == index] if many else [(up, n)]
        assert many == (len(expected) > 1)
        assert got == (expected or [(None, None)])


def test_lazily_selects_as_an_eager_query_does_in_one_chunk_a_column() -> None:
    # Large enough for a lazy query to split its output into chunks.
    frame = pl.DataFrame({"v": [f" {i % 97}a " for i in range(300_000)], "n": range(300_000)})
    shared = pl.col("v").str.strip_chars().str.to_uppercase()
    exprs = [pl.when(shared.str.len_bytes() > 2).then(shared).alias("u"), "n", shared.alias("s")]
    result = lazily(frame, *exprs)
    assert result.equals(frame.select(*exprs))
    assert result.n_chunks("all") == [1, 1, 1]
    # Its columns join an eager frame without splitting it into unlike chunks.
    assert frame.with_columns(result.iter_columns()).n_chunks("all") == [1, 1, 1, 1]


_CODES = st.none() | st.sampled_from(["01310-100", "1310100", "SW1A 1AA", "x", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CODES, st.none() | st.sampled_from(["SP", "RJ"])), max_size=60))
def test_select_distinct_gives_what_the_select_gives(pairs: list[tuple[str | None, ...]]) -> None:
    """Through one key or two, one output or several, repeated or not, null keys too: each
    row gets what ``select`` gives it."""
    frame = pl.DataFrame(pairs, schema={"code": pl.String, "state": pl.String}, orient="row")
    digits = pl.col("code").str.replace_all(r"[^0-9]", "")
    one = {"digits": digits}
    several = {"digits": digits, "n": digits.str.len_chars()}
    both = {**several, "typed": pl.concat_str("code", "state")}
    for keys, columns in ((["code"], one), (["code"], several), (["code", "state"], both)):
        result = select_distinct(frame, keys, columns)
        assert result.equals(frame.select(**columns))


def test_select_distinct_works_repeated_values_once() -> None:
    """Many rows, few values: the outputs are worked on the distinct values only, and come
    back in one chunk a column (a frame they join is not copied to line chunks up)."""
    frame = pl.DataFrame({"k": ["a", "b", None, "a"] * 1000, "s": ["x", None, "x", "x"] * 1000})
    calls = []

    def seen(values: pl.Series) -> pl.Series:
        calls.append(len(values))
        return values.str.to_uppercase()

    upper = pl.col("k").map_batches(seen, return_dtype=pl.String)
    result = select_distinct(frame, ["k", "s"], {"u": upper, "s2": pl.col("s")})
    assert result.equals(frame.select(u=pl.col("k").str.to_uppercase(), s2=pl.col("s")))
    assert calls == [3]
    assert result.n_chunks("all") == [1, 1]


def test_cell_parts_groups_repeated_values_among_nulls_without_them() -> None:
    """Mostly null, the other cells a few values repeated: each value answered once, every
    row as the function would (null where the key is)."""
    values = ["a;b", None, None, "c", None, None, None, None] * 500
    calls: Counter[str] = Counter()

    def pieces(value: str) -> list[tuple[str, int]]:
        calls[value] += 1
        return _pieces(value)

    schema = {"up": pl.String(), "n": pl.Int64()}
    result = cell_parts(pl.DataFrame({"v": values}), ["v"], pieces, schema)
    assert calls == Counter({"a;b": 1, "c": 1})
    assert result.head.height == len(values)
    assert result.head.row(3) == ("C", 1, False)
    assert result.head.row(1) == (None, None, False)
    assert result.head.row(0)[2] is True
    assert result.rest.rows()[:4] == [(0, "A", 1), (0, "B", 1), (8, "A", 1), (8, "B", 1)]
    assert result.rest.height == 1000


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.none() | st.sampled_from("ab"), st.none() | st.sampled_from("xy"))))
def test_units_are_the_distinct_values_and_each_rows_place(
    pairs: list[tuple[str | None, ...]],
) -> None:
    rows = pl.DataFrame(pairs, schema={"k": pl.String, "v": pl.String}, orient="row")
    found = units(rows, ["k", "v"])
    assert found.values[found.position].equals(rows)
    assert found.values.height == rows.unique().height
