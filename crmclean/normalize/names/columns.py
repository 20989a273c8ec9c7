"""The name columns of a record: recase, fill, move titles and suffixes out, split.

``honorific`` ("Dra.") and ``name_suffix`` ("Filho", "Jr.") become fields of their own; a lone
``full_name`` is split into first/middle/last; an empty ``full_name`` is built from the parts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import partial

import polars as pl

from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.cell_patterns import FORMULA
from crmclean.normalize.distinct import FastPath, map_distinct, scatter_rows
from crmclean.normalize.findings import AFTER, BEFORE, Step, by_rule, changed, concat, pairs
from crmclean.normalize.names import fast_path as name_fast
from crmclean.normalize.names.split import FullName, parse_full, take_honorific, take_suffix
from crmclean.normalize.names.vocabulary import NameRules, kept_as_typed, recase
from crmclean.rules import Rules

FIRST, MIDDLE, LAST, FULL = "first_name", "middle_name", "last_name", "full_name"
HONORIFIC, SUFFIX = "honorific", "name_suffix"
NAME_FIELDS = (FULL, FIRST, MIDDLE, LAST)
WRITTEN = (*NAME_FIELDS, HONORIFIC, SUFFIX)  # every column the step may write (and its fields)
_TEXT = pl.String()
PARSED = {name: _TEXT for name in FullName._fields}


def normalize_names(frame: pl.DataFrame, rules: Rules, fields: Sequence[str] = NAME_FIELDS) -> Step:
    """Recase ``fields``; fill an empty ``full_name``; then titles, suffixes and splitting.

    Filling first means a built full name goes through the same parsing as a typed one, so a
    second run finds nothing left to change.
    """
    vocab = NameRules.load(rules)
    missing = [c for c in (*NAME_FIELDS, HONORIFIC, SUFFIX) if c not in frame.columns]
    frame = frame.with_columns(pl.lit(None, _TEXT).alias(c) for c in missing)
    found = []
    for step in (partial(_recase, fields=fields), _fill, partial(_recase, fields=[FULL]), _parts):
        frame, findings = step(frame, vocab)
        found.append(findings)
    return Step(frame, concat(found))


def _recase(frame: pl.DataFrame, vocab: NameRules, fields: Sequence[str]) -> Step:
    """Each field recased; a middle or last name comes after the given name, so a particle
    it starts with stays lower case (``DA SILVA`` -> ``da Silva``, as in the full name)."""

    def one(value: str, first: bool = True) -> tuple[str]:
        return (recase(value, vocab, first),)

    def mixed(field: str, first: bool) -> FastPath:
        typed = kept_as_typed(pl.col(field), vocab.particles, first) | _formula(field)
        return FastPath(when=typed, then={field: pl.col(field)})

    given = {f: f not in (MIDDLE, LAST) for f in fields}
    after = {
        f: map_distinct(frame, [f], partial(one, first=given[f]), {f: _TEXT}, mixed(f, given[f]))[f]
        for f in fields
    }
    rule = pl.when(changed()).then(pl.lit("name.recased"))
    findings = [by_rule(pairs(frame, pl.col(f), after[f]), f, rule) for f in fields]
    return Step(frame.with_columns(**after), concat(findings))


def _parts(frame: pl.DataFrame, vocab: NameRules) -> Step:
    """:func:`_parts_of` on the rows it may change, put back in place: a first or last name of
    several words (a title or suffix to take off) or a full name to parse. The others (most of
    a CRM's: one-word names, full names built from them) it leaves as they are and finds
    nothing in, and working them cost each output a whole column of nulls to coalesce."""
    may_change = (
        pl.col(FIRST).str.contains(" ", literal=True)
        | pl.col(LAST).str.contains(" ", literal=True)
        | (pl.col(FULL).is_not_null() & _parsed(vocab))
    ).fill_null(False)
    at = frame.select(may_change.arg_true()).to_series()
    worked = _parts_of(frame.select(SOURCE, SOURCE_ID, *WRITTEN)[at], vocab)
    return Step(scatter_rows(frame, at, worked.frame.select(WRITTEN)), worked.findings)


def _parts_of(frame: pl.DataFrame, vocab: NameRules) -> Step:
    """Titles off first/full names, a suffix off the last name, a lone full name split (its
    suffix kept only then: "João Neto" built from first "João", last "Neto" has none)."""
    # A name of one word has no title or suffix to take (it is left as it is): only names of
    # several are asked, the others stay as they are through the coalesces below.
    spaced = frame.select(
        pl.when(pl.col(f).str.contains(" ", literal=True)).then(pl.col(f)).alias(f)
        for f in (FIRST, LAST)
    )
    titled, suffixed = (
        map_distinct(spaced, [field], partial(take, vocab=vocab), _pair(field), fast(field, vocab))
        for field, take, fast in (
            (FIRST, take_honorific, name_fast.untitled),
            (LAST, take_suffix, name_fast.unsuffixed),
        )
    )
    asked = frame.select(pl.when(_parsed(vocab)).then(pl.col(FULL)).alias(FULL))
    full = map_distinct(
        asked, [FULL], partial(parse_full, vocab=vocab), PARSED, name_fast.fast_path(FULL, vocab)
    )
    lone = pl.col(FIRST).is_null() & pl.col(LAST).is_null() & pl.lit(full["first"]).is_not_null()
    # A formula matters only where a full name was parsed (elsewhere ``full`` is empty and the
    # name stays as it is): tested on those alone. Found once (the columns below and the
    # findings read it; an eager query would test it once per use).
    formula = asked.select(_formula(FULL))[FULL]
    was_split = frame.select((lone & ~pl.lit(formula)).alias("split"))["split"]
    alone = pl.lit(was_split)
    # A part of nothing but punctuation (";" of "1 ;") is no name: left empty, as the
    # placeholder step would empty it on a second run.
    worded = {p: pl.lit(full[p]).str.contains(r"[\p{L}\p{N}]") for p in _SPLIT.values()}
    split = {f: pl.when(alone & worded[p]).then(pl.lit(full[p])) for f, p in _SPLIT.items()}
    split["suffix"] = pl.when(alone).then(pl.lit(full["suffix"]))
    updated = frame.with_columns(
        pl.coalesce(pl.col(HONORIFIC), pl.lit(titled["tag"]), pl.lit(full["honorific"])),
        pl.coalesce(pl.col(SUFFIX), pl.lit(suffixed["tag"]), split["suffix"]),
        pl.coalesce(split[FIRST], pl.lit(titled[FIRST]), pl.col(FIRST)).alias(FIRST),
        pl.coalesce(split[MIDDLE], pl.col(MIDDLE)).alias(MIDDLE),
        pl.coalesce(split[LAST], pl.lit(suffixed[LAST]), pl.col(LAST)).alias(LAST),
        pl.when(pl.lit(formula))
        .then(pl.col(FULL))
        .otherwise(pl.coalesce(pl.lit(full["full"]), pl.col(FULL)))
        .alias(FULL),
    )
    return Step(updated, _part_findings(frame, updated, full["rule"], was_split))


_SPLIT = {FIRST: "first", MIDDLE: "middle", LAST: "last"}


def _parsed(vocab: NameRules) -> pl.Expr:
    """The full names :func:`_parts` needs parsed: those it may split (no first or last name),
    and those ``parse_full`` changes (a comma: reordered or an honour; a title in front).
    Any other gives no honorific, no rule and itself as ``full`` (as the names ``_fill``
    builds from first and last names, most of a CRM's): nothing to parse."""
    return (
        (pl.col(FIRST).is_null() & pl.col(LAST).is_null())
        | pl.col(FULL).str.contains(",", literal=True)
        | pl.col(FULL).str.contains(titled(vocab.titles))
    ).fill_null(True)


def titled(titles: Collection[str]) -> str:
    """A pattern for a value whose first word (up to a space) is one of ``titles`` (their
    :func:`~crmclean.normalize.names.vocabulary.word_key`) in any case, dots and commas
    after it: one regex pass, where finding the word and its key costs five times as much.
    It may take a few values the key would not (``ſr`` folds to ``sr``): those are parsed,
    which changes nothing; it misses none."""
    words = "|".join(re.escape(title) for title in sorted(titles, key=len, reverse=True))
    return rf"(?i)^(?:{words})[.,]*(?: |$)" if words else r"[^\s\S]"


def _formula(field: str) -> pl.Expr:
    """A cell that looks like a spreadsheet formula (RD03): never a name, kept as typed."""
    return pl.col(field).str.contains(FORMULA).fill_null(False)


def _pair(field: str) -> dict[str, pl.DataType]:
    return {"tag": _TEXT, field: _TEXT}


def _part_findings(
    frame: pl.DataFrame, updated: pl.DataFrame, full_rule: pl.Series, was_split: pl.Series
) -> pl.DataFrame:
    split = pl.lit(was_split) & AFTER.is_not_null()
    own = {FIRST: "name.honorific_moved", LAST: "name.suffix_moved"}
    findings = []
    for field in (FIRST, MIDDLE, LAST):
        both = pairs(frame, pl.col(field), updated[field])
        from_full = pairs(frame, pl.col(FULL), updated[field])
        findings.append(
            by_rule(from_full, field, pl.when(split).then(pl.lit("name.split_full_name")))
        )
        if field in own:
            moved = ~pl.lit(was_split) & changed()
            findings.append(by_rule(both, field, pl.when(moved).then(pl.lit(own[field]))))
    rule = pl.when(changed()).then(pl.lit(full_rule))
    findings.append(by_rule(pairs(frame, pl.col(FULL), updated[FULL]), FULL, rule))
    return concat(findings)


def _fill(frame: pl.DataFrame, vocab: NameRules) -> Step:
    """An empty ``full_name`` becomes "first middle last suffix" (a suffix alone is no name:
    the parts joined must not be empty, as they are with no part or one empty part). Joined
    once, the test read from the parts: joining them twice more to test the join cost 0.1 s
    of CPU over 1M names instead of 0.06."""
    parts = (pl.col(FIRST), pl.col(MIDDLE), pl.col(LAST))
    named = pl.any_horizontal(part != "" for part in parts) | (
        pl.sum_horizontal(part.is_not_null() for part in parts) > 1
    )
    built = pl.concat_str(*parts, pl.col(SUFFIX), separator=" ", ignore_nulls=True)
    after = pl.coalesce(pl.col(FULL), pl.when(named).then(built))
    both = pairs(frame, pl.col(FULL), after)
    rule = pl.when(BEFORE.is_null() & AFTER.is_not_null()).then(pl.lit("name.filled_full_name"))
    return Step(frame.with_columns(both["after"].alias(FULL)), by_rule(both, FULL, rule))
