"""A comparison method run twice on the same pairs, for the dedupe tests (no tests here):
from the values' codes or word ids (``on_values``) and on the texts of every distinct pair."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from crmclean.dedupe import compare as compare_module
from crmclean.dedupe.coded_keys import encode
from crmclean.dedupe.compare import LEFT, METHODS, RIGHT, compare, forget_kept


def by_codes_and_texts(
    method: str, left: list[str | None], right: list[str | None], chunks: int = 1
) -> tuple[pl.Series, pl.Series]:
    """``method`` of record i (``left``) and n + i (``right``), ``chunks`` chunks of pairs in
    one run: as the method runs (``on_values``), and on the texts of every distinct pair
    (``on_values`` off)."""
    table = encode(pl.DataFrame({"k": left + right}, schema={"k": pl.String}))
    pairs = pl.DataFrame(
        {LEFT: range(len(left)), RIGHT: range(len(left), 2 * len(left))},
        schema={LEFT: pl.UInt32, RIGHT: pl.UInt32},
    )
    size = -(-pairs.height // chunks)

    def run() -> pl.Series:
        try:
            parts = [
                compare(pairs.slice(at, size), table, "k", method)
                for at in range(0, pairs.height, size)
            ]
        finally:
            forget_kept()
        return pl.concat(parts)

    new = run()
    texts_only = dataclasses.replace(METHODS[method], on_values=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(compare_module.METHODS, method, texts_only)
        old = run()
    return new, old
