"""rules/nicknames.yaml: one table per locale, the generated list yielding to them, and the keys
that use them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.nicknames import GENERATED, NICKNAMES_FILE, load_nicknames
from crmclean.errors import UserError
from crmclean.rules import Rules


def _tables() -> dict[str, dict[str, str]]:
    return yaml.safe_load(Rules().path(NICKNAMES_FILE).read_text(encoding="utf-8"))


def test_every_locale_has_a_table_and_the_generated_list_is_large() -> None:
    tables = _tables()
    assert {"pt", "es", "en", "de", "it"} <= set(tables)
    assert len(tables[GENERATED]) > 250


def test_locale_tables_agree_on_a_shared_short_form() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for locale, table in _tables().items():
        if locale == GENERATED:
            continue
        for short, full in table.items():
            other = seen.setdefault(short, (locale, full))
            assert other[1] == full, f"{short}: {other[0]} says {other[1]}, {locale} says {full}"


def test_no_short_form_is_a_full_name_of_another() -> None:
    """A chain (a -> b -> c) would leave a and b apart: every full name is final."""
    nicknames = load_nicknames(Rules())
    assert not set(nicknames.values()) & set(nicknames)


def test_a_full_name_that_is_a_short_form_is_followed(tmp_path: Path) -> None:
    text = "en: {jerry: gerald}\nen_list: {geri: jerry, jerry: jeremiah}\n"
    (tmp_path / NICKNAMES_FILE).write_text(text, encoding="utf-8")
    assert load_nicknames(Rules(directory=tmp_path)) == {"geri": "gerald", "jerry": "gerald"}


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("bill", "william"),  # the hand table wins over the list's Robert
        ("paco", "francisco"),
        ("sepp", "josef"),
        ("duda", "eduarda"),
        ("cida", "aparecida"),
        ("peppe", "giuseppe"),
        ("algy", "algernon"),  # from the generated list
        ("jenn", "jennifer"),  # Jennet or Jennifer there: the common one
    ],
)
def test_short_forms_per_locale(short: str, full: str) -> None:
    assert load_match_config(Rules()).nicknames[short] == full


def test_a_given_name_of_its_own_is_not_a_short_form() -> None:
    nicknames = load_nicknames(Rules())
    assert not {"erin", "harry", "jack", "millie", "lily", "robbie", "jr"} & set(nicknames)


def test_match_yaml_nicknames_are_added_on_top(tmp_path: Path) -> None:
    data = yaml.safe_load(Rules().path("match.yaml").read_text(encoding="utf-8"))
    data["nicknames"] = {"bill": "billiam", "zz": "zacarias"}
    (tmp_path / "match.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    nicknames = load_match_config(Rules(directory=tmp_path)).nicknames
    assert (nicknames["bill"], nicknames["zz"], nicknames["paco"]) == (
        "billiam",
        "zacarias",
        "francisco",
    )


def test_a_users_table_replaces_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / NICKNAMES_FILE).write_text("pt: {ze: jose}\n", encoding="utf-8")
    assert load_nicknames(Rules(directory=tmp_path)) == {"ze": "jose"}


def test_a_bad_table_names_the_file_and_the_entry(tmp_path: Path) -> None:
    (tmp_path / NICKNAMES_FILE).write_text("pt: {Zé: jose}\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_nicknames(Rules(directory=tmp_path))
    assert NICKNAMES_FILE in str(caught.value.file)
    assert "Zé" in str(caught.value)
