"""The demo vocabulary (``vocab.yaml``): countries, cities, names, companies, titles."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from random import Random
from typing import Any, Generic, TypeVar

import yaml

T = TypeVar("T", bound=Hashable)
_DIGITS = {"N": "23456789", "L": "2345", "M": "6789"}
_SEGMENT = re.compile(r"#+|[NLM]|[^#NLM]+")


class Weighted(Generic[T]):
    """Items drawn in proportion to their weights (cumulative weights computed once)."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def draw(self, rng: Random) -> T:
        """One item."""
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


@dataclass(frozen=True)
class Country:
    """A country's phone plans, mail habits and company conventions."""

    code: str
    weight: int
    title_language: str
    calling_code: str
    names: list[str]
    mobile: str
    landline: str
    shared_mailbox: str
    company_tld: str
    legal_suffixes: list[str]
    mail_domains: list[str]


@dataclass(frozen=True)
class City:
    """A city with its state, area codes and postal code patterns."""

    name: str
    state: str
    country: str
    area: tuple[str, ...]
    postal: tuple[str, ...]
    weight: int


@dataclass(frozen=True)
class Vocab:
    """Everything the generator draws from; the lists are exactly those of ``vocab.yaml``."""

    countries: dict[str, Country]
    cities: dict[str, list[City]]
    first_names: dict[str, dict[str, list[str]]]
    nicknames: dict[str, str]
    surnames: dict[str, list[str]]
    particles: dict[str, str]
    compound_surnames: list[str]
    second_surname_share: dict[str, float]
    generation_suffixes: list[str]
    common_names: list[list[str]]
    company_roots: list[str]
    company_activities: list[str]
    job_titles: dict[str, list[str]]
    owners: list[str]
    lifecycle_stages: Weighted[str]
    instructions: list[str]


def _city(country: str, entry: dict[str, Any]) -> City:
    return City(
        name=entry["name"],
        state=entry["state"],
        country=country,
        area=tuple(entry["area"]),
        postal=tuple(entry["postal"]),
        weight=entry["weight"],
    )


@cache
def load_vocab() -> Vocab:
    """Parse the bundled ``vocab.yaml`` once."""
    text = resources.files("crmclean.demo").joinpath("vocab.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    raw.pop("version")
    countries = {code: Country(code=code, **spec) for code, spec in raw.pop("countries").items()}
    cities = {
        code: [_city(code, c) for c in entries] for code, entries in raw.pop("cities").items()
    }
    stages = Weighted(raw.pop("lifecycle_stages"))
    return Vocab(countries=countries, cities=cities, lifecycle_stages=stages, **raw)


@cache
def _segments(pattern: str) -> list[str]:
    return _SEGMENT.findall(pattern)


def fill(pattern: str, rng: Random) -> str:
    """Expand a phone/postal pattern: ``#`` any digit, ``N`` 2-9, ``L`` 2-5, ``M`` 6-9."""
    parts = []
    for segment in _segments(pattern):
        if segment[0] == "#":
            parts.append(f"{rng.randrange(10 ** len(segment)):0{len(segment)}d}")
        else:
            parts.append(rng.choice(_DIGITS[segment]) if segment in _DIGITS else segment)
    return "".join(parts)
