"""Comparison methods: the similarity of a key between the two records of every pair.

A method reads the columns ``<key>_l`` and ``<key>_r`` of a pairs frame and returns a Float64
similarity in [0, 1] per pair, null when either record has no value. Methods are registered by
name in :data:`METHODS`; string similarities run rapidfuzz's vectorized scorers over whole
columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

LEFT = "left"
RIGHT = "right"

Similarity = Callable[[pl.DataFrame, str, str], pl.Series]


@dataclass(frozen=True)
class Method:
    """A registered comparison: its similarity function and the kind of key it reads."""

    similarity: Similarity
    on_lists: bool = False


def _exact(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    return pairs.select((pl.col(left) == pl.col(right)).cast(pl.Float64)).to_series()


def _any_shared(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """1 when the two records share any value, 0 when both have values and share none."""
    both = (pl.col(left).list.len() > 0) & (pl.col(right).list.len() > 0)
    shared = pl.col(left).list.set_intersection(pl.col(right)).list.len() > 0
    return pairs.select(pl.when(both).then(shared.cast(pl.Float64))).to_series()


def _domains(column: str) -> pl.Expr:
    return pl.col(column).list.eval(pl.element().str.split("@").list.last())


def _same_domain(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """1 when the records share an address, 0 when they share only its domain (two colleagues'
    addresses at one company), null otherwise."""
    shared = pl.col(left).list.set_intersection(pl.col(right)).list.len() > 0
    domain = _domains(left).list.set_intersection(_domains(right)).list.len() > 0
    result = pl.when(shared).then(1.0).when(domain).then(0.0)
    return pairs.select(result.cast(pl.Float64)).to_series()


def _rapidfuzz(scorer: Callable[..., float], scale: float = 1.0) -> Similarity:
    """A method running ``scorer`` (``process.cpdist``) once per distinct pair of values."""

    def similarity(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
        distinct = pairs.select(left, right).drop_nulls().unique()
        values = process.cpdist(
            distinct[left].to_list(), distinct[right].to_list(), scorer=scorer, workers=-1
        )
        scores = distinct.with_columns(_sim=pl.Series(np.asarray(values, dtype=np.float64) / scale))
        joined = pairs.select(left, right).join(
            scores, on=[left, right], how="left", maintain_order="left"
        )
        return joined["_sim"]

    return similarity


_jaro_winkler = _rapidfuzz(JaroWinkler.normalized_similarity)
_GENDER_ENDING = r"[ao]$"


def _given_name(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Jaro-Winkler, but 0 for the masculine and feminine of one name (Fernando/Fernanda,
    Daniel/Daniela, Mario/Maria): siblings and spouses, not typos."""
    stem_l = pl.col(left).str.replace(_GENDER_ENDING, "")
    stem_r = pl.col(right).str.replace(_GENDER_ENDING, "")
    gendered = (stem_l == stem_r) & (pl.col(left) != pl.col(right))
    similarity = _jaro_winkler(pairs, left, right)
    return pairs.select(pl.when(gendered).then(0.0).otherwise(similarity)).to_series()


METHODS: dict[str, Method] = {
    "exact": Method(_exact),
    "jaro_winkler": Method(_jaro_winkler),
    "given_name": Method(_given_name),
    "levenshtein": Method(_rapidfuzz(Levenshtein.normalized_similarity)),
    "token_set": Method(_rapidfuzz(fuzz.token_set_ratio, scale=100.0)),
    "token_sort": Method(_rapidfuzz(fuzz.token_sort_ratio, scale=100.0)),
    "any_shared": Method(_any_shared, on_lists=True),
    "same_domain": Method(_same_domain, on_lists=True),
}


def pair_values(pairs: pl.DataFrame, keys: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Attach the named keys of both records to each pair as ``<key>_l`` and ``<key>_r``.

    ``keys`` holds record ``i`` at row ``i`` (its ``_record`` column is the row index), so the
    values are gathered by position rather than joined.
    """
    return pairs.with_columns(
        keys[name].gather(pairs[side]).alias(name + suffix)
        for side, suffix in ((LEFT, "_l"), (RIGHT, "_r"))
        for name in names
    )
