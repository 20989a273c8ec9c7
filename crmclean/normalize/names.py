"""Person names, one value at a time: sensible casing and full-name splitting."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "normalize/names.yaml"
# One to four words of letters, apostrophes, dots and hyphens: "da Silva", "O'Brien Jr.".
_NAME_LIKE = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+){0,3}\.?$")


class NameSpec(BaseModel):
    """The contents of ``rules/normalize/names.yaml``."""

    model_config = ConfigDict(extra="forbid")

    particles: list[str] = []
    prefixes: list[str] = []
    words: list[str] = []
    titles: list[str] = []


@dataclass(frozen=True)
class NameRules:
    """Lookup-ready name vocabulary (all keys lower case)."""

    particles: frozenset[str]
    prefixes: tuple[str, ...]
    words: dict[str, str]
    titles: frozenset[str]

    @classmethod
    def load(cls, rules: Rules) -> NameRules:
        spec = load_spec(rules, SPEC, NameSpec)
        return cls(
            particles=frozenset(word.lower() for word in spec.particles),
            prefixes=tuple(prefix.lower() for prefix in spec.prefixes),
            words={word.lower(): word for word in spec.words},
            titles=frozenset(title.lower().rstrip(".") for title in spec.titles),
        )


def recase(value: str, vocab: NameRules) -> str:
    """An ALL CAPS or all-lowercase name cased word by word; mixed case is kept as typed."""
    if value != value.upper() and value != value.lower():
        return value
    words = value.lower().split(" ")
    cased = [_case_word(word, index == 0, vocab) for index, word in enumerate(words)]
    return unicodedata.normalize("NFC", " ".join(cased))


def split_full(full: str, vocab: NameRules) -> tuple[str | None, str | None, str]:
    """``(first, last, full)`` from a full name; ``full`` in natural order.

    "Silva, João" is surname first (when both sides look like names: a few words of letters);
    otherwise the first word (after a title such as "Dr.") is the given name and the rest,
    particles included, the family name. Each part is recased on its own ("joão Silva" gives
    "João").
    """
    surname, comma, given = full.partition(",")
    if comma and _NAME_LIKE.match(surname.strip()) and _NAME_LIKE.match(given.strip()):
        given, surname = recase(given.strip(), vocab), recase(surname.strip(), vocab)
        return given, surname, f"{given} {surname}"
    words = full.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in vocab.titles:
        words = words[1:]
    if not words:
        return None, None, full
    last = " ".join(words[1:])
    return recase(words[0], vocab), recase(last, vocab) if last else None, full


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
