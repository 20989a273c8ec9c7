"""Surnames a person's own e-mail address adds to the name fields."""

from __future__ import annotations

import polars as pl
import pytest

from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.mail_names import mail_name_keys
from crmclean.rules import Rules


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return load_match_config(Rules())


def _surnames(config: MatchConfig, *rows: tuple[str | None, str | None, str | None]) -> list:
    frame = pl.DataFrame(
        [(email, first, last, None) for email, first, last in rows],
        schema=dict.fromkeys(["email", "first_name", "last_name", "full_name"], pl.String),
        orient="row",
    )
    return mail_name_keys(frame, config)["surnames_with_mail"].to_list()


def test_the_address_adds_the_surname_the_name_lacks(config: MatchConfig) -> None:
    got = _surnames(
        config,
        ("rreyes@solarandes.com", "Regina", "Aguilar"),
        ("pedro.carvalho9234@gmail.com", "Pedro", "Pacheco"),
        ("pedrocarvalho+crm@x.com", "Pedro", "Pacheco"),
        ("gcavalcanti@x.com", "Gustavo", "Monteiro"),
    )
    expected = ["aguilar reyes", "pacheco carvalho", "pacheco carvalho", "monteiro cavalcanti"]
    assert got == expected


def test_another_persons_address_a_team_or_a_suffix_adds_nothing(config: MatchConfig) -> None:
    got = _surnames(
        config,
        ("juan.salazar@x.com", "Pablo", "Gutiérrez"),  # not her own: another initial
        ("adm@x.com", "Ana", "Dias"),  # a team mailbox
        ("mneto@x.com", "Miriam", "Figueiredo"),  # a generation marker
        ("ana.dias@x.com", "Ana", "da Silva Dias"),  # nothing new
        (None, "Ana", None),
    )
    assert got == ["gutierrez", "dias", "figueiredo", "silva dias", None]
