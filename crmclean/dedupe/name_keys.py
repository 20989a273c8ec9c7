"""Name keys: the folded, comparable forms of a person's name.

:func:`name_keys` builds every name key in a few passes over a frame of *distinct* names
(:data:`NAME_INPUTS`); :mod:`crmclean.dedupe.keys` joins them back to the records, so each
regex and each metaphone code runs once per distinct name, never per record, and those of the
first and the last name once per distinct first or last name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import jellyfish
import polars as pl

from crmclean.dedupe.nickname_typos import typo_nicknames, word_counts
from crmclean.dedupe.suffix_typos import typo_markers
from crmclean.dedupe.typo_keys import read_surnames

if TYPE_CHECKING:
    from crmclean.dedupe.config import MatchConfig

NAME_INPUTS = ("full_name", "first_name", "middle_name", "last_name", "name_suffix")
NAME_KEYS = (
    "name",
    "first_name",
    "first_initial",
    "last_initial",
    "initials",
    "first_name_phonetic",
    "last_name",
    "last_name_phonetic",
    "first_last",
    "generation",
    "given_names",
    "surnames",
    "name_tokens",
    "name_pairs",
    "name_parts",
    "last_name_prefix",
    "surname_words",
    "last_name_read",
)
_WHOLE, _FIRST, _LAST = "_whole", "_first", "_last"
_FIRST_KEY, _GIVEN, _FAMILY, _NAMED_LAST = "_first_key", "_given", "_family", "_named_last"
# Words that join surnames (da Silva, de la Cruz, van der Berg): never a name token of their own.
PARTICLES = r"\b(?:de|da|do|das|dos|del|la|las|los|y|e|van|von|der|den|di|du|le|dei|della)\b"


def fold(expr: pl.Expr, keep: str = "a-z") -> pl.Expr:
    """ASCII, lowercase, runs of other characters turned into one space; empty -> null (by
    ``replace``: a ``when`` reading the folded text twice folds it twice in an eager select).
    Only text with a non-ASCII character is decomposed (ASCII text is its own NFKD form)."""
    accented = pl.when(expr.str.contains(r"[^\x00-\x7f]")).then(expr)
    ascii_text = pl.coalesce(accented.str.normalize("NFKD").str.replace_all(r"\p{M}", ""), expr)
    folded = ascii_text.str.to_lowercase().str.replace_all(f"[^{keep}]+", " ").str.strip_chars()
    return folded.replace("", None)


def _suffix_pattern(config: MatchConfig) -> str:
    """A regex matching any generation suffix as a whole word (nothing when there are none)."""
    words = "|".join(sorted(config.name_suffixes))
    return rf"\b(?:{words})\b" if words else r"[^\s\S]"


def _without_suffixes(folded: pl.Expr, config: MatchConfig) -> pl.Expr:
    """Folded text without its generation suffixes; null when nothing is left."""
    kept = folded.str.replace_all(_suffix_pattern(config), " ").str.replace_all(" +", " ")
    kept = kept.str.strip_chars()
    return pl.when(kept != "").then(kept)


def _last_word(folded: pl.Expr) -> pl.Expr:
    return folded.str.extract(r"(\S+)$")


def _metaphone(values: pl.Series) -> pl.Series:
    """Metaphone code of each value, computed once per distinct value."""
    distinct = values.drop_nulls().unique()
    codes = [jellyfish.metaphone(value) or None for value in distinct]
    return values.replace_strict(distinct, codes, default=None, return_dtype=pl.String)


def whole_text() -> pl.Expr:
    """The whole name as given: ``full_name``, else first + middle + last."""
    parts = pl.concat_str(
        "first_name", "middle_name", "last_name", separator=" ", ignore_nulls=True
    )
    return pl.coalesce(pl.col("full_name"), parts)


def whole_name_keys(config: MatchConfig) -> dict[str, pl.Expr]:
    """``name`` and ``generation``: the keys of the folded whole name (``_whole``) and the
    ``name_suffix``, which read no other column."""
    return {"name": _without_suffixes(pl.col(_WHOLE), config), "generation": _generation(config)}


def _first_parts(values: pl.LazyFrame, config: MatchConfig) -> pl.LazyFrame:
    """Per first name: folded, its first word with a nickname replaced, its words (nicknames
    replaced; an initial is no particle: ``E.`` is one, not the ``e`` of ``Tejeda e Ruiz``)."""
    folded = values.with_columns(fold(pl.col("first_name")).alias(_FIRST))
    first = pl.col(_FIRST)
    words = pl.coalesce(_tokens(first, config), pl.when(first.str.len_chars() == 1).then(first))
    return folded.with_columns(
        first.str.extract(r"^(\S+)").replace(config.nicknames).alias(_FIRST_KEY),
        _nicknamed(words, config).alias(_GIVEN),
    )


def _last_parts(values: pl.LazyFrame, config: MatchConfig) -> pl.LazyFrame:
    """Per last name: folded, its last word that is not a generation suffix, its words."""
    folded = values.with_columns(fold(pl.col("last_name")).alias(_LAST))
    surname = pl.col(_LAST)
    return folded.with_columns(
        pl.coalesce(_last_word(_without_suffixes(surname, config)), _last_word(surname)).alias(
            _NAMED_LAST
        ),
        _tokens(surname, config).alias(_FAMILY),
    )


def _by_value(
    names: pl.LazyFrame,
    column: str,
    build: Callable[[pl.LazyFrame, MatchConfig], pl.LazyFrame],
    config: MatchConfig,
) -> pl.LazyFrame:
    """``names`` with the columns ``build`` makes of each distinct value of ``column`` (a first
    or a last name: far fewer values than whole names)."""
    values = build(names.select(column).unique(), config)
    return names.join(values, on=column, how="left", nulls_equal=True, maintain_order="left")


def suffix_generation(folded: pl.Expr, config: MatchConfig) -> pl.Expr:
    """The generation of the last generation suffix among the words of folded text; null for
    none. Every suffix is one word: the last of words joined is the last of the last words
    holding one."""
    marker = folded.str.extract_all(_suffix_pattern(config)).list.last()
    return marker.replace_strict(config.name_suffixes, default=None, return_dtype=pl.String)


def _generation(config: MatchConfig) -> pl.Expr:
    """The generation marker of a name (``junior`` for Jr/Filho, and for a mistyped one at its
    end: see :mod:`crmclean.dedupe.suffix_typos`); "" for none, null without name."""
    whole = pl.col(_WHOLE)
    named = pl.concat_str(whole, fold(pl.col("name_suffix")), separator=" ", ignore_nulls=True)
    generation = suffix_generation(named, config)
    suffixes = config.name_suffixes
    mistyped = whole.map_batches(lambda names: typo_markers(names, suffixes), pl.String)
    return pl.when(whole.is_not_null()).then(pl.coalesce(generation, mistyped).fill_null(""))


def _last_name(config: MatchConfig) -> pl.Expr:
    """The last word of the folded last name that is not a generation suffix; without a last
    name, the last word of a whole name of two words or more."""
    named = pl.col(_NAMED_LAST)
    words = pl.when(named.is_null()).then(pl.col("name"))  # the regexes only where needed
    return pl.coalesce(named, pl.when(words.str.contains(" ")).then(_last_word(words)))


def _tokens(expr: pl.Expr, config: MatchConfig) -> pl.Expr:
    """The words of a folded name without particles and generation suffixes; null for none."""
    kept = expr.str.replace_all(PARTICLES, " ")
    return _without_suffixes(kept.str.replace_all(" +", " ").str.strip_chars(), config)


def name_words(folded: pl.Expr, config: MatchConfig) -> pl.Expr:
    """The words of a folded name without particles and generation suffixes (space-separated);
    null for none."""
    return _tokens(folded, config)


def _nicknamed(words: pl.Expr, config: MatchConfig) -> pl.Expr:
    """Space-separated words with every known nickname replaced by the full name."""
    full = pl.element().replace(config.nicknames)
    return words.str.split(" ").list.eval(full).list.join(" ")


def _token_keys(config: MatchConfig) -> list[pl.Expr]:
    """``given_names`` and ``surnames``: the words of the first and last name (nicknames
    replaced); without them, the first word of the whole name and the words after it."""
    # the whole name's words only where the first name has none (the regexes only where needed)
    whole = _tokens(pl.when(pl.col(_GIVEN).is_null()).then(pl.col(_WHOLE)), config)
    head = whole.str.extract(r"^(\S+)")
    rest = whole.str.extract(r"^\S+ (.+)$")
    given = pl.coalesce(pl.col(_GIVEN), _nicknamed(head, config))
    family = pl.when(pl.col(_FIRST).is_null() & pl.col(_LAST).is_null()).then(rest)
    surnames = pl.coalesce(pl.col(_FAMILY), family)
    return [given.alias("given_names"), surnames.alias("surnames")]


def _name_tokens() -> pl.Expr:
    """The distinct words of ``given_names`` and ``surnames``, sorted (space-separated); null
    for none (:func:`_tokens_of`)."""
    names = pl.struct("given_names", "surnames")
    return names.map_batches(_tokens_of, return_dtype=pl.String)


def _tokens_of(names: pl.Series) -> pl.Series:
    """:func:`_name_tokens` of a struct of ``given_names`` and ``surnames``. A one-word given
    name and surname (most names) are ordered by columns; only the rest (their rows alone:
    a ``when`` splits and sorts every row) are split, sorted and joined."""
    frame = names.struct.unnest()
    given, family = pl.col("given_names"), pl.col("surnames")
    spaced = given.str.contains(" ", literal=True) | family.str.contains(" ", literal=True)
    simple = spaced.not_() & given.is_not_null() & family.is_not_null()
    low = pl.min_horizontal(given, family)  # both present: min/max skip no null here
    high = pl.when(given != family).then(pl.max_horizontal(given, family))
    two = pl.concat_str(low, high, separator=" ", ignore_nulls=True)
    made = frame.select(pl.when(simple).then(two).alias(names.name), simple.alias("_simple"))
    rest = (~made["_simple"]).arg_true()
    if rest.is_empty():
        return made[names.name]
    words = pl.concat_str(given, family, separator=" ", ignore_nulls=True)
    sorted_words = pl.when(words != "").then(words).str.split(" ").list.unique().list.sort()
    tokens = frame[rest].select(sorted_words.list.join(" ")).to_series()
    return made[names.name].scatter(rest, tokens)


def _pairs(tokens: pl.Series) -> pl.Series:
    """Every two words of a name as their metaphone codes, in order (``JN SLF``): a name shares
    one with the same name swapped, given in one field or missing a part; null for none
    (:func:`pair_rows` gathered into lists)."""
    flat = pair_rows(tokens)
    lists = flat.group_by("row", maintain_order=True).agg("pair")
    every = pl.int_range(tokens.len(), eager=True, dtype=pl.UInt32).alias("row").to_frame()
    found = every.join(lists, on="row", how="left", maintain_order="left")
    return found["pair"].alias(tokens.name)


def pair_rows(tokens: pl.Series) -> pl.DataFrame:
    """The pairs of :func:`_pairs` laid out flat: ``row`` (the row of ``tokens``, ascending)
    and ``pair``, each row's pairs in order, no list built per row. A name of two words (most)
    is answered by columns; longer ones by a join of their codes."""
    words = tokens.str.split(" ")
    distinct = words.explode().drop_nulls().unique()
    codes = pl.Series([jellyfish.metaphone(value) or None for value in distinct], dtype=pl.String)

    def code(word: pl.Expr) -> pl.Expr:
        return word.replace_strict(distinct, codes, default=None, return_dtype=pl.String)

    size = words.list.len()
    ends = pl.DataFrame({"words": words, "size": size}).select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
        "size",
        first=code(pl.col("words").list.first()),
        last=code(pl.col("words").list.last()),
    )
    low, high = pl.min_horizontal("first", "last"), pl.max_horizontal("first", "last")
    two = (pl.col("size") == 2) & (pl.col("first") != pl.col("last"))
    pairs = ends.filter(two).select("row", pair=pl.concat_str(low, high, separator=" "))
    longer = (size > 2).fill_null(False).arg_true()
    if longer.is_empty():
        return pairs
    joined = _joined_pairs(words.gather(longer).to_frame("code").with_columns(row=longer), code)
    return pl.concat([pairs, joined]).sort("row", maintain_order=True)


def _joined_pairs(words: pl.DataFrame, code: Callable[[pl.Expr], pl.Expr]) -> pl.DataFrame:
    """``row`` and ``pair`` of names of three words or more (``row`` and their words,
    ``code``): their codes, sorted, joined to themselves in order, so each row's pairs come
    sorted (a code holds no character below the space: the pairs' order is the codes'). Sorted
    because a join and a group keep no order: unsorted, two runs listed them differently and
    EM drew other samples."""
    flat = words.explode("code").with_columns(code(pl.col("code"))).drop_nulls().unique()
    flat = flat.sort("row", "code")
    pairs = flat.join(flat, on="row", suffix="_r", maintain_order="left_right")
    pairs = pairs.filter(pl.col("code") < pl.col("code_r"))
    return pairs.select("row", pair=pl.concat_str("code", "code_r", separator=" "))


# The name keys made of other name keys only (their inputs and expression), in stages: a stage
# reads the keys of those before it. ``name``, ``generation``, ``first_name``, ``last_name``,
# ``given_names`` and ``surnames`` are the keys the rest are made of.
DERIVED: tuple[dict[str, tuple[tuple[str, ...], Callable[[], pl.Expr]]], ...] = (
    {"name_tokens": (("given_names", "surnames"), _name_tokens)},
    {
        "name_pairs": (
            ("name_tokens",),
            lambda: pl.col("name_tokens").map_batches(_pairs, return_dtype=pl.List(pl.String)),
        ),
        "name_parts": (
            ("given_names", "surnames"),
            lambda: pl.when(
                pl.col("given_names").is_not_null() & pl.col("surnames").is_not_null()
            ).then(pl.concat_str("given_names", "surnames", separator="|")),
        ),
        "last_name_prefix": (("last_name",), lambda: pl.col("last_name").str.slice(0, 3)),
        "surname_words": (
            ("surnames",),
            lambda: pl.col("surnames").str.split(" ").list.unique(maintain_order=True),
        ),
        "first_initial": (("first_name",), lambda: pl.col("first_name").str.slice(0, 1)),
        "last_initial": (("last_name",), lambda: pl.col("last_name").str.slice(0, 1)),
        "initials": (
            ("first_name", "last_name"),
            lambda: (
                pl.concat_list(
                    pl.col("first_name").str.slice(0, 1), pl.col("last_name").str.slice(0, 1)
                )
                .list.drop_nulls()
                .list.unique(maintain_order=True)
            ),
        ),
        "first_name_phonetic": (
            ("first_name",),
            lambda: pl.col("first_name").map_batches(_metaphone, return_dtype=pl.String),
        ),
        "last_name_phonetic": (
            ("last_name",),
            lambda: pl.col("last_name").map_batches(_metaphone, return_dtype=pl.String),
        ),
        "first_last": (
            ("first_name", "last_name"),
            lambda: pl.concat_str("first_name", "last_name", separator=" "),
        ),
    },
)


def with_typo_nicknames(names: pl.DataFrame, config: MatchConfig) -> MatchConfig:
    """``config`` with the mistyped short forms among the words of ``names`` added to its
    nicknames (see :mod:`crmclean.dedupe.nickname_typos`): the words of the first, middle and
    last names, and of the whole name where those are missing; each distinct value folded once.
    Counted over all of ``names``: build keys of some of them with :func:`keys_of`."""
    alone = names.filter(pl.col("first_name").is_null() & pl.col("last_name").is_null())
    parts = [alone["full_name"], *(names[c] for c in ("first_name", "middle_name", "last_name"))]
    counted = [part.value_counts(name="n").rename({part.name: "words"}) for part in parts]
    counts = word_counts(pl.concat(counted).with_columns(fold(pl.col("words"))))
    typos = typo_nicknames(counts, config.nicknames)
    return config.model_copy(update={"nicknames": {**config.nicknames, **typos}})


def name_keys(names: pl.DataFrame, config: MatchConfig) -> pl.LazyFrame:
    """Every key of :data:`NAME_KEYS` for each row of ``names`` (the :data:`NAME_INPUTS`
    columns; the keys ``first_name`` and ``last_name`` replace the inputs of those names), as a
    query: selecting some keys builds those and what they need only.

    ``name``: the whole name folded to ASCII letters, generation suffixes (Jr, Filho) left out;
    ``first_name``: the first word of the folded first name, a known nickname replaced
    (``ze`` -> ``jose``); ``last_name``: see :func:`_last_name`; ``generation``: the name's
    generation marker; the phonetic keys are metaphone codes; a mistyped nickname read as its
    short form (:func:`with_typo_nicknames`); ``last_name_read``: see
    :mod:`crmclean.dedupe.typo_keys`.
    """
    return keys_of(names, with_typo_nicknames(names, config))


def keys_of(names: pl.DataFrame, config: MatchConfig) -> pl.LazyFrame:
    """:func:`name_keys` under ``config`` as it is (its typo nicknames already added)."""
    parts = _by_value(names.lazy(), "first_name", _first_parts, config)
    folded = _by_value(parts, "last_name", _last_parts, config)
    folded = folded.with_columns(fold(whole_text()).alias(_WHOLE))
    keys = folded.with_columns(first_name=pl.col(_FIRST_KEY), **whole_name_keys(config))
    keys = keys.with_columns(last_name=_last_name(config))
    keys = keys.with_columns(_token_keys(config))
    for stage in DERIVED:
        keys = keys.with_columns(build().alias(key) for key, (_, build) in stage.items())
    read = pl.col("last_name").map_batches(read_surnames, return_dtype=pl.String)
    return keys.with_columns(last_name_read=read).select(NAME_KEYS)
