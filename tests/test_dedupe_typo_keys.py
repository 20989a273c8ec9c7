"""A rare surname one typo from a common one is read as it (``last_name_read``)."""

from __future__ import annotations

import polars as pl
from test_dedupe_support import contacts

from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.typo_keys import read_surnames
from crmclean.rules import Rules

COMMON = ["thompson"] * 30 + ["thomson"] * 3 + ["lima"] * 30


def test_a_rare_surname_one_typo_from_a_common_one_is_read_as_it() -> None:
    found = read_surnames(pl.Series("s", ["thnmpson", "tohmpson", "thompsonn", *COMMON]))
    assert found.head(3).to_list() == ["thompson"] * 3


def test_common_far_short_and_ambiguous_surnames_stay() -> None:
    values = ["thomson", "thmpsonn", "lmia", "hompson", None, *COMMON, *["tompson"] * 10]
    # thomson is held by 3 (common in so few), thmpsonn two typos off, lmia short, hompson
    # one typo from thompson's 30 and tompson's 10 alike
    assert read_surnames(pl.Series("s", values)).head(5).to_list() == values[:5]


def test_the_key_reads_the_last_name() -> None:
    rows = [{"first_name": f"Ana{n}", "last_name": "Thompson"} for n in range(12)]
    frame = contacts({"first_name": "James", "last_name": "Thnmpson"}, *rows)
    config = load_match_config(Rules())
    keys = key_table(frame.with_row_index("_record"), ["last_name_read"], config).decoded()
    assert keys["last_name_read"].head(2).to_list() == ["thompson", "thompson"]
