"""Nicknames typed wrong: ``Tnoy`` is ``Tony`` (Anthony), ``Jhonny`` is ``Johnny`` (John).

The nickname tables know the short form, not its typos, and a typo breaks the sound of the name
too, so ``Tnoy Smith`` and ``Anthony Smith`` would neither meet nor agree. A word of
:data:`MIN_LENGTH` letters or more that no table knows is read as a short form when it is one
typo from it (a letter off, more or missing, or two letters swapped: the optimal string
alignment distance), the word is rare in the data and the short form common, held
:data:`TYPO_RATIO` times as often, and the short form is the only name one typo from the word,
or held that many times as often as each other one (Tony and Troy are both one typo from
Tnoy: where Tony is that much commoner, Tnoy is a Tony). The names are the tables' and the
words the data's names hold often (first and last names alike: a surname in the first-name
field stays a surname); a word held often is never read as a typo (Toby beside Tony), nor one
beside a short form the data holds rarely (Anna beside Lanna, Nora beside Norm: a small file
says nothing of which is the name). Only the words near a short form are looked at, each
distinct word once.
"""

from __future__ import annotations

from string import ascii_lowercase

import polars as pl
from rapidfuzz.distance import OSA

MIN_LENGTH = 4  # shorter words are one letter from too many names (Tom, Tim, Kim)
# A word held by this share of the distinct names or more (at least COMMON_MIN of them) is a
# name of its own, never read as a typo (Toby beside Tony); a typo of a common name is rarer.
COMMON_SHARE = 2e-5
COMMON_MIN = 3
# A word is read as a short form held this many times as often as the word, and as each other
# name one typo from it.
TYPO_RATIO = 10


def word_counts(names: pl.DataFrame) -> dict[str, int]:
    """How many distinct names hold each word (``names``: ``words``, folded names of space-
    separated words, and ``n``: how many distinct names hold each)."""
    words = names.select(pl.col("words").str.split(" ").list.unique(), "n").explode("words")
    counted = words.drop_nulls().group_by("words").agg(pl.col("n").sum())
    return dict(zip(counted["words"], counted["n"], strict=True))


def _deletions(word: str) -> set[str]:
    """The word and every word one letter shorter that it gives."""
    return {word} | {word[:at] + word[at + 1 :] for at in range(len(word))}


def _edits(word: str) -> set[str]:
    """Every word one typo from ``word`` (lower-case ASCII letters, as names are folded)."""
    cuts = [(word[:at], word[at:]) for at in range(len(word) + 1)]
    swaps = {head + tail[1] + tail[0] + tail[2:] for head, tail in cuts if len(tail) > 1}
    changes = {head + c + tail[1:] for head, tail in cuts if tail for c in ascii_lowercase}
    inserts = {head + c + tail for head, tail in cuts for c in ascii_lowercase}
    return (_deletions(word) | swaps | changes | inserts) - {word}


class _Names:
    """The words of the data (with how many names hold them) and the tables' names."""

    def __init__(self, counts: dict[str, int], known: set[str]) -> None:
        self.counts, self.known = counts, known
        self.common = max(COMMON_MIN, int(sum(counts.values()) * COMMON_SHARE))

    def near(self, word: str) -> set[str]:
        """The known names and the data's words one typo from ``word``."""
        return {other for other in _edits(word) if other in self.counts or other in self.known}

    def is_name(self, word: str) -> bool:
        """A name of the tables, or a word held by many names."""
        return word in self.known or self.counts.get(word, 0) >= self.common

    def meant(self, word: str) -> str | None:
        """The one name a rare ``word`` is a typo of; None when there is none or no clear one."""
        if self.is_name(word):
            return None
        close = sorted(other for other in self.near(word) if self.is_name(other))
        if not close:
            return None
        held = {other: self.counts.get(other, 0) for other in close}
        best = max(close, key=held.__getitem__)
        if all(held[best] >= TYPO_RATIO * held[other] for other in close if other != best):
            return best
        return None


def deletions(words: pl.DataFrame, longest: int) -> pl.DataFrame:
    """``words`` (a ``word`` column and any others) with a row per word one letter shorter each
    gives, and the word itself (``shorter``): two words one typo apart share one."""
    word = pl.col("word")
    cut = [word.str.slice(0, at) + word.str.slice(at + 1) for at in range(longest)]
    shorter = pl.concat_list(word, *cut).list.unique()
    return words.with_columns(shorter.alias("shorter")).explode("shorter")


def _near_short_forms(words: pl.Series, shorts: list[str]) -> list[tuple[str, str]]:
    """Each of the ``words`` of :data:`MIN_LENGTH` letters or more and a short form one typo
    from it: those sharing a one-letter deletion (found by a join), checked one by one."""
    longest = max(map(len, shorts), default=0) + 1
    word = pl.col("word")
    sized = words.to_frame("word").filter(word.str.len_chars().is_between(MIN_LENGTH, longest))
    pairs = deletions(sized, longest).join(
        deletions(pl.DataFrame({"word": shorts}, schema={"word": pl.String}), longest).unique(),
        on="shorter",
        suffix="_short",
    )
    pairs = pairs.unique(["word", "word_short"]).select("word", "word_short")
    return [pair for pair in pairs.iter_rows() if OSA.distance(*pair, score_cutoff=1) <= 1]


def typo_nicknames(counts: dict[str, int], nicknames: dict[str, str]) -> dict[str, str]:
    """Mistyped short form -> full name, for the words of ``counts`` (word -> distinct names
    holding it) read as a short form of ``nicknames`` (short form -> full name)."""
    names = _Names(counts, set(nicknames) | set(nicknames.values()))
    shorts = [short for short in nicknames if counts.get(short, 0) >= names.common]
    rare = [word for word in counts if not names.is_name(word)]
    near = _near_short_forms(pl.Series(rare, dtype=pl.String), shorts)
    found = {}
    for word in sorted(
        {word for word, short in near if counts[short] >= TYPO_RATIO * counts[word]}
    ):
        meant = names.meant(word)
        if meant in nicknames and counts.get(meant, 0) >= max(
            names.common, TYPO_RATIO * counts[word]
        ):
            found[word] = nicknames[meant]
    return found
