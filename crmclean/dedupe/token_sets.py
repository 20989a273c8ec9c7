"""rapidfuzz's ``token_set_ratio`` of value pairs, from word ids and one Indel distance.

``token_set_ratio`` splits both texts into word sets, sorts them, and compares the words
they share and those each holds alone (see ``rapidfuzz.fuzz_py.token_set_ratio``): most of its
time goes into splitting, sorting and joining the same texts again for every pair. Here each
distinct value's sorted word set is made once a run (:class:`TokenSets`, its words as ids of
:mod:`crmclean.dedupe.word_ids`), so a pair's shared words, their lengths and what each value
holds alone are integer sums over its word pairs, and the only text work left is the Indel
distance of the two texts that differ: the two values' word sets when they share no word
(most pairs), the one word each holds alone when they share the rest. The scores are those
formulas in the same floating-point operations, rounded to ``float32`` as ``process.cpdist``
returns them: the same numbers. Pairs of another shape (several words alone on both sides,
a value that is not plain words between single spaces) go to rapidfuzz itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from crmclean.dedupe.word_ids import Words, value_words, words_of

# what rapidfuzz (and str.split) splits words on, besides a single space
_SPACE = r"[\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


_OWNER, _WORD = "_owner", "_word"


class TokenSets(NamedTuple):
    """Each value's sorted word set (``words``; no words for a value that is not plain),
    that set joined by spaces (``joined``), whether the value is plain (words between single
    spaces, at least one), and per value the sum of its word lengths and of its word ids; per
    word its length and text."""

    words: Words
    joined: pl.Series
    plain: np.ndarray
    chars: np.ndarray
    ids: np.ndarray
    word_length: np.ndarray
    texts: np.ndarray


def token_sets(values: pl.Series) -> TokenSets:
    """:class:`TokenSets` of ``values`` (text): their words interned once, each value's ids
    sorted and made distinct by one sort of ``value << 32 | word`` (word ids are in text
    order), and joined again only for the values whose words were not so already."""
    raw = words_of(values)
    texts = raw.words
    bad = (texts.str.len_bytes() == 0) | texts.str.contains(_SPACE)
    run = np.repeat(np.arange(values.len(), dtype=np.int64), raw.sizes)
    plain = (raw.sizes > 0) & (np.bincount(run, bad.to_numpy()[raw.flat], values.len()) == 0)
    keys = run.astype(np.uint64) << np.uint64(32) | raw.flat
    kept = np.unique(keys[plain[run]])
    owner, flat = (kept >> np.uint64(32)).astype(np.int64), (kept & np.uint64(2**32 - 1))
    sizes = np.bincount(owner, minlength=values.len()).astype(np.int64)
    start = np.zeros(sizes.size, dtype=np.int64)
    np.cumsum(sizes[:-1], out=start[1:])
    words = Words(texts, flat.astype(np.uint32), start, sizes)
    word_length = texts.str.len_chars().cast(pl.Int64).to_numpy()
    chars = np.bincount(owner, word_length[words.flat], sizes.size).astype(np.int64)
    ids = np.bincount(owner, words.flat, sizes.size).astype(np.int64)
    later = run[1:] == run[:-1]
    unsorted = np.bincount(run[1:][later & (keys[1:] <= keys[:-1])], minlength=values.len())
    joined = _joined(values, words, owner, plain & (unsorted > 0))
    return TokenSets(words, joined, plain, chars, ids, word_length, _objects(texts))


def _objects(texts: pl.Series) -> np.ndarray:
    return np.asarray(texts.to_list(), dtype=object)


def _joined(values: pl.Series, words: Words, owner: np.ndarray, changed: np.ndarray) -> pl.Series:
    """``values``, those ``changed`` (a word repeated or out of order) as their sorted
    distinct words joined by spaces."""
    rows = np.flatnonzero(changed)
    if not rows.size:
        return values
    mine = changed[owner]
    words_of_rows = pl.DataFrame({_OWNER: owner[mine], _WORD: words.words.gather(words.flat[mine])})
    joined = words_of_rows.group_by(_OWNER, maintain_order=True).agg(pl.col(_WORD).str.join(" "))
    return values.scatter(rows, joined[_WORD])


def _ratio(distance: np.ndarray, total: np.ndarray) -> np.ndarray:
    """rapidfuzz's ``100 - 100 * distance / total`` (``norm_distance``), in doubles."""
    return 100.0 - 100.0 * distance.astype(np.float64) / total.astype(np.float64)


def _indel(left: list[str], right: list[str]) -> np.ndarray:
    return np.asarray(process.cpdist(left, right, scorer=Indel.distance, workers=-1), np.int64)


class _Counts(NamedTuple):
    """Per pair of plain values: how many words they share, the joined lengths of the shared
    words and of the words each holds alone, how many it holds alone, and the sum of the
    shared words' ids."""

    shared: np.ndarray
    sect: np.ndarray
    ab: np.ndarray
    ba: np.ndarray
    alone_a: np.ndarray
    alone_b: np.ndarray
    same_ids: np.ndarray


def _counts(sets: TokenSets, a: np.ndarray, b: np.ndarray) -> _Counts:
    """:class:`_Counts` of the plain values at codes ``a`` and ``b``: each word of ``b``'s
    values looked up among those of ``a``'s (``pair << 32 | word``, sorted as made: the pairs
    in order, each value's word ids ascending)."""
    run_a, ids_a = value_words(sets.words, a)
    run_b, ids_b = value_words(sets.words, b)
    keys_a = run_a.astype(np.uint64) << np.uint64(32) | ids_a
    keys_b = run_b.astype(np.uint64) << np.uint64(32) | ids_b
    at = np.minimum(np.searchsorted(keys_a, keys_b), keys_a.size - 1)
    found = keys_a[at] == keys_b
    pair, word = run_b[found], ids_b[found]

    def per_pair(weights: np.ndarray | None) -> np.ndarray:
        return np.bincount(pair, weights, a.size).astype(np.int64)

    shared, same_chars = per_pair(None), per_pair(sets.word_length[word])
    same_ids = per_pair(word.astype(np.int64))
    alone_a, alone_b = sets.words.sizes[a] - shared, sets.words.sizes[b] - shared
    sect = np.where(shared > 0, same_chars + shared - 1, 0)
    ab = np.where(alone_a > 0, sets.chars[a] - same_chars + alone_a - 1, 0)
    ba = np.where(alone_b > 0, sets.chars[b] - same_chars + alone_b - 1, 0)
    return _Counts(shared, sect, ab, ba, alone_a, alone_b, same_ids)


def _plain_scores(sets: TokenSets, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ratio of the plain value pairs at codes ``a`` and ``b`` (``float32`` as cpdist
    gives it), and which of them it was found for: one value's words within the other's
    (100), no word shared (the joined sets' distance), one word alone on each side (that
    word pair's distance, or the shared words against either side, whichever is best)."""
    c = _counts(sets, a, b)
    subset = (c.shared > 0) & ((c.alone_a == 0) | (c.alone_b == 0))
    apart = c.shared == 0
    one_word = ~subset & ~apart & (c.alone_a == 1) & (c.alone_b == 1)
    score = np.full(a.size, 100.0)
    if apart.any():
        texts = [sets.joined.gather(codes[apart]).to_list() for codes in (a, b)]
        score[apart] = _ratio(_indel(*texts), c.ab[apart] + c.ba[apart])
    if one_word.any():
        word_a = sets.texts[sets.ids[a[one_word]] - c.same_ids[one_word]].tolist()
        word_b = sets.texts[sets.ids[b[one_word]] - c.same_ids[one_word]].tolist()
        s, x, y = c.sect[one_word], c.ab[one_word], c.ba[one_word]
        whole = _ratio(_indel(word_a, word_b), 2 * (s + 1) + x + y)
        left_only, right_only = _ratio(1 + x, 2 * s + 1 + x), _ratio(1 + y, 2 * s + 1 + y)
        score[one_word] = np.maximum(np.maximum(whole, left_only), right_only)
    return score.astype(np.float32), subset | apart | one_word


def token_set_ratio(
    sets: TokenSets, values: pl.Series, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """``process.cpdist(..., scorer=fuzz.token_set_ratio)`` of the values at codes ``left``
    and ``right`` (two different, non-null values each), as ``float64``."""
    result = np.empty(left.size, dtype=np.float64)
    rest = np.ones(left.size, dtype=bool)
    plain = np.flatnonzero(sets.plain[left] & sets.plain[right])
    if plain.size:
        score, found = _plain_scores(sets, left[plain], right[plain])
        result[plain[found]] = score[found]
        rest[plain[found]] = False
    if rest.any():
        texts = [values.gather(codes[rest]).to_list() for codes in (left, right)]
        scored = process.cpdist(*texts, scorer=fuzz.token_set_ratio, workers=-1)
        result[rest] = np.asarray(scored, np.float64)
    return result
