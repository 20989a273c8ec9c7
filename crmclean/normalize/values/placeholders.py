"""Placeholders (``-``, ``N/A``, ``não informado``, ``00000-000``) emptied in every field, from
the one vocabulary of ``rules/normalize/placeholders.yaml``, with finding TX02.

A value is looked up in a folded form (lower case, common accents off, runs of anything but
letters and digits one space: "N/A" -> "n a"). The fold is never computed: each word becomes
an anchored expression that matches exactly the values folding to it ("n a" matches ``N/A``,
``n.a.``, ``(n/a)``...), and with the patterns it makes one expression per field: one
vectorized pass over each column, in which a cell that cannot be a placeholder fails on its
first characters. After the text step, each column it worked on distinct values is tested on
those values only, and the rows found by a lookup when one matches (:func:`clean_text`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.normalize.findings import Step, by_rule, concat
from crmclean.normalize.spec import load_spec
from crmclean.normalize.values.text import clean_fields_distinct
from crmclean.rules import Rules

SPEC = "normalize/placeholders.yaml"
RULE = "text.placeholder"


class PlaceholderSpec(BaseModel):
    """The contents of ``rules/normalize/placeholders.yaml``."""

    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(default_factory=list)
    fields: dict[str, list[str]] = Field(default_factory=dict)
    patterns: list[str] = Field(default_factory=list)
    field_patterns: dict[str, list[str]] = Field(default_factory=dict)
    skip_types: list[str] = Field(default_factory=list)
    max_length: int = 24


def load(rules: Rules) -> PlaceholderSpec:
    """The placeholder vocabulary of a run."""
    return load_spec(rules, SPEC, PlaceholderSpec)


def checked_fields(rules: Rules, spec: PlaceholderSpec) -> list[str]:
    """The model fields whose type is not skipped."""
    return [n for n, f in rules.model.fields.items() if f.type not in spec.skip_types]


# The accents the fold takes off, by the plain letter they fold to.
_ACCENTS = {
    "a": "áàâãä",
    "e": "éèêë",
    "i": "íìîï",
    "o": "óòôõö",
    "u": "úùûü",
    "c": "ç",
    "n": "ñ",
}
# Outside case-insensitive mode: a letter's case is a letter too, and a negated Unicode class
# under ``(?i)`` costs polars about ten times as much to compile (once per run and field).
_BARE = r"(?-i:[^\p{L}\p{N}])"
_GAP = r"(?-i:[^\p{L}\p{N}@])"  # no word of the vocabulary is typed around an "@"


def fold(word: str) -> str:
    """A word of the vocabulary in its folded form ("Não-informado" -> "nao informado")."""
    lower = word.lower()
    for plain, accented in _ACCENTS.items():
        lower = re.sub(f"[{accented}]", plain, lower)
    return re.sub(r"[^\w]+|_+", " ", lower).strip()


def _letter(char: str) -> str:
    """The expression of one folded character: itself or an accented form, any case."""
    return f"[{char}{_ACCENTS[char]}]" if char in _ACCENTS else re.escape(char)


@cache
def word_pattern(words: tuple[str, ...]) -> str:
    """An anchored expression matching exactly the values whose folded form is one of
    ``words`` (no "@" in them), or that have no letter or digit (cached: a run asks for it
    once per field)."""
    folded = sorted({key for word in words if (key := fold(word))})
    spelled = ("".join(f"{_GAP}+" if c == " " else _letter(c) for c in key) for key in folded)
    alternatives = "|".join(spelled)
    worded = f"|{_GAP}*(?:{alternatives}){_GAP}*" if alternatives else ""
    return f"(?i:^(?:{_BARE}*{worded})$)"


def pattern(spec: PlaceholderSpec, field: str) -> str:
    """One expression for every placeholder of ``field`` but the length limit: a word of the
    vocabulary (any case), punctuation only, or a match of one of the patterns."""
    words = word_pattern((*spec.words, *spec.fields.get(field, [])))
    patterns = [*spec.patterns, *spec.field_patterns.get(field, [])]
    return "|".join([f"(?:{words})", *(f"(?:{p})" for p in patterns)])


def drop_placeholders(
    frame: pl.DataFrame,
    rules: Rules,
    fields: Sequence[str] = (),
    distinct: Mapping[str, pl.Series] | None = None,
) -> Step:
    """The placeholders of ``fields`` (default: every checked text field) emptied, a TX02
    each. Patterns see the value as the text step leaves it (trimmed). ``distinct`` holds the
    distinct values of some columns: those are tested on them instead of on every row."""
    spec = load(rules)
    names = [
        f
        for f in (fields or checked_fields(rules, spec))
        if f in frame.columns and frame.schema[f] == pl.String
    ]
    known = distinct or {}
    whole = [f for f in names if f not in known]
    matches = frame.lazy().select(  # one query: polars checks the columns in parallel
        pl.col(f).str.contains(pattern(spec, f)).fill_null(False).arg_true().implode()
        for f in whole
    )
    found = {
        f: rows[0].filter(frame[f].gather(rows[0]).str.len_chars() <= spec.max_length)
        for f, rows in matches.collect().to_dict().items()
    }
    found |= _distinct_rows(frame, {f: known[f] for f in names if f in known}, spec)
    at = {f: found[f] for f in names if len(found[f])}
    after = {f: frame[f].clone().scatter(rows, None) for f, rows in at.items()}
    findings = [
        by_rule(
            frame[rows].select(SOURCE, SOURCE_ID, before=f, after=pl.lit(None, pl.String)),
            f,
            pl.lit(RULE),
        )
        for f, rows in at.items()
    ]
    return Step(frame.with_columns(**after), concat(findings))


def _is_placeholder(value: pl.Expr, spec: PlaceholderSpec, field: str) -> pl.Expr:
    """Whether each ``value`` of ``field`` is a placeholder (false for nulls)."""
    short = value.str.len_chars() <= spec.max_length
    return (value.str.contains(pattern(spec, field)) & short).fill_null(False)


def _distinct_rows(
    frame: pl.DataFrame, distinct: Mapping[str, pl.Series], spec: PlaceholderSpec
) -> dict[str, pl.Series]:
    """The rows of each column of ``distinct`` holding a placeholder, testing the column's
    distinct values only (every column in one parallel run) and looking up the rows of a
    column only when one of them is a placeholder."""
    tested = [f for f, values in distinct.items() if not values.is_empty()]
    queries = [
        distinct[f].to_frame(f).lazy().filter(_is_placeholder(pl.col(f), spec, f)) for f in tested
    ]
    found = dict(zip(tested, pl.collect_all(queries), strict=True))
    none = pl.Series([], dtype=pl.UInt32)
    return {
        f: frame[f].is_in(found[f][f]).fill_null(False).arg_true()
        if f in found and not found[f].is_empty()
        else none
        for f in distinct
    }


def clean_text(
    frame: pl.DataFrame, rules: Rules, fields: Sequence[str], placeholders: bool = True
) -> Step:
    """The text step (:func:`~crmclean.normalize.values.text.clean_fields` on ``fields``) then,
    unless ``placeholders`` is false, :func:`drop_placeholders` on every checked field, testing
    the columns the text step worked on distinct values on those values only."""
    text, distinct = clean_fields_distinct(frame, fields)
    if not placeholders:
        return text
    dropped = drop_placeholders(text.frame, rules, distinct=distinct)
    return Step(dropped.frame, concat([text.findings, dropped.findings]))
