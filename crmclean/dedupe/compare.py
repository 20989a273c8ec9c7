"""Comparison methods: the similarity of a key between the two records of every pair.

Pairs are two record indices (``left < right``); keys are integer codes (see
:mod:`crmclean.dedupe.coded_keys`). :func:`compare` gathers both records' codes and scores each
*distinct* pair of different values once: a value compared with itself is 1.0 for every method,
so only pairs of different values reach a method, and the same two surnames met a thousand times
are scored once. Text methods take a frame of those value pairs (``<key>_l``, ``<key>_r``) and
run rapidfuzz's vectorized scorers (``process.cpdist``, all cores) over the whole columns; list
methods and ``exact`` take the codes of every pair. Similarities are Float64 in [0, 1], null when
either record has no value. Methods are registered by name in :data:`METHODS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from crmclean.dedupe import acronyms, company_compare, date_compare, value_parts
from crmclean.dedupe.coded_keys import KeyTable, group_of
from crmclean.dedupe.pair_cache import PairScores, distinct_pairs
from crmclean.dedupe.value_parts import initials, leading
from crmclean.dedupe.word_ids import Words, best_of_all, word_pairs, words_of, worst_best

LEFT = "left"
RIGHT = "right"
_SIM, _ROW = "_sim", "_row"

Similarity = Callable[[pl.DataFrame, str, str], pl.Series]
ValueSimilarity = Callable[[pl.Series, pl.Series, pl.Series], pl.Series]
Strings = Callable[[list[str], list[str]], np.ndarray]


@dataclass(frozen=True)
class Method:
    """A registered comparison: its similarity function and the kind of key it reads;
    ``on_values``, when set, gives the same similarities from the two codes and the key's
    values (faster: each value is taken apart once, not once per pair it is in)."""

    similarity: Similarity
    on_lists: bool = False
    on_codes: bool = False  # the similarity of two codes is that of their values (equality)
    on_values: ValueSimilarity | None = None
    on_single: Similarity | None = None  # a list method on one code per side (null: none)
    kept: bool = False  # keep each value pair's similarity for the run's next chunks
    on_strings: Strings | None = None  # the similarity of two lists of texts, none null


def _exact(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    return pairs.select((pl.col(left) == pl.col(right)).cast(pl.Float64)).to_series()


def _any_shared(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """1 when the two records share any value, 0 when both have values and share none."""
    both = (pl.col(left).list.len() > 0) & (pl.col(right).list.len() > 0)
    shared = pl.col(left).list.set_intersection(pl.col(right)).list.len() > 0
    return pairs.select(pl.when(both).then(shared.cast(pl.Float64))).to_series()


def _single_shared(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """:func:`_any_shared` of records holding one value or none (codes, null for none)."""
    both = pl.col(left).is_not_null() & pl.col(right).is_not_null()
    shared = (pl.col(left) == pl.col(right)).cast(pl.Float64)
    return pairs.select(pl.when(both).then(shared)).to_series()


def _domains(column: str) -> pl.Expr:
    return pl.col(column).list.eval(group_of(pl.element()))


def _same_domain(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """1 when the records share an address, 0 when they share only its domain (two colleagues'
    addresses at one company), null otherwise."""
    shared = pl.col(left).list.set_intersection(pl.col(right)).list.len() > 0
    domain = _domains(left).list.set_intersection(_domains(right)).list.len() > 0
    result = pl.when(shared).then(1.0).when(domain).then(0.0)
    return pairs.select(result.cast(pl.Float64)).to_series()


def _single_domain(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """:func:`_same_domain` of records holding one value or none (codes, null for none)."""
    a, b = pl.col(left), pl.col(right)
    result = pl.when(a == b).then(1.0).when(group_of(a) == group_of(b)).then(0.0)
    return pairs.select(result.cast(pl.Float64)).to_series()


def _work_address(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Two different addresses at one domain: the Levenshtein similarity of their local parts,
    below 1 (``hannah8@`` for ``hannah88@`` is a typo, ``pedro.ptavares@`` and ``ptavares@``
    two colleagues); null at different domains. :func:`value_parts.work_address` gives the
    same from the values' codes."""
    parts = pairs.select(
        pl.col(left).str.split("@").list.to_struct(fields=["l_local", "l_domain"]),
        pl.col(right).str.split("@").list.to_struct(fields=["r_local", "r_domain"]),
    ).unnest(left, right)
    local = _rapidfuzz(Levenshtein.normalized_similarity)(parts, "l_local", "r_local")
    same = parts["l_domain"] == parts["r_domain"]
    own = pl.lit(local).clip(upper_bound=value_parts.OWN_ADDRESS)
    return pl.select(pl.when(pl.lit(same)).then(own)).to_series()


def _on_strings(scorer: Callable[..., float], scale: float = 1.0) -> Strings:
    """``scorer`` of each two texts of two lists (``process.cpdist``, all cores)."""

    def scored(left: list[str], right: list[str]) -> np.ndarray:
        values = process.cpdist(left, right, scorer=scorer, workers=-1)
        return np.asarray(values, np.float64) / scale

    return scored


def _rapidfuzz(scorer: Callable[..., float], scale: float = 1.0) -> Similarity:
    """A method running ``scorer`` over the two columns (``process.cpdist``, all cores)."""
    on_strings = _on_strings(scorer, scale)

    def similarity(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
        if not (pairs[left].null_count() or pairs[right].null_count()):  # distinct value pairs
            return pl.Series(_SIM, on_strings(pairs[left].to_list(), pairs[right].to_list()))
        both = pl.col(left).is_not_null() & pl.col(right).is_not_null()
        known = pairs.select(both.arg_true()).to_series()
        if known.is_empty():
            return _placed(pairs.height, known, pl.Series(_SIM, [], dtype=pl.Float64))
        values = process.cpdist(
            pairs[left].gather(known).to_list(),
            pairs[right].gather(known).to_list(),
            scorer=scorer,
            workers=-1,
        )
        return _placed(pairs.height, known, pl.Series(np.asarray(values, np.float64) / scale))

    return similarity


def _placed(height: int, rows: pl.Series, values: pl.Series) -> pl.Series:
    """``height`` similarities: ``values`` at ``rows``, null elsewhere (no join needed)."""
    empty = pl.repeat(None, height, dtype=pl.Float64, eager=True).alias(_SIM)
    return empty.scatter(rows, values.cast(pl.Float64)) if rows.len() else empty


_jaro_winkler = _rapidfuzz(JaroWinkler.normalized_similarity)
_GENDER_ENDING = r"[ao]$"


def _ungendered(scored: pl.DataFrame, left: str, right: str) -> pl.Series:
    """``_sim`` of ``scored``, but 0 for the masculine and feminine of one name."""
    stem_l = pl.col(left).str.replace(_GENDER_ENDING, "")
    stem_r = pl.col(right).str.replace(_GENDER_ENDING, "")
    gendered = (stem_l == stem_r) & (pl.col(left) != pl.col(right))
    return scored.select(pl.when(gendered).then(0.0).otherwise(pl.col(_SIM))).to_series()


def _given_name(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Jaro-Winkler, but 0 for the masculine and feminine of one name (Fernando/Fernanda,
    Daniel/Daniela, Mario/Maria): siblings and spouses, not typos."""
    scored = pairs.with_columns(_jaro_winkler(pairs, left, right).alias(_SIM))
    return _ungendered(scored, left, right)


def _token_pairs(pairs: pl.DataFrame, left: str, right: str) -> pl.DataFrame:
    """Every word of the left value against every word of the right one, per row."""
    words = pairs.select(
        pl.col(left).str.split(" ").alias(left), pl.col(right).str.split(" ").alias(right)
    ).with_row_index(_ROW)
    return words.explode(left).explode(right)


def _best_token(gendered: bool) -> Similarity:
    """The Jaro-Winkler of the closest two words of the two values (compound surnames that
    keep different parts share one); with ``gendered``, 0 for Fernando/Fernanda words."""

    def scored(words: pl.DataFrame, left: str, right: str) -> pl.DataFrame:
        scores = words.with_columns(_jaro_winkler(words, left, right).alias(_SIM))
        if gendered:
            scores = scores.with_columns(_ungendered(scores, left, right).alias(_SIM))
        return scores.select(_ROW, _SIM)

    def similarity(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
        rows = pairs.select(left, right).with_row_index(_ROW)
        one_word = ~pl.col(left).str.contains(" ") & ~pl.col(right).str.contains(" ")
        simple = rows.filter(one_word.fill_null(True))  # most pairs: no word lists needed
        several = _token_pairs(rows.filter(~one_word.fill_null(True)).drop(_ROW), left, right)
        offsets = rows.filter(~one_word.fill_null(True))[_ROW]
        several = several.with_columns(offsets.gather(several[_ROW]).alias(_ROW))
        best = scored(several, left, right).group_by(_ROW).agg(pl.col(_SIM).max())
        both = pl.concat([scored(simple, left, right), best.cast(best.schema)])
        return _placed(rows.height, both[_ROW], both[_SIM])

    return similarity


INITIAL_SIMILARITY = 0.8


def _initial_agrees(left: str, right: str) -> pl.Expr:
    """The word similarity, at least :data:`INITIAL_SIMILARITY` where one word is the other's
    initial (``j`` and ``john``): an initial never disagrees."""
    a, b = pl.col(left), pl.col(right)
    initial = ((a.str.len_chars() == 1) & b.str.starts_with(a)) | (
        (b.str.len_chars() == 1) & a.str.starts_with(b)
    )
    sim = pl.col(_SIM)
    return pl.when(initial).then(pl.max_horizontal(sim, INITIAL_SIMILARITY)).otherwise(sim)


def _word_subset(gendered: bool) -> Similarity:
    """How well one value's words are all found in the other's: per word of one side its
    closest word on the other (Jaro-Winkler), the worst of them, from whichever side fits best.
    ``Ribeiro Almeida``/``Almeida`` and ``Maria Eduarda``/``Eduarda`` agree (a part kept),
    ``Chávez Cruz``/``Cruz Cervantes`` and ``Maria Eduarda``/``Maria Fernanda`` do not (a part
    that differs); an initial agrees, a little (:func:`_initial_agrees`); with ``gendered``,
    0 for Fernando/Fernanda words."""

    def similarity(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
        rows = pairs.select(left, right).with_row_index(_ROW)
        one_word = ~pl.col(left).str.contains(" ") & ~pl.col(right).str.contains(" ")
        simple = rows.filter(one_word.fill_null(True))  # most pairs: no word lists needed
        many = rows.filter(~one_word.fill_null(True))
        words = many.select(
            _ROW,
            pl.col(left).str.split(" ").alias(left),
            pl.col(right).str.split(" ").alias(right),
        )
        words = words.with_columns(
            pl.int_ranges(pl.col(left).list.len()).alias("_li"),
            pl.int_ranges(pl.col(right).list.len()).alias("_ri"),
        )
        words = words.explode(left, "_li").explode(right, "_ri")
        scored = words.with_columns(_jaro_winkler(words, left, right).alias(_SIM))
        scored = scored.with_columns(_initial_agrees(left, right))
        if gendered:
            scored = scored.with_columns(_ungendered(scored, left, right).alias(_SIM))
        sides = [
            scored.group_by(_ROW, side)
            .agg(pl.col(_SIM).max())
            .group_by(_ROW)
            .agg(pl.col(_SIM).min())
            for side in ("_li", "_ri")
        ]
        best = pl.concat(sides).group_by(_ROW).agg(pl.col(_SIM).max())
        plain = simple.with_columns(_jaro_winkler(simple, left, right).alias(_SIM))
        plain = plain.with_columns(_initial_agrees(left, right))
        if gendered:
            plain = plain.with_columns(_ungendered(plain, left, right).alias(_SIM))
        both = pl.concat([plain.select(_ROW, _SIM), best.cast(plain.select(_ROW, _SIM).schema)])
        return _placed(rows.height, both[_ROW], both[_SIM])

    return similarity


def _swapped(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Two ``given|surnames`` values: how well each one's given names match the other's
    surnames (the lower of the two closest-word similarities): a name swapped, typos and all."""
    parts = pairs.select(
        pl.col(left).str.split_exact("|", 1).struct.rename_fields(["gl", "sl"]).alias("l"),
        pl.col(right).str.split_exact("|", 1).struct.rename_fields(["gr", "sr"]).alias("r"),
    ).unnest("l", "r")
    best = _best_token(gendered=False)
    one, other = best(parts, "gl", "sr"), best(parts, "sl", "gr")
    return pl.DataFrame({"a": one, "b": other}).select(pl.min_horizontal("a", "b")).to_series()


class _Vocabulary(NamedTuple):
    """The words of a key's values (:class:`~crmclean.dedupe.word_ids.Words`), and per word
    its text as a Python string (made once a run: a chunk's word pairs gather them, no string
    is converted again) and what the word comparisons ask of it as integers: its first
    letter, whether it is one letter, its stem without a gender ending
    (:data:`_GENDER_ENDING`)."""

    words: Words
    texts: np.ndarray
    first: np.ndarray
    letter: np.ndarray
    stem: np.ndarray


def _vocabulary(words: Words) -> _Vocabulary:
    def ranks(texts: pl.Series) -> np.ndarray:
        return texts.rank("dense").to_numpy()  # equal texts, equal ranks

    text = words.words
    letter = (text.str.len_chars() == 1).to_numpy()
    stem = ranks(text.str.replace(_GENDER_ENDING, ""))
    texts = np.asarray(text.to_list(), dtype=object)
    return _Vocabulary(words, texts, ranks(text.str.slice(0, 1)), letter, stem)


def _word_scorer(
    vocabulary: _Vocabulary, gendered: bool, initials: bool
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The similarity of two arrays of word ids: Jaro-Winkler, with ``initials`` at least
    :data:`INITIAL_SIMILARITY` for a word and its initial (:func:`_initial_agrees`), with
    ``gendered`` 0 for Fernando/Fernanda words (:func:`_ungendered`): those two asked of each
    word once, not of each pair's texts."""
    text = vocabulary.texts

    def scored(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        texts = text[left].tolist(), text[right].tolist()
        sim = np.asarray(
            process.cpdist(*texts, scorer=JaroWinkler.normalized_similarity, workers=-1),
            np.float64,
        )
        if initials:
            one_letter = vocabulary.letter[left] | vocabulary.letter[right]
            initial = one_letter & (vocabulary.first[left] == vocabulary.first[right])
            sim = np.where(initial, np.maximum(sim, INITIAL_SIMILARITY), sim)
        if gendered:
            stemmed = (vocabulary.stem[left] == vocabulary.stem[right]) & (left != right)
            sim = np.where(stemmed, 0.0, sim)
        return sim

    return scored


_WORDS: dict[int, tuple[pl.Series, _Vocabulary]] = {}  # per run, see forget_kept


def _words(values: pl.Series) -> _Vocabulary:
    """The :class:`_Vocabulary` of ``values``, made once for the chunks of a run (``values``
    known by identity; one per key, as a method's keys are compared side by side)."""
    held = _WORDS.get(id(values))
    if held is None or held[0] is not values:
        held = _WORDS[id(values)] = (values, _vocabulary(words_of(values)))
    return held[1]


def _word_subset_values(gendered: bool) -> ValueSimilarity:
    """:func:`_word_subset` of ``values`` at the codes ``left`` and ``right``, on word ids
    (:mod:`crmclean.dedupe.word_ids`: each value split into words once a run, the best and
    worst per word by reductions, not group-bys)."""

    def similarity(left: pl.Series, right: pl.Series, values: pl.Series) -> pl.Series:
        vocabulary = _words(values)
        pairs = word_pairs(vocabulary.words, left.to_numpy(), right.to_numpy())
        scores = _word_scorer(vocabulary, gendered, initials=True)(pairs.left, pairs.right)
        return pl.Series(_SIM, worst_best(pairs, scores))

    return similarity


class _Halves(NamedTuple):
    """The distinct halves of ``given|surnames`` values (their :class:`_Vocabulary`), each
    value's given names and then each one's surnames as codes into them (-1 for none), and
    the similarities of the half pairs scored so far in the run."""

    vocabulary: _Vocabulary
    codes: np.ndarray
    scores: PairScores


_LAST_HALVES: list[tuple[pl.Series, _Halves]] = []  # every chunk of a run splits the same values


def _halves(values: pl.Series) -> _Halves:
    """:class:`_Halves` of ``values``, split once for the chunks of a run (the last values
    split are kept, and known by identity)."""
    if _LAST_HALVES and _LAST_HALVES[0][0] is values:
        return _LAST_HALVES[0][1]
    parts = values.str.split_exact("|", 1).struct.unnest()
    halves = pl.concat([parts[parts.columns[0]], parts[parts.columns[1]]])
    distinct = halves.drop_nulls().unique().sort()
    codes = halves.cast(pl.Enum(distinct)).to_physical().cast(pl.Int64).fill_null(-1)
    made = _Halves(_vocabulary(words_of(distinct)), codes.to_numpy(), PairScores())
    _LAST_HALVES[:] = [(values, made)]
    return made


def _swapped_values(left: pl.Series, right: pl.Series, values: pl.Series) -> pl.Series:
    """:func:`_swapped` of ``values`` at the codes ``left`` and ``right``: each value split
    once, each distinct (given names, other's surnames) pair of the two halves scored once in a
    run (the same given name and surname meet in many pairs of names, and in every chunk), on
    word ids (:mod:`crmclean.dedupe.word_ids`: the best word pair by a reduction)."""
    vocabulary, codes, kept = _halves(values)
    size = values.len()
    codes_l, codes_r = left.to_numpy().astype(np.int64), right.to_numpy().astype(np.int64)
    half_l = codes[np.concatenate([codes_l, codes_l + size])]  # given names, then surnames
    half_r = codes[np.concatenate([codes_r + size, codes_r])]  # the other's surnames, given
    known = np.flatnonzero((half_l >= 0) & (half_r >= 0))
    packed = half_l[known].astype(np.uint64) << np.uint64(32) | half_r[known].astype(np.uint64)
    distinct, inverse = distinct_pairs(packed)
    scores = kept.of(distinct, lambda new: _best_words(vocabulary, new))[inverse]
    best = _placed(half_l.size, pl.Series(known), pl.Series(_SIM, scores))
    one, other = best.head(left.len()), best.tail(left.len())
    return pl.DataFrame({"a": one, "b": other}).select(pl.min_horizontal("a", "b")).to_series()


def _best_words(vocabulary: _Vocabulary, packed: np.ndarray) -> np.ndarray:
    """:func:`_best_token` of the half pairs ``packed`` (``left << 32 | right`` codes)."""
    left = (packed >> np.uint64(32)).astype(np.int64)
    right = (packed & np.uint64(2**32 - 1)).astype(np.int64)
    pairs = word_pairs(vocabulary.words, left, right)
    return best_of_all(pairs, _word_scorer(vocabulary, False, False)(pairs.left, pairs.right))


def _company(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Token-set similarity of two company names, but 1 for the same name run together
    (``Norte Andes`` / ``NorteAndes``), 0.95 for a name and its acronym (``ADC``) or a longer
    name that starts with it run together, 0.8 for a looser short form (``VAS``, ``ADT`` for
    ``Vertex Alfa``, ``AtlânticaDelta Tecnologia``: :func:`acronyms.abbreviates`) and for one
    name's words found within the other's but not as its first words (:func:`leading`); two
    names each with a word of its own (``Orion Nova`` / ``Horizonte Nova``) by token-sort
    similarity (only a typo makes them one). :func:`value_parts.company` gives the same from
    the values' codes."""
    a, b = pl.col(left), pl.col(right)
    short = acronyms.abbreviates(pairs[left], pairs[right])
    compact_a, compact_b = a.str.replace_all(" ", ""), b.str.replace_all(" ", "")
    acronym = ((initials(a) == compact_b) & a.str.contains(" ")) | (
        (initials(b) == compact_a) & b.str.contains(" ")
    )
    shorter = pl.min_horizontal(compact_a.str.len_chars(), compact_b.str.len_chars())
    prefix = (shorter >= value_parts.PREFIX_LENGTH) & (
        compact_a.str.starts_with(compact_b) | compact_b.str.starts_with(compact_a)
    )
    acronym = acronym | prefix  # "NorteAndes" and "Norte Andes Servizi"
    within = _rapidfuzz(fuzz.token_set_ratio, scale=100.0)(pairs, left, right)
    spelled = _rapidfuzz(fuzz.token_sort_ratio, scale=100.0)(pairs, left, right)
    elsewhere = (pl.lit(within) >= 1.0) & ~leading(a, b)
    words = (
        pl.when(elsewhere)
        .then(value_parts.ELSEWHERE)
        .otherwise(pl.lit(within.zip_with(within >= 1.0, spelled)))
    )
    result = (
        pl.when(a.is_null() | b.is_null())
        .then(None)
        .when(compact_a == compact_b)
        .then(1.0)
        .when(acronym)
        .then(pl.max_horizontal(words, pl.lit(value_parts.ACRONYM)))
        .when(pl.lit(short))
        .then(pl.max_horizontal(words, pl.lit(value_parts.SHORT_FORM)))
        .otherwise(words)
    )
    return pairs.select(result).to_series()


_DATE_PARTS = ((0, 4), (4, 2), (6, 2))  # year, month, day of YYYYMMDD


def _date(pairs: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Two dates as digits (``YYYYMMDD``): 1 the same, 0.9 one digit off (or two next to each
    other swapped), 0.8 day and month swapped, 0.7 two of year, month and day the same (one
    of them wrong: another day of the month, the year off), 0.5 the same year, 0 otherwise
    (the levels a date of birth is known by)."""
    distance = _rapidfuzz(OSA.distance)(pairs, left, right)
    a, b = pl.col(left), pl.col(right)
    swapped = a.str.slice(0, 4) + a.str.slice(6, 2) + a.str.slice(4, 2)
    full = (a.str.len_chars() == 8) & (b.str.len_chars() == 8)
    same = [(a.str.slice(i, n) == b.str.slice(i, n)).cast(pl.Int8) for i, n in _DATE_PARTS]
    result = (
        pl.when(a.is_null() | b.is_null())
        .then(None)
        .when(a == b)
        .then(1.0)
        .when(pl.lit(distance) == 1)
        .then(0.9)
        .when((swapped == b) & full)
        .then(0.8)
        .when(full & (pl.sum_horizontal(same) == 2))
        .then(0.7)
        .when(a.str.slice(0, 4) == b.str.slice(0, 4))
        .then(0.5)
        .otherwise(0.0)
    )
    return pairs.select(result).to_series()


def _date_values(left: pl.Series, right: pl.Series, values: pl.Series) -> pl.Series:
    """:func:`_date` of ``values`` at the codes ``left`` and ``right``: two full dates on their
    digits (:mod:`crmclean.dedupe.date_compare`), any other shape as text."""
    similarity, done = date_compare.full_dates(
        left.to_numpy(), right.to_numpy(), date_compare.digits_of(values)
    )
    result = pl.Series(_SIM, similarity)
    rest = np.flatnonzero(~done)
    if not rest.size:
        return result
    texts = pl.DataFrame(
        {"value_l": values.gather(left.gather(rest)), "value_r": values.gather(right.gather(rest))}
    )
    return result.scatter(rest, _date(texts, "value_l", "value_r"))


def _scorer(scorer: Callable[..., float], scale: float = 1.0, kept: bool = False) -> Method:
    """A method that is rapidfuzz's ``scorer`` of the two texts (divided by ``scale``)."""
    return Method(_rapidfuzz(scorer, scale), kept=kept, on_strings=_on_strings(scorer, scale))


METHODS: dict[str, Method] = {
    "exact": Method(_exact, on_codes=True),
    "jaro_winkler": _scorer(JaroWinkler.normalized_similarity),
    "given_name": Method(_given_name),
    "levenshtein": _scorer(Levenshtein.normalized_similarity),
    "token_set": _scorer(fuzz.token_set_ratio, scale=100.0, kept=True),
    "token_sort": _scorer(fuzz.token_sort_ratio, scale=100.0),
    "best_token": Method(_best_token(gendered=False)),
    "date": Method(_date, on_values=_date_values),
    "swapped": Method(_swapped, on_values=_swapped_values),
    "company": Method(_company, on_values=value_parts.company),
    "best_given_name": Method(_best_token(gendered=True)),
    "word_subset": Method(
        _word_subset(gendered=False), on_values=_word_subset_values(gendered=False), kept=True
    ),
    "given_word_subset": Method(
        _word_subset(gendered=True), on_values=_word_subset_values(gendered=True), kept=True
    ),
    "any_shared": Method(_any_shared, on_lists=True, on_single=_single_shared),
    "same_domain": Method(_same_domain, on_lists=True, on_single=_single_domain),
    "work_address": Method(_work_address, on_values=value_parts.work_address),
    "address": Method(company_compare.address),
    "weighted_name": Method(company_compare.weighted_name),
}


_NO_CODE = 2**32 - 1  # a null code, as an integer array holds it


_CODES: dict[tuple[int, str], tuple[KeyTable, pl.Series]] = {}  # per run, see forget_kept


def _codes(table: KeyTable, key: str) -> pl.Series:
    """Every record's code of text key ``key`` as ``UInt32``, null as :data:`_NO_CODE`, made
    once for the chunks of a run (``table`` known by identity): each chunk then gathers its
    pairs' codes as they are, with no cast or fill of its own."""
    held = _CODES.get((id(table), key))
    if held is None or held[0] is not table:
        codes = table.codes[key].cast(pl.UInt32).fill_null(_NO_CODE).rechunk()
        held = _CODES[id(table), key] = (table, codes)
    return held[1]


def _pair_codes(pairs: pl.DataFrame, table: KeyTable, key: str) -> tuple[np.ndarray, np.ndarray]:
    """The codes of text key ``key`` of the left and right records of every pair."""
    codes = _codes(table, key)
    return codes.gather(pairs[LEFT]).to_numpy(), codes.gather(pairs[RIGHT]).to_numpy()


def _text_similarity(
    a: np.ndarray, b: np.ndarray, values: pl.Series, method: Method, key: str
) -> pl.Series:
    """``method`` over pairs of text codes ``a`` and ``b`` (:func:`_pair_codes`): once per
    distinct pair of different values (found by a sort of their packed codes, whose inverse
    places the similarities back), in NumPy (null as NaN until the end: no similarity is
    NaN)."""
    known = (a != _NO_CODE) & (b != _NO_CODE)
    result = np.where(known & (a == b), 1.0, np.nan)
    rows = np.flatnonzero(known & (a != b))
    if rows.size:
        packed = a[rows].astype(np.uint64) << np.uint64(32) | b[rows]
        distinct, inverse = distinct_pairs(packed)
        if method.kept:
            scored = _kept(method, key, values).of(
                distinct, lambda new: _on_texts(method, values, new).to_numpy()
            )
        else:
            scored = _on_texts(method, values, distinct).to_numpy()
        result[rows] = scored[inverse]
    return pl.Series(_SIM, result, nan_to_null=True)


def _on_texts(method: Method, values: pl.Series, packed: np.ndarray) -> pl.Series:
    """``method`` of the value pairs ``packed`` (``left << 32 | right`` codes into ``values``):
    its ``on_values`` when it has one, else its similarity of the two texts."""
    codes_l = pl.Series(LEFT, packed >> 32, dtype=pl.UInt32)
    codes_r = pl.Series(RIGHT, packed & (2**32 - 1), dtype=pl.UInt32)
    if method.on_values is not None:
        return method.on_values(codes_l, codes_r, values).cast(pl.Float64)
    if method.on_strings is not None and values.len() <= FEW_VALUES:
        strings = _strings(values)
        left, right = strings[codes_l.to_numpy()].tolist(), strings[codes_r.to_numpy()].tolist()
        return pl.Series(_SIM, method.on_strings(left, right))
    texts = pl.DataFrame({"value_l": values.gather(codes_l), "value_r": values.gather(codes_r)})
    return method.similarity(texts, "value_l", "value_r").cast(pl.Float64)


_KEPT: dict[tuple[Method, str], tuple[pl.Series, PairScores]] = {}  # the values last compared
FEW_VALUES = 65_536  # a key of no more values has its Python strings made once a run
_STRINGS: dict[int, tuple[pl.Series, np.ndarray]] = {}  # per run, see forget_kept


def _strings(values: pl.Series) -> np.ndarray:
    """``values`` as Python strings (an object array), made once for the chunks of a run and
    gathered by code (``values`` known by identity). Only for keys of :data:`FEW_VALUES` or
    fewer (cities, postal codes): rapidfuzz reads many strings scattered in memory slower than
    strings made afresh in the order it reads them, which costs less than it saves for keys
    of many values (streets, names)."""
    held = _STRINGS.get(id(values))
    if held is None or held[0] is not values:
        held = _STRINGS[id(values)] = (values, np.asarray(values.to_list(), dtype=object))
    return held[1]


def _kept(method: Method, key: str, values: pl.Series) -> PairScores:
    """The similarities ``method`` gave pairs of ``key``'s ``values`` so far (the chunks of a
    run compare the same values: known by identity; one cache per method and key, as the keys
    of a method are compared side by side)."""
    held = _KEPT.get((method, key))
    if held is None or held[0] is not values:
        held = _KEPT[method, key] = (values, PairScores())
    return held[1]


def forget_kept() -> None:
    """Drop the similarities and split values kept across a run's chunks (with them the key
    values they hold): called when a run's comparing is over, so they do not outlive it."""
    _KEPT.clear()
    _CODES.clear()
    _WORDS.clear()
    _STRINGS.clear()
    _LAST_HALVES.clear()
    value_parts.forget()


def compare(pairs: pl.DataFrame, table: KeyTable, key: str, method: str) -> pl.Series:
    """The similarity of ``key`` by ``method`` for every pair (``left``, ``right``)."""
    chosen = METHODS[method]
    if chosen.on_single is not None:
        return _list_similarity(pairs, table, key, chosen.on_single, chosen.similarity)
    if chosen.on_lists or chosen.on_codes:
        left = table.codes[key].gather(pairs[LEFT])
        right = table.codes[key].gather(pairs[RIGHT])
        sides = pl.DataFrame({LEFT: left, RIGHT: right})
        return chosen.similarity(sides, LEFT, RIGHT)
    return _text_similarity(*_pair_codes(pairs, table, key), table.values[key], chosen, key)


def _list_similarity(
    pairs: pl.DataFrame, table: KeyTable, key: str, on_single: Similarity, on_lists: Similarity
) -> pl.Series:
    """A list method of every pair: ``on_single`` codes where neither record holds several
    values (no list gathered), ``on_lists`` of the two lists elsewhere."""
    left, right, several = table.single_pairs(key, pairs, LEFT, RIGHT)
    result = on_single(pl.DataFrame({LEFT: left, RIGHT: right}), LEFT, RIGHT)
    if several.is_empty():
        return result
    lists = table.codes[key]
    rows = pairs[LEFT].gather(several), pairs[RIGHT].gather(several)
    both = pl.DataFrame({LEFT: lists.gather(rows[0]), RIGHT: lists.gather(rows[1])})
    return result.scatter(several, on_lists(both, LEFT, RIGHT).cast(pl.Float64))
