"""``company`` and ``work_address`` from the codes of value pairs (their ``on_values`` in
:data:`crmclean.dedupe.compare.METHODS`).

What ``company`` asks of one name alone (run together, its initials, its length, whether it
has a short form's shape or is one word) is asked once per distinct name in a run (the chunks
of a run compare the same values: known by identity); each pair gathers the answers and
compares integers (two names run together are the same when their ranks are). rapidfuzz runs
only where the answer reads it: the token-set similarity not for two one-word names (it is
below 1 for two different words, and only token-sort is then read), the local parts of two
work addresses only at one domain (most pairs of them are at two, and null). The
similarities are those of the text versions in :mod:`crmclean.dedupe.compare` (tests compare
both ways).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from crmclean.dedupe import acronyms

_SIM = "_sim"
ELSEWHERE = 0.8  # one name's words within the other's, but not as its first words
ACRONYM = 0.95  # a name and its acronym, or a longer name that starts with it run together
SHORT_FORM = 0.8  # a looser short form (:func:`acronyms.abbreviates`)
PREFIX_LENGTH = 6  # the shorter name run together is at least this long to be a prefix
WHITE_SPACE = r"[\s\x1c-\x1f]"  # what Python's str.isspace finds, and more than rapidfuzz splits on
OWN_ADDRESS = 0.99  # two different addresses at one domain stay below the same address


def initials(name: pl.Expr) -> pl.Expr:
    """The first letters of a name's words, run together."""
    return name.str.split(" ").list.eval(pl.element().str.slice(0, 1)).list.join("")


def leading(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """The shorter name is the longer one's first words (``pampa`` / ``pampa logistica``), not
    words found elsewhere in it (``pampa systems`` / ``pampa norte systems``, ``norte andes`` /
    ``andes norte``: two companies)."""
    return (a + " ").str.starts_with(b + " ") | (b + " ").str.starts_with(a + " ")


class _Names(NamedTuple):
    """Per company name: its text (a Python string), the name run together (``compact``),
    the dense rank of that and of its initials among the same texts (equal texts, equal
    ranks), whether it has a space, its length run together, whether it has a short form's
    shape, and whether it is one word to rapidfuzz (no white space at all)."""

    texts: np.ndarray
    compact: pl.Series
    rank: np.ndarray
    initials: np.ndarray
    spaced: np.ndarray
    length: np.ndarray
    shaped: np.ndarray
    one_word: np.ndarray


def _names(values: pl.Series) -> _Names:
    name = pl.col(values.name)
    parts = values.to_frame().select(
        name.str.replace_all(" ", "").alias("compact"),
        initials(name).alias("initials"),
        name.str.contains(" ").alias("spaced"),
        name.str.contains(acronyms.SHAPE).alias("shaped"),
        name.str.contains(WHITE_SPACE).not_().alias("one_word"),
    )
    compact = parts["compact"]
    ranks = pl.concat([compact, parts["initials"]]).rank("dense").to_numpy()
    return _Names(
        np.asarray(values.to_list(), dtype=object),
        compact,
        ranks[: values.len()],
        ranks[values.len() :],
        parts["spaced"].to_numpy(),
        compact.str.len_chars().to_numpy(),
        parts["shaped"].to_numpy(),
        parts["one_word"].to_numpy(),
    )


_KEPT: dict[int, tuple[pl.Series, _Names]] = {}  # per run, see forget


def _kept_names(values: pl.Series) -> _Names:
    """:class:`_Names` of ``values``, once for the chunks of a run (known by identity)."""
    held = _KEPT.get(id(values))
    if held is None or held[0] is not values:
        held = _KEPT[id(values)] = (values, _names(values))
    return held[1]


def forget() -> None:
    """Drop the company names taken apart in a run."""
    _KEPT.clear()


def _starts(a: pl.Series, b: pl.Series, words: bool) -> np.ndarray:
    """Whether either of each two texts starts the other (with ``words``, as whole words)."""
    x, y = pl.col("a"), pl.col("b")
    found = leading(x, y) if words else x.str.starts_with(y) | y.str.starts_with(x)
    return pl.DataFrame({"a": a, "b": b}).select(found).to_series().to_numpy()


def _scored(scorer: Callable[..., float], a: list[str], b: list[str]) -> np.ndarray:
    """rapidfuzz's ``scorer`` of each two texts of ``a`` and ``b`` (all cores)."""
    if not a:
        return np.empty(0, dtype=np.float64)
    return np.asarray(process.cpdist(a, b, scorer=scorer, workers=-1), np.float64)


def _words(values: pl.Series, names: _Names, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Of the names at codes ``a`` and ``b``: their token-set similarity, but
    :data:`ELSEWHERE` where one's words are within the other's but not as its first words
    (:func:`leading`), and their token-sort similarity where each has a word of its own. Two
    different one-word names never have one's words within the other's: only their
    token-sort similarity is asked."""
    texts = names.texts
    words = np.zeros(a.size, dtype=np.float64)
    several = np.flatnonzero(~(names.one_word[a] & names.one_word[b]))
    pair = texts[a[several]].tolist(), texts[b[several]].tolist()
    words[several] = _scored(fuzz.token_set_ratio, *pair) / 100.0
    inside, apart = several[words[several] >= 1.0], np.flatnonzero(words < 1.0)
    pair = texts[a[apart]].tolist(), texts[b[apart]].tolist()
    words[apart] = _scored(fuzz.token_sort_ratio, *pair) / 100.0
    elsewhere = ~_starts(values.gather(a[inside]), values.gather(b[inside]), True)
    words[inside[elsewhere]] = ELSEWHERE
    return words


def company(left: pl.Series, right: pl.Series, values: pl.Series) -> pl.Series:
    """``_company`` of :mod:`crmclean.dedupe.compare` at the codes ``left`` and ``right``."""
    names = _kept_names(values)
    a, b = left.to_numpy(), right.to_numpy()
    same = names.rank[a] == names.rank[b]
    acronym = ((names.initials[a] == names.rank[b]) & names.spaced[a]) | (
        (names.initials[b] == names.rank[a]) & names.spaced[b]
    )
    long = np.flatnonzero(np.minimum(names.length[a], names.length[b]) >= PREFIX_LENGTH)
    compact = names.compact
    acronym[long] |= _starts(compact.gather(a[long]), compact.gather(b[long]), False)
    shaped = np.flatnonzero(names.shaped[a] | names.shaped[b])
    short = np.zeros(a.size, dtype=bool)
    found = acronyms.abbreviates(values.gather(a[shaped]), values.gather(b[shaped]))
    short[shaped] = found.to_numpy()
    words = _words(values, names, a, b)
    result = np.where(short, np.maximum(words, SHORT_FORM), words)
    result = np.where(acronym, np.maximum(words, ACRONYM), result)
    return pl.Series(_SIM, np.where(same, 1.0, result))


def work_address(left: pl.Series, right: pl.Series, values: pl.Series) -> pl.Series:
    """``_work_address`` of :mod:`crmclean.dedupe.compare` at the codes ``left`` and
    ``right``: the local parts compared only for two addresses at one domain (each pair's
    addresses split where it is met: splitting every address of a run costs more)."""
    parts = [values.gather(codes).str.split_exact("@", 1).struct for codes in (left, right)]
    same = (parts[0].field("field_1") == parts[1].field("field_1")).fill_null(False)
    rows = same.arg_true()
    pair = [part.field("field_0").gather(rows).to_list() for part in parts]
    scores = _scored(Levenshtein.normalized_similarity, *pair)
    result = np.full(left.len(), np.nan)
    result[rows.to_numpy()] = np.minimum(scores, OWN_ADDRESS)
    return pl.Series(_SIM, result, nan_to_null=True)
