"""The full-name fast path: the plainest and commonest shape, split in polars.

A name of single-space-separated words in mixed case (``Ana Lima Souza``) with no comma, dot,
particle, title in front, generation suffix at the end or compound given name splits as
:func:`~crmclean.normalize.name_parts.parse_full` would split it: the first word is the given
name, the last two words the surname, anything between the middle name. Every other name goes
to Python; a property test checks the two always agree.
"""

from __future__ import annotations

import polars as pl

from crmclean.normalize.distinct import FastPath
from crmclean.normalize.names import NameRules, kept_as_typed

# No whitespace but single spaces (str.split() also splits on \x1c-\x1f), no comma or dot.
PLAIN = r"^[^\s\x1c-\x1f,.]+(?: [^\s\x1c-\x1f,.]+)*$"
_WORDS, _PARTICLE = "__words", "__particle"
_PARTS = ("__first", "__middle", "__last", "__two")


def _key(word: pl.Expr) -> pl.Expr:
    """``names.word_key``: lower case, no final dot or comma."""
    return word.str.to_lowercase().str.strip_chars_end(".,")


def _joined(words: pl.Expr) -> pl.Expr:
    text = words.list.join(" ")
    return pl.when(text != "").then(text)


def fast_path(field: str, vocab: NameRules) -> FastPath:
    """Plain full names: ``(honorific, first, middle, last, suffix, full, rule)`` as
    :func:`~crmclean.normalize.name_parts.parse_full` gives them."""
    name, words = pl.col(field), pl.col(_WORDS)
    count = words.list.len().cast(pl.Int64)
    first, middle, last, two = (pl.col(column) for column in _PARTS)
    parts = {
        _PARTS[0]: words.list.first(),
        _PARTS[1]: _joined(words.list.slice(1, pl.max_horizontal(count - 3, 0))),
        _PARTS[2]: _joined(words.list.slice(pl.max_horizontal(count - 2, 1))),
        # As names.plain_key folds them (it drops combining marks, which are all marks): a
        # compound given name of the vocabulary starting the name goes to Python.
        _PARTS[3]: pl.concat_str(
            words.list.first(), words.list.get(1, null_on_oob=True), separator=" "
        )
        .str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", ""),
        _PARTICLE: words.list.eval(
            pl.element().str.to_lowercase().is_in(list(vocab.particles))
        ).list.any(),
    }
    plain = (
        name.str.contains(PLAIN)
        & ~_key(first).is_in(list(vocab.titles))
        & ~_key(words.list.last()).is_in(list(vocab.suffixes))
        & ~pl.col(_PARTICLE)
        & ~two.is_in(sorted(vocab.compounds)).fill_null(False)
        & kept_as_typed(first)
        & (middle.is_null() | kept_as_typed(middle))
        & (last.is_null() | kept_as_typed(last))
    )
    nothing = pl.lit(None, pl.String)
    return FastPath(
        prepare=({_WORDS: name.str.split(" ")}, parts),
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
