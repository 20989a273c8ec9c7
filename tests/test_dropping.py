"""crmclean.dropping: a frame less a few rows equals the filter it replaces."""

from __future__ import annotations

import polars as pl
import pytest

from crmclean import dropping
from crmclean.dropping import positions, without_keys, without_positions


def _rows() -> pl.DataFrame:
    frame = pl.DataFrame({"k": [str(i % 7) for i in range(50)], "v": list(range(50))})
    return pl.concat([frame.slice(0, 20), frame.slice(20)], rechunk=False)  # two chunks


@pytest.mark.parametrize("slices", [1024, 0])
def test_without_keys_is_the_filter(slices: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dropping, "MAX_SLICES", slices)
    rows = _rows()
    for dropped in ([], ["0"], ["3", "6"], [str(i) for i in range(7)], ["nope"]):
        keys = pl.DataFrame({"k": dropped}, schema={"k": pl.String})
        expected = rows.filter(~pl.col("k").is_in(dropped))
        assert without_keys(rows, keys).equals(expected)


def test_positions_ascending_and_nulls_never_match() -> None:
    rows = pl.DataFrame({"a": ["x", None, "y", "x"], "b": ["1", "2", "3", "1"]})
    keys = pl.DataFrame({"a": ["x", None], "b": ["1", "2"]})
    found = positions(rows, keys)
    assert found.to_list() == [0, 3]
    assert without_positions(rows, found).equals(rows.slice(1, 2))


def test_one_source_counts_its_distinct_ids_as_two_columns_do() -> None:
    from crmclean.load.changes import _distinct

    one = pl.DataFrame({"s": ["a"] * 4, "i": ["1", "2", "2", None]})
    two = pl.DataFrame({"s": ["a", "b", "a", "b"], "i": ["1", "1", "1", None]})
    for rows in (one, two, one.clear()):
        assert _distinct(rows, ["s", "i"]) == rows.select("s", "i").n_unique()
