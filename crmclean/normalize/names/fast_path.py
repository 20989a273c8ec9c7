"""The full-name fast path: the plainest and commonest shape, split in polars.

A name of single-space-separated words in mixed case (``Ana Lima da Silva``) with no comma,
dot, title in front, generation suffix at the end or compound given name splits as
:func:`~crmclean.normalize.names.split.parse_full` would split it: the first word is the given
name, the last two surname groups (a particle joined to the word after it) the surname,
anything between the middle name. Every other name goes
to Python; a property test checks the two always agree.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from crmclean.normalize.distinct import FastPath
from crmclean.normalize.names.vocabulary import NameRules, kept_as_typed

# No whitespace but single spaces (str.split() also splits on \x1c-\x1f), no comma, dot or "|"
# (the mark between surname groups below).
PLAIN = r"^[^\s\x1c-\x1f,.|]+(?: [^\s\x1c-\x1f,.|]+)*$"
_WORDS, _GROUPS = "__words", "__groups"
_PARTS = ("__first", "__middle", "__last", "__two")


def word_key(word: pl.Expr) -> pl.Expr:
    """``names.word_key``: lower case, no final dot or comma."""
    return word.str.to_lowercase().str.strip_chars_end(".,")


def untitled(field: str, vocab: NameRules) -> FastPath:
    """Values :func:`~crmclean.normalize.names.split.take_honorific` leaves whole (no title,
    the value itself): one word, or a first word that is no title."""
    return _untagged(field, r"^([^ ]*)", vocab.titles)


def unsuffixed(field: str, vocab: NameRules) -> FastPath:
    """Values :func:`~crmclean.normalize.names.split.take_suffix` leaves whole (no suffix,
    the value itself): one word, or a last word that is no suffix."""
    return _untagged(field, r"([^ ]*)$", vocab.suffixes)


def _untagged(field: str, word: str, tags: Collection[str]) -> FastPath:
    """Values of one word, or whose ``word`` (a pattern's first group) is none of ``tags``."""
    value = pl.col(field)
    key = word_key(value.str.extract(word, 1))
    whole = ~value.str.contains(" ", literal=True) | ~key.is_in(list(tags))
    return FastPath(when=whole, then={field: value})


def _joined(words: pl.Expr) -> pl.Expr:
    text = words.list.join(" ")
    return pl.when(text != "").then(text)


def _surname_groups(words: pl.Expr, particles: list[str]) -> pl.Expr:
    """``name_parts._surname_groups`` of the words after the first: each particle joined to
    the word after it ("da Silva", "de la Cruz"); trailing particles form a group."""
    word = pl.element()
    marked = (
        pl.when(word.str.to_lowercase().is_in(particles)).then(word + " ").otherwise(word + "|")
    )
    text = words.list.slice(1).list.eval(marked).list.join("").str.strip_chars_end("|")
    groups = text.str.split("|").list.eval(word.str.strip_chars_end(" "))
    return pl.when(words.list.len() > 1).then(groups).otherwise(pl.lit([], pl.List(pl.String)))


def fast_path(field: str, vocab: NameRules) -> FastPath:
    """Plain full names: ``(honorific, first, middle, last, suffix, full, rule)`` as
    :func:`~crmclean.normalize.names.split.parse_full` gives them."""
    name, words, groups = pl.col(field), pl.col(_WORDS), pl.col(_GROUPS)
    count = groups.list.len().cast(pl.Int64)
    first, middle, last, two = (pl.col(column) for column in _PARTS)
    parts = {
        _PARTS[0]: words.list.first(),
        _PARTS[1]: _joined(groups.list.slice(0, pl.max_horizontal(count - 2, 0))),
        _PARTS[2]: _joined(groups.list.slice(pl.max_horizontal(count - 2, 0))),
        # As names.plain_key folds them (it drops combining marks, which are all marks): a
        # compound given name of the vocabulary starting the name goes to Python.
        _PARTS[3]: pl.concat_str(
            words.list.first(), words.list.get(1, null_on_oob=True), separator=" "
        )
        .str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", ""),
    }
    plain = (
        name.str.contains(PLAIN)
        & ~word_key(first).is_in(list(vocab.titles))
        & ~word_key(words.list.last()).is_in(list(vocab.suffixes))
        & ~two.is_in(sorted(vocab.compounds)).fill_null(False)
        & kept_as_typed(first, vocab.particles)
        & (middle.is_null() | kept_as_typed(middle, vocab.particles, first=False))
        & (last.is_null() | kept_as_typed(last, vocab.particles, first=False))
    )
    nothing = pl.lit(None, pl.String)
    split = {_WORDS: name.str.split(" ")}
    grouped = {_GROUPS: _surname_groups(words, sorted(vocab.particles))}
    return FastPath(
        prepare=(split, grouped, parts),
        when=plain,
        then={
            "honorific": nothing,
            "first": first,
            "middle": middle,
            "last": last,
            "suffix": nothing,
            "full": name,
            "rule": nothing,
        },
    )
