"""One name value into its parts: honorific, first, middle, last, generation suffix.

Splitting follows Portuguese and Spanish usage: the first word is the given name, a particle
("da", "de la") stays with the surname after it, and the last two surname groups form the
family name ("García López", "da Silva Santos"); anything between goes to the middle name,
as do initials right after the given name ("J. R. R. Tolkien"). A compound given name of the
vocabulary ("Maria Eduarda", "João Pedro", "Juan Pablo") is the given name as a whole when a
surname follows it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from crmclean.normalize.names.vocabulary import NameRules, plain_key, recase, word_key

# One to four words of letters, apostrophes, dots and hyphens: "da Silva", "O'Brien Jr.".
_NAME_LIKE = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+){0,3}\.?$")
SURNAME_GROUPS = 2
_JOINING = frozenset({"e", "y"})  # "Carlos e Silva", "García y Márquez": one surname
_INITIAL = re.compile(r"^[^\W\d_]\.$")  # "R." between the given name and the surname
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th|º|ª|°)?\.?$", re.IGNORECASE)  # "1st", "3rd", "2º"


class FullName(NamedTuple):
    """A parsed full name; ``full`` is the display value (natural order, no honorific)."""

    honorific: str | None
    first: str | None
    middle: str | None
    last: str | None
    suffix: str | None
    full: str
    rule: str | None


def take_honorific(value: str, vocab: NameRules) -> tuple[str | None, str]:
    """``("Dra.", "Ana Lima")`` from "DRA. Ana Lima"; a lone title is left as it is."""
    words, titles = value.split(" "), []
    while len(words) > 1 and word_key(words[0]) in vocab.titles:
        titles.append(vocab.titles[word_key(words.pop(0))])
    return (" ".join(titles) or None), " ".join(words)


def take_suffix(value: str, vocab: NameRules) -> tuple[str | None, str]:
    """``("Filho", "Silva")`` from "Silva Filho"; a lone word is left as it is."""
    words = value.split(" ")
    if len(words) < 2 or word_key(words[-1]) not in vocab.suffixes:
        return None, value
    return vocab.suffixes[word_key(words[-1])], " ".join(words[:-1]).rstrip(",")


def take_honour(value: str, vocab: NameRules) -> tuple[str | None, str]:
    """``("1st Baron Hull", "Anne Chatley")`` from "Anne Chatley, 1st Baron Hull": after a
    comma, an ordinal or an honour word and at least one more word ("Smith, Earl" is Earl
    Smith)."""
    name, comma, tail = value.partition(",")
    words = tail.split()
    opening = words[1:2] if words and _ORDINAL.match(words[0]) else words[:1]
    if not comma or len(words) < 2 or not name.strip():
        return None, value
    if opening and word_key(opening[0]) in vocab.honours:
        return " ".join(words), name
    return None, value


def parse_full(full: str, vocab: NameRules) -> FullName:
    """Every part of a full name; "Silva, João" (surname first) is put in natural order; an
    honour after the name ("..., 1st Baron Hull") is kept in ``full`` and out of the parts."""
    honour, name = take_honour(full, vocab)
    if honour is None:
        return _parse_name(full, vocab)
    parsed = _parse_name(name, vocab)
    return parsed._replace(full=f"{parsed.full}, {honour}")


def _parse_name(full: str, vocab: NameRules) -> FullName:
    surname, comma, given = full.partition(",")
    if comma and _NAME_LIKE.match(surname.strip()) and _NAME_LIKE.match(given.strip()):
        honorific, given = take_honorific(recase(given.strip(), vocab), vocab)
        cased = recase(surname.strip(), vocab, first=False)
        suffix, bare_surname = take_suffix(cased, vocab)
        natural = f"{given} {cased}"
        return FullName(honorific, given, None, bare_surname, suffix, natural, "name.reordered")
    honorific, bare = take_honorific(full, vocab)
    suffix, body = take_suffix(bare, vocab)
    first, middle, last = split_words(body, vocab)
    rule = "name.honorific_moved" if honorific else None
    return FullName(honorific, first, middle, last, suffix, bare, rule)


def split_words(body: str, vocab: NameRules) -> tuple[str | None, str | None, str | None]:
    """``(first, middle, last)`` of a name without title or suffix; each part recased."""
    words = body.split()
    if not words:
        return None, None, None
    given = 2 if _compound_given(words, vocab) else 1
    initials = given
    while initials < len(words) - 1 and _INITIAL.match(words[initials]):
        initials += 1
    groups = _surname_groups(words[initials:], vocab)
    middle = " ".join(words[given:initials] + groups[:-SURNAME_GROUPS]) or None
    last = " ".join(groups[-SURNAME_GROUPS:]) or None
    return (
        recase(" ".join(words[:given]), vocab),
        recase(middle, vocab, first=False) if middle else None,
        recase(last, vocab, first=False) if last else None,
    )


def _compound_given(words: list[str], vocab: NameRules) -> bool:
    """The first two words are a compound given name followed by a surname ("Antônio Carlos e
    Silva" is not: "e" joins "Carlos" to the surname after it)."""
    if len(words) < 3 or words[2].lower() in _JOINING:
        return False
    return plain_key(" ".join(words[:2])) in vocab.compounds


def _surname_groups(words: list[str], vocab: NameRules) -> list[str]:
    """Words after the given name, each particle joined to the word after it."""
    groups, pending = [], []
    for word in words:
        pending.append(word)
        if word.lower() not in vocab.particles:
            groups.append(" ".join(pending))
            pending = []
    if pending:
        groups.append(" ".join(pending))
    return groups
