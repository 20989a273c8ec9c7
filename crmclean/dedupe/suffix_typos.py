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

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

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
    """The generation each word stands for, typo and all (null when it is no marker): what
    :func:`_marker` gives, each distinct word checked once, all of them at once."""
    distinct = words.drop_nulls().unique()
    found = pl.select(pl.coalesce(_undoubled(distinct, suffixes), _edited(distinct, suffixes)))
    return words.replace_strict(distinct, found.to_series(), default=None, return_dtype=pl.String)


def _undoubled(words: pl.Series, suffixes: dict[str, str]) -> pl.Series:
    """The generation of each word that is a marker with its doubled letters written once
    (``ffilho``): a marker with no doubled letter of its own, each letter repeated (escaped:
    a marker of the user's rules may hold a dot or another pattern character)."""
    plain = [suffix for suffix in suffixes if not _DOUBLED.search(suffix)]
    found = [
        pl.when(pl.col("word").str.contains(_each_letter_repeated(suffix))).then(
            pl.lit(suffixes[suffix])
        )
        for suffix in plain
    ]
    if not found:
        return pl.repeat(None, words.len(), dtype=pl.String, eager=True)
    return words.to_frame("word").select(pl.coalesce(found).cast(pl.String)).to_series()


def _each_letter_repeated(suffix: str) -> str:
    """The pattern of ``suffix`` with each of its characters typed once or more."""
    return "^" + "".join(f"{re.escape(char)}+" for char in suffix) + "$"


def _edited(words: pl.Series, suffixes: dict[str, str]) -> pl.Series:
    """The generation of the first marker of five or six letters each word is one edit from
    (one letter off, two swapped or one left out; never one more)."""
    near = [suffix for suffix in suffixes if len(suffix) in _EDITED]
    if not near or words.is_empty():
        return pl.repeat(None, words.len(), dtype=pl.String, eager=True)
    distances = cdist(words.to_list(), near, scorer=OSA.distance, score_cutoff=1, dtype=np.int32)
    lengths = words.str.len_chars().to_numpy()[:, None]
    sizes = np.array([len(suffix) for suffix in near])[None, :]
    close = (distances <= 1) & (lengths >= sizes - 1) & (lengths <= sizes)
    generations = pl.Series([suffixes[suffix] for suffix in near] + [None], dtype=pl.String)
    return generations.gather(np.where(close.any(axis=1), close.argmax(axis=1), len(near)))
