"""Comparison methods for companies, registered in :data:`crmclean.dedupe.compare.METHODS`.

``weighted_name`` compares two ``company_weighted`` values (words with their weights): 1 for the
same name or the same name run together, 0.95 for a name and its acronym, 0.85 for one name
within the other (a word missing: ``Virgil's`` / ``Virgil's Real BBQ``), else the weighted
Jaccard overlap of their words (the weight of the shared words over the weight of all: ``Comercial
Silva`` / ``Comercial Souza`` share a light word and score low; ``Café Ritz Carlton`` / ``Dining
Room Ritz Carlton`` share heavy words but each has its own, two businesses at one address, and
score about 0.6), or 0.95 times their ``token_sort_ratio`` when that is higher and at least 85
(a typo in a word: about 0.9 for one letter in 15).

``address`` compares two ``number|street`` values (the ``address`` key): the street number is
evidence of its own kind (two numbers on one street are two buildings), the street words are
compared as word sets (rapidfuzz ``token_set_ratio``: one street's words within the
other's, ``854 7th ave between 54th and 55th sts`` / ``854 7th ave``; all cores), once per
distinct pair.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

_ROW, _SIM = "_row", "_sim"
_CONTAINED = 0.85  # one name's words all within the other's: a word missing, not a typo
_TYPO = 0.0095  # token_sort_ratio (0-100) scaled below the same name's 1.0
_SPELLED = 85.0  # below this token_sort_ratio two names are not one misspelled


def _street_similarity(streets: pl.DataFrame) -> pl.Series:
    """``token_set_ratio`` / 100 of columns ``a`` and ``b`` (null when either is null)."""
    rows = streets.with_row_index(_ROW)
    known = rows.drop_nulls(["a", "b"])
    if known.is_empty():
        return pl.repeat(None, streets.height, dtype=pl.Float64, eager=True).alias(_SIM)
    scores = process.cpdist(
        known["a"].to_list(), known["b"].to_list(), scorer=fuzz.token_set_ratio, workers=-1
    )
    scored = known.select(_ROW, pl.Series(_SIM, np.asarray(scores, dtype=np.float64) / 100.0))
    return rows.join(scored, on=_ROW, how="left", maintain_order="left")[_SIM]


def address(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """1 for the same number on (nearly) the same street, 0.8 for the same number on a
    similar street or the same street with one number missing, 0.5 a similar street with a
    number missing, 0 for two numbers or two streets."""
    parts = pairs.select(
        pl.col(left).str.split_exact("|", 1).struct.rename_fields(["na", "a"]).alias("l"),
        pl.col(right).str.split_exact("|", 1).struct.rename_fields(["nb", "b"]).alias("r"),
    ).unnest("l", "r")
    street = _street_similarity(parts.select("a", "b"))
    parts = parts.with_columns(street.alias(_SIM))
    na, nb = pl.col("na").replace("", None), pl.col("nb").replace("", None)
    same = na == nb
    one_missing = na.is_null() | nb.is_null()
    sim = pl.col(_SIM)
    result = (
        pl.when(pl.col("a").is_null() | pl.col("b").is_null())
        .then(None)
        .when(same & (sim >= 0.85))
        .then(1.0)
        .when((same & (sim >= 0.6)) | (one_missing & (sim >= 0.9)))
        .then(0.8)
        .when(one_missing & (sim >= 0.7))
        .then(0.5)
        .otherwise(0.0)
    )
    return parts.select(result.cast(pl.Float64)).to_series()


def _plain(weighted: pl.Expr) -> pl.Expr:
    return weighted.str.replace_all(r":[0-9.]+", "")


def _overlap(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """The weighted Jaccard overlap of the words of two ``word:weight ...`` columns; 0.85 when
    one's words are all within the other's."""
    rows = pairs.select(left, right).with_row_index(_ROW)
    sides = []
    for column in (left, right):
        words = rows.select(_ROW, pl.col(column).str.split(" ").alias("t")).explode("t")
        parts = pl.col("t").str.split_exact(":", 1).struct.rename_fields(["word", "weight"])
        words = words.drop_nulls("t").select(_ROW, parts.alias("p")).unnest("p")
        sides.append(words.with_columns(pl.col("weight").cast(pl.Float64), side=pl.lit(column)))
    shared = (
        sides[0]
        .join(sides[1].drop("side"), on=[_ROW, "word"])
        .group_by(_ROW)
        .agg(pl.col("weight").sum())
    )
    per_side = [side.group_by(_ROW).agg(pl.col("weight").sum()) for side in sides]
    sums = per_side[0].join(per_side[1], on=_ROW, how="full", coalesce=True, suffix="_b")
    weights = pl.col("weight").fill_null(0.0), pl.col("weight_b").fill_null(0.0)
    # a row with no words on one side has no ``lighter`` side (as when summed per side)
    lighter = (
        pl.when(pl.col("weight").is_null())
        .then("weight_b")
        .when(pl.col("weight_b").is_null())
        .then("weight")
        .otherwise(pl.min_horizontal("weight", "weight_b"))
    )
    sums = sums.select(_ROW, (weights[0] + weights[1]).alias("total"), lighter.alias("lighter"))
    both = sums.join(shared, on=_ROW, how="left")
    common = pl.col("weight").fill_null(0.0)
    jaccard = common / (pl.col("total") - common)
    contained = common >= pl.col("lighter") - 1e-9
    overlap = both.select(
        _ROW, pl.when(contained).then(pl.max_horizontal(jaccard, _CONTAINED)).otherwise(jaccard)
    )
    return rows.join(overlap.rename({"weight": _SIM}), on=_ROW, how="left", maintain_order="left")[
        _SIM
    ]


def _initials(words: pl.Expr) -> pl.Expr:
    return words.str.split(" ").list.eval(pl.element().str.slice(0, 1)).list.join("")


def weighted_name(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """See the module: 1 same or run together, 0.95 an acronym, else the weighted overlap."""
    plain = pairs.select(_plain(pl.col(left)).alias("a"), _plain(pl.col(right)).alias("b"))
    a, b = pl.col("a"), pl.col("b")
    compact_a, compact_b = a.str.replace_all(" ", ""), b.str.replace_all(" ", "")
    acronym = ((_initials(a) == compact_b) & a.str.contains(" ")) | (
        (_initials(b) == compact_a) & b.str.contains(" ")
    )
    rows = plain.with_row_index(_ROW).drop_nulls(["a", "b"])
    typed = process.cpdist(
        rows["a"].to_list(), rows["b"].to_list(), scorer=fuzz.token_sort_ratio, workers=-1
    )
    ratio = np.asarray(typed, dtype=np.float64)
    spelled = rows.select(_ROW, pl.Series("typo", np.where(ratio >= _SPELLED, ratio * _TYPO, 0.0)))
    scores = plain.with_row_index(_ROW).join(spelled, on=_ROW, how="left", maintain_order="left")
    scores = scores.with_columns(_overlap(pairs, left, right).alias("overlap"))
    result = (
        pl.when(a.is_null() | b.is_null())
        .then(None)
        .when(compact_a == compact_b)
        .then(1.0)
        .when(acronym)
        .then(0.95)
        .otherwise(pl.max_horizontal("overlap", "typo"))
    )
    return scores.select(result.cast(pl.Float64)).to_series()
