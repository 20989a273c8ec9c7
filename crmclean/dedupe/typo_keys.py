"""A surname typed wrong, read as the common surname it stands for: ``Thnmpson`` is Thompson.

A typo that changes a surname's sound and its first letters (``Thnmpson``, ``Tohmpson``) leaves
no key shared with the surname. A surname of :data:`SHORTEST` letters or more that is rare in
the data (held by fewer names than :data:`~crmclean.dedupe.nickname_typos.COMMON_SHARE` of
them), one typo from a common one (a letter off, more, missing or two letters swapped) held
:data:`~crmclean.dedupe.nickname_typos.TYPO_RATIO` times as often, and from no other common one
it does not outnumber so, is read as that surname. The candidates are found by a join of the
one-letter deletions (two words one typo apart share one), once per distinct surname.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz.distance import OSA

from crmclean.dedupe.nickname_typos import COMMON_MIN, COMMON_SHARE, TYPO_RATIO, deletions

SHORTEST = 5  # shorter surnames are one typo from too many others (Lima, Lina, Luna)


def read_surnames(values: pl.Series) -> pl.Series:
    """Each value (a folded surname per record), a rare one one typo from a common one read as
    that one."""
    counted = values.drop_nulls().value_counts(name="n").rename({values.name: "word"})
    read = readings(counted)
    return values.replace(list(read), list(read.values())) if read else values


def readings(counted: pl.DataFrame) -> dict[str, str]:
    """The rare surnames of ``counted`` (``word``: distinct folded surnames, ``n``: the records
    holding each) read as a common one, and that one."""
    common = max(COMMON_MIN, int(int(counted["n"].sum()) * COMMON_SHARE))
    sized = counted.filter(pl.col("word").str.len_chars() >= SHORTEST)
    often, rare = sized.filter(pl.col("n") >= common), sized.filter(pl.col("n") < common)
    if often.is_empty() or rare.is_empty():
        return {}
    longest = int(sized["word"].str.len_chars().max() or 0)  # type: ignore[arg-type]
    near = deletions(rare, longest).join(deletions(often, longest), on="shorter", suffix="_often")
    near = near.filter(pl.col("word") != pl.col("word_often")).unique(["word", "word_often"])
    close: dict[str, list[tuple[int, str]]] = {}
    held_by = dict(zip(rare["word"], rare["n"], strict=True))
    for word, other, held in near.select("word", "word_often", "n_often").iter_rows():
        if OSA.distance(word, other, score_cutoff=1) <= 1:
            close.setdefault(word, []).append((held, other))
    read = {}
    for word, others in close.items():
        (most, best), *rest = sorted(others, reverse=True)
        if most >= TYPO_RATIO * max([held_by[word], *(held for held, _ in rest)]):
            read[word] = best
    return read
