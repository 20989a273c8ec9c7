"""Person names, one value at a time: sensible casing and the vocabulary for splitting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
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
    honours: list[str] = []


@dataclass(frozen=True)
class NameRules:
    """Lookup-ready name vocabulary (all keys lower case, without a final dot)."""

    particles: frozenset[str]
    prefixes: tuple[str, ...]
    words: dict[str, str]
    titles: dict[str, str]
    suffixes: dict[str, str]
    compounds: frozenset[str] = frozenset()
    honours: frozenset[str] = frozenset()

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
            honours=frozenset(word_key(word) for word in spec.honours),
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


def _any_capital(word: str) -> str:
    """A regex for ``word`` (lower case) written with at least one capital: ``Da``, ``dA``."""
    variants = []
    for at, char in enumerate(word):
        rest = "".join(f"[{re.escape(c)}{re.escape(c.upper())}]" for c in word[at + 1 :])
        variants.append(re.escape(word[:at]) + re.escape(char.upper()) + rest)
    return "|".join(variants)


def kept_as_typed(value: pl.Expr, particles: Collection[str] = (), first: bool = True) -> pl.Expr:
    """Values :func:`recase` surely leaves as they are, as a polars test: words that start
    with a capital and hold a lower-case letter, or lower-case ``particles`` (at least one
    word of the first kind); no particle written with a capital after the first word (nor
    as the first, with ``first=False``: see :func:`recase`)."""
    proper = r"\p{Lu}\S*\p{Ll}\S*"
    lower = "|".join(re.escape(p) for p in sorted(particles)) or r"[^\s\S]"
    shape = value.str.contains(rf"^(?:(?:{lower}) )*{proper}(?: (?:{lower}|{proper}))*$")
    if not particles:
        return shape
    capital = "|".join(_any_capital(p) for p in sorted(particles))
    before = " " if first else "(?:^| )"
    return shape & ~value.str.contains(rf"{before}(?:{capital})(?: |$)")


def recase(value: str, vocab: NameRules, first: bool = True) -> str:
    """A name cased word by word: a value in one case (ALL CAPS, all lower) entirely; in a
    mixed-case value the words in one case or starting with a lower-case letter
    (``mARIANA``), while words like ``McDonald`` are kept as typed. Particles after the first
    word are lower case (``Tatiane De Freitas`` -> ``Tatiane de Freitas``), as is one typed so
    first in a mixed-case value (``da Silva``); ``first=False``
    treats the first word as coming after another (a surname put after the given name).
    A mixed-case value that would come out in one case is cased as one (``da Da`` -> ``Da
    da``, not ``da da``, which a second run would change): recasing changes no recased value."""
    whole = _one_case(value)
    words = value.split(" ")
    cased = [
        _recase_word(word, first and index == 0, vocab, whole) for index, word in enumerate(words)
    ]
    if cased == words:
        return value
    text = unicodedata.normalize("NFC", " ".join(cased))
    return recase(text, vocab, first) if not whole and _one_case(text) else text


def _one_case(value: str) -> bool:
    """ALL CAPS or all lower case (or neither case: digits, marks): cased as a whole."""
    return value in (value.upper(), value.lower())


def _recase_word(word: str, first: bool, vocab: NameRules, whole: bool) -> str:
    lower = word.lower()
    if not first and lower in vocab.particles:
        return lower
    if not whole and (_proper(word) or (word == lower and lower in vocab.particles)):
        return word
    return _case_word(lower, first, vocab)


def _proper(word: str) -> bool:
    """Starts (its first letter) with a capital and holds a lower-case letter: kept. A
    lower-case letter has a capital (``ª`` and ``º`` have none): as :func:`recase` tells a
    value in one case, so that a recased value is recased to itself."""
    letters = [char for char in word if char.isalpha()]
    return (
        bool(letters)
        and letters[0].isupper()
        and any(c.islower() and c != c.upper() for c in letters)
    )


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
    """The first letter upper case; an ordinal ("1st", "3rd") is left as it is."""
    if text[:1].isdigit():
        return text
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.title() + text[index + 1 :]
    return text
