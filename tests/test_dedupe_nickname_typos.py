"""Mistyped short forms: read as the short form when rare and near that one name only."""

from __future__ import annotations

from test_dedupe_support import contacts

from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.nickname_typos import typo_nicknames
from crmclean.rules import Rules

NICKNAMES = {"tony": "anthony", "bob": "robert", "nando": "fernando", "lanna": "eleanor"}


def test_a_rare_word_one_typo_from_a_common_short_form_is_that_short_form() -> None:
    counts = {"tnoy": 1, "tonny": 2, "nadno": 1, "tony": 40, "nando": 10}
    assert typo_nicknames(counts, NICKNAMES) == {
        "tnoy": "anthony",
        "tonny": "anthony",
        "nadno": "fernando",
    }


def test_a_word_beside_a_short_form_the_data_holds_rarely_stays() -> None:
    # a small file: Anna is no typo of Lanna, nor Nadno of a Nando held by as few names
    assert typo_nicknames({"anna": 1, "lanna": 1, "nadno": 1, "nando": 5}, NICKNAMES) == {}


def test_common_words_known_names_and_short_words_stay() -> None:
    # toby is held by many names (a name of its own); fernando is a full name; bbo is too short
    counts = {"toby": 40, "tony": 4000, "fernando": 1, "bbo": 1, "nandi": 1, "nanda": 50}
    assert typo_nicknames(counts, NICKNAMES) == {}


def test_a_word_near_two_names_is_read_only_as_the_far_commoner() -> None:
    counts = {"tnoy": 1, "troy": 30, "tony": 30}
    assert typo_nicknames(counts, NICKNAMES) == {}
    assert typo_nicknames({**counts, "tony": 600}, NICKNAMES) == {"tnoy": "anthony"}


def test_the_given_names_and_first_name_keys_read_a_mistyped_nickname() -> None:
    rows = [{"first_name": "Tony", "last_name": f"Name{n}"} for n in range(12)]
    frame = contacts(
        {"first_name": "Tnoy", "last_name": "Palomino"},
        {"first_name": "Anthony", "last_name": "Palomino"},
        {"first_name": "Toby", "last_name": "Palomino"},
        *rows,
        *[{"first_name": "Toby", "last_name": f"Other{n}"} for n in range(3)],
    )
    config = load_match_config(Rules())
    keys = ["given_names", "first_name"]
    found = key_table(frame.with_row_index("_record"), keys, config).decoded().head(3)
    assert found["given_names"].to_list() == ["anthony", "anthony", "toby"]
    assert found["first_name"].to_list() == ["anthony", "anthony", "toby"]
