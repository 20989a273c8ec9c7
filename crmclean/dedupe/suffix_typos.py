"""Generation markers typed wrong: ``Brito Fliho``, ``Souza FFilho``, ``Anderson JJr``.

A marker on one record of a person and a typo of it on another would otherwise be a father and
his son (the generation veto). A name's last word is read as a marker when it is one with its
doubled letters written once (``ffilho``, ``jjr``), or, for markers of five or six letters
(``filho``, ``junior``), one letter off, two letters swapped or one left out (``ftlho``,
``fliho``, ``jnior``): never one letter more, so real surnames a letter longer (``Fialho``,
``Nieto``) stay surnames, nor for the longer markers, whose near words are surnames too
(``Sobrino``). Only a name of three words or more has a marker in its last word (a given name
and a surname come first). Each distinct word is checked once.
"""

from __future__ import annotations

import re

import polars as pl
from rapidfuzz.distance import OSA

_DOUBLED = re.compile(r"(.)\1+")
_EDITED = range(5, 7)  # marker lengths that tolerate one edit


def _marker(word: str, suffixes: dict[str, str]) -> str | None:
    """The generation ``word`` stands for, typo and all; None when it is no marker."""
    single = _DOUBLED.sub(r"\1", word)
    if single in suffixes:
        return suffixes[single]
    for suffix, generation in suffixes.items():
        near = len(suffix) in _EDITED and len(suffix) - 1 <= len(word) <= len(suffix)
        if near and OSA.distance(word, suffix, score_cutoff=1) <= 1:
            return generation
    return None


def typo_markers(whole: pl.Series, suffixes: dict[str, str]) -> pl.Series:
    """The generation each folded whole name's last word stands for when it is a mistyped
    marker (null otherwise, and for names of fewer than three words)."""
    last = pl.when(whole.str.count_matches(" ") >= 2).then(whole.str.extract(r"(\S+)$"))
    return word_markers(pl.select(last.alias("word")).to_series(), suffixes)


def word_markers(words: pl.Series, suffixes: dict[str, str]) -> pl.Series:
    """The generation each word stands for, typo and all (null when it is no marker)."""
    distinct = words.drop_nulls().unique()
    found = [_marker(word, suffixes) for word in distinct]
    return words.replace_strict(distinct, found, default=None, return_dtype=pl.String)
