"""Person names, one value at a time: sensible casing and the vocabulary for splitting."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from pydantic import BaseModel, ConfigDict

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "normalize/names.yaml"


class NameSpec(BaseModel):
    """The contents of ``rules/normalize/names.yaml``."""

    model_config = ConfigDict(extra="forbid")

    particles: list[str] = []
    prefixes: list[str] = []
    words: list[str] = []
    titles: dict[str, list[str]] = {}
    suffixes: dict[str, list[str]] = {}
    compound_given_names: list[str] = []


@dataclass(frozen=True)
class NameRules:
    """Lookup-ready name vocabulary (all keys lower case, without a final dot)."""

    particles: frozenset[str]
    prefixes: tuple[str, ...]
    words: dict[str, str]
    titles: dict[str, str]
    suffixes: dict[str, str]
    compounds: frozenset[str] = frozenset()

    @classmethod
    def load(cls, rules: Rules) -> NameRules:
        spec = load_spec(rules, SPEC, NameSpec)
        return cls(
            particles=frozenset(word.lower() for word in spec.particles),
            prefixes=tuple(prefix.lower() for prefix in spec.prefixes),
            words={word.lower(): word for word in spec.words},
            titles=_spellings(spec.titles),
            suffixes=_spellings(spec.suffixes),
            compounds=frozenset(plain_key(name) for name in spec.compound_given_names),
        )


def word_key(word: str) -> str:
    """How a title or suffix is looked up: lower case, no final dot or comma."""
    return word.lower().rstrip(".,")


@lru_cache(maxsize=4096)
def plain_key(words: str) -> str:
    """How a compound given name is looked up: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", words.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _spellings(table: dict[str, list[str]]) -> dict[str, str]:
    """Every spelling (and the stored form itself) -> the stored form."""
    lookup = {word_key(word): stored for stored, words in table.items() for word in words}
    return {**lookup, **{word_key(stored): stored for stored in table}}


def kept_as_typed(value: pl.Expr) -> pl.Expr:
    """The values :func:`recase` leaves as they are (mixed case), as a polars test."""
    return (value != value.str.to_uppercase()) & (value != value.str.to_lowercase())


def recase(value: str, vocab: NameRules) -> str:
    """An ALL CAPS or all-lowercase name cased word by word; mixed case is kept as typed."""
    if value != value.upper() and value != value.lower():
        return value
    words = value.lower().split(" ")
    cased = [_case_word(word, index == 0, vocab) for index, word in enumerate(words)]
    return unicodedata.normalize("NFC", " ".join(cased))


def _case_word(word: str, first: bool, vocab: NameRules) -> str:
    if not first and word in vocab.particles:
        return word
    if word in vocab.words:
        return vocab.words[word]
    return "-".join(_capitalize(part, vocab.prefixes) for part in word.split("-"))


def _capitalize(part: str, prefixes: tuple[str, ...]) -> str:
    """Upper-case the first letter, and the one after a prefix such as "mc" or "o'"."""
    for prefix in prefixes:
        if part.startswith(prefix) and len(part) > len(prefix):
            return _upper_first(prefix) + _upper_first(part[len(prefix) :])
    return _upper_first(part)


def _upper_first(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.title() + text[index + 1 :]
    return text
