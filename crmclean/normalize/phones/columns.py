"""Phone and mobile cells to E.164 primaries plus ``phone_alt``, once per distinct cell."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

import polars as pl

from crmclean.normalize.distinct import INDEX, MANY, FastPath, Parts, cell_parts
from crmclean.normalize.findings import Step, concat, from_parts
from crmclean.normalize.phones import words as phone_words
from crmclean.normalize.phones.fast_path import fast_path
from crmclean.normalize.phones.one_number import to_e164
from crmclean.normalize.phones.regions import record_regions
from crmclean.normalize.phones.words import PhoneSpec, unjoin
from crmclean.normalize.values.multi_cells import (
    EMPTY,
    PART_SCHEMA,
    Part,
    cell_values,
    empty_lists,
    odd_rows,
    scatter,
)
from crmclean.rules import Rules

ALT = "phone_alt"
REGION, FALLBACK = "_region", "_fallback_region"
EXTENSION, KIND = "phone_extension", "phone_type"
MOBILE_KIND = "mobile_type"  # the dedupe stage's landline test reads it (keys.py)
UNREAD = "phone_unread"  # the dedupe stage's phone keys read it (keys.py)

# Separators between numbers; a comma followed by "digits E" is Excel's decimal comma.
_SEPARATORS = re.compile(
    r"\s*(?:[;/|\r\n]|,(?![0-9]+\s*e)|\s(?:e|ou|or|y|o|and)\s)\s*", re.IGNORECASE
)


def split(cell: str) -> list[str]:
    """The numbers typed in one cell; a cell without digits is one (unparseable) piece."""
    if not any(char.isdigit() for char in cell):
        return [cell.strip()] if cell.strip() else []
    pieces = [part for part in _SEPARATORS.split(cell.strip()) if part]
    return [number for piece in pieces for number in unjoin(piece)]


def parse_cell(
    cell: str, region_code: str, words: tuple[str, ...] = (), ninth: bool = True
) -> list[Part]:
    """Every number of a cell, plus a ``phone.split`` part when it held several (``words``
    and ``ninth``: see :func:`~crmclean.normalize.phones.one_number.to_e164`)."""
    parts = [to_e164(piece, region_code, words, ninth) for piece in split(cell)]
    values = [part.value for part in parts if part.value is not None]
    if len(parts) > 1 and values:
        parts.append(Part(None, "phone.split", cell, values[0]))
    return parts


def normalize_phones(
    frame: pl.DataFrame,
    default_region: str,
    fields: Sequence[str] = ("phone", "mobile"),
    country: str = "country",
    spec: PhoneSpec | None = None,
) -> Step:
    """Each field keeps its first number; every other number goes to ``phone_alt``. A number
    without a country code is read in the record's region (see ``regions``).

    The first field's number also gives ``phone_extension`` and ``phone_type``; a ``mobile``
    field's, ``mobile_type`` (the parse already done, so dedupe types no mobile again).
    ``spec``: the words around numbers and the ninth-digit setting (none and on without it).
    The digits of a number no region reads (a foreign number typed without its country code,
    one of a wrong length) go to ``phone_unread``, a list the dedupe stage matches on (two
    records typing one unreadable number alike still share it).
    """
    spec = spec or PhoneSpec()
    parse = partial(parse_cell, words=tuple(spec.words), ninth=spec.br_ninth_digit)
    fast = partial(fast_path, region_column=REGION, ninth=spec.br_ninth_digit)
    region, fallback = record_regions(frame, default_region, spec.generic_cctlds, country)
    keyed = frame.with_columns(region.alias(REGION), fallback.alias(FALLBACK))
    parts = {f: _field_parts(keyed, f, parse, fast(f)) for f in fields}
    kept = frame[ALT] if ALT in frame.columns else None
    primaries, alternates = _spread([parts[f] for f in fields], kept)
    updated = frame.with_columns(
        *(primary.alias(f) for primary, f in zip(primaries, fields, strict=True)),
        alternates.alias(ALT),
        _unread([parts[f] for f in fields], frame),
        *_primary_details(parts[fields[0]], frame),
        *(
            [pl.lit(_first_valid(parts["mobile"])[0]).alias(MOBILE_KIND)]
            if "mobile" in parts
            else []
        ),
    )
    return Step(updated, concat([from_parts(frame, parts[f], f) for f in fields]))


def _field_parts(
    keyed: pl.DataFrame, field: str, parse: Callable[..., list[Part]], fast: FastPath
) -> Parts:
    """The numbers of ``field`` read in each record's region; each single number the
    e-mail's region called invalid is read in the region the record's other hints give,
    where it is valid there.

    The cells of records whose two regions differ are read in the second one in the same
    pass (appended rows): one pass costs less than a second one for the few numbers found
    invalid (a fixed cost of the fast path's and the port's steps, ~25 ms); a field without
    a cell (a source with no mobiles) skips those steps."""
    other = keyed.select(
        ((pl.col(REGION) != pl.col(FALLBACK)) & pl.col(field).is_not_null()).arg_true()
    ).to_series()
    second = keyed.select(field, pl.col(FALLBACK).alias(REGION))[other]
    units = pl.concat([keyed.select(field, REGION), second])
    empty = keyed[field].null_count() == keyed.height  # nothing for the fast path's steps
    both = cell_parts(units, [field, REGION], parse, PART_SCHEMA, None if empty else fast)
    height = keyed.height
    rest = both.rest.filter(pl.col(INDEX) < height)
    return Parts(_read_again(both.head[:height], other, both.head[height:]), rest)


def _read_again(head: pl.DataFrame, other: pl.Series, again: pl.DataFrame) -> pl.DataFrame:
    """``head`` with its single numbers found invalid at the rows ``other`` replaced by their
    readings in the other region (``again``, in the order of ``other``) where those are
    single and valid."""
    retry = head[other].select(pl.col("value").is_null() & ~pl.col(MANY)).to_series()
    found = again.select(pl.col("value").is_not_null() & ~pl.col(MANY)).to_series()
    rows, better = other.filter(retry & found), again.filter(retry & found)
    if rows.is_empty():
        return head
    return head.with_columns(scatter(head[name], rows, better[name]) for name in head.columns)


def clean_phones(frame: pl.DataFrame, rules: Rules) -> Step:
    """The stage step: :func:`normalize_phones` with the run's region and phone vocabulary."""
    return normalize_phones(frame, rules.default_region, spec=phone_words.load(rules))


def _spread(parts: list[Parts], kept: pl.Series | None) -> tuple[list[pl.Series], pl.Series]:
    """Each field's first number, and every number that is not a primary, once, in order (a
    previous ``phone_alt`` included). Only rows with several numbers need list work."""
    primaries = [part.head["value"] for part in parts]
    alternates = empty_lists(len(primaries[0]))
    rows = odd_rows(parts, kept)
    if rows.is_empty():
        return primaries, alternates
    lists = [pl.lit(cell_values(part, rows)) for part in parts]
    firsts = [values.list.first() for values in lists]
    rests = [values.list.slice(1) for values in lists]
    if kept is not None:
        rests.append(pl.lit(kept.gather(rows)).fill_null(EMPTY))
    every = pl.concat_list(*firsts, *rests).list.drop_nulls().list.unique(maintain_order=True)
    taken = pl.concat_list(*firsts).list.drop_nulls().list.unique().list.len()
    odd = pl.select(*(f.alias(str(i)) for i, f in enumerate(firsts)), alt=every.list.slice(taken))
    primaries = [scatter(p, rows, odd[str(i)]) for i, p in enumerate(primaries)]
    return primaries, scatter(alternates, rows, odd["alt"])


def _unread(parts: list[Parts], frame: pl.DataFrame) -> pl.Series:
    """``phone_unread``: the digits (8 or more) of each field's number left out, a cell of
    one number; after those a previous run kept, so normalizing twice changes nothing.

    Lists are built where a row has something for them: one number left out and nothing
    kept is a list of it by a when/then; only rows with more go through list work."""
    digits = [_left_out(part) for part in parts]
    kept = frame[UNREAD] if UNREAD in frame.columns else None
    lone = pl.coalesce(*(pl.lit(d) for d in digits))
    lists = pl.select(
        pl.when(lone.is_null()).then(EMPTY).otherwise(pl.concat_list(lone)).alias(UNREAD)
    ).to_series()
    several = pl.sum_horizontal(pl.lit(d).is_not_null() for d in digits) > 1
    if kept is not None:
        several = several | (kept.list.len() > 0).fill_null(False)
    rows = pl.select(several.arg_true()).to_series()
    if rows.is_empty():
        return lists
    every = pl.concat_list(
        pl.lit(kept.gather(rows)).fill_null(EMPTY) if kept is not None else EMPTY,
        *(pl.lit(d.gather(rows)) for d in digits),
    )
    odd = pl.select(every.list.drop_nulls().list.unique(maintain_order=True)).to_series()
    return scatter(lists, rows, odd)


def _left_out(parts: Parts) -> pl.Series:
    """The digits typed of each row's number left out (null where none, or under 8); worked
    on the rows with a cell and no value only."""
    head = parts.head
    rows = head.select((pl.col("value").is_null() & pl.col("before").is_not_null()).arg_true())
    at = rows.to_series()
    found = pl.repeat(None, head.height, dtype=pl.String, eager=True)
    if at.is_empty():
        return found
    typed = pl.col("before").str.replace_all(r"[^0-9]", "")
    typed_at = head.select("before")[at].lazy()  # lazily: the digits are found once
    digits = typed_at.select(pl.when(typed.str.len_chars() >= 8).then(typed)).collect()
    return found.scatter(at, digits.to_series())


def _first_valid(parts: Parts) -> tuple[pl.Series, pl.Series]:
    """Kind and extension of each row's first valid number (the field's primary)."""
    valid = pl.col("value").is_not_null()
    first = parts.rest.filter(valid).group_by(INDEX, maintain_order=True).first()
    rows = first[INDEX]
    return (
        scatter(parts.head["kind"], rows, first["kind"]),
        scatter(parts.head["extension"], rows, first["extension"]),
    )


def _primary_details(parts: Parts, frame: pl.DataFrame) -> list[pl.Expr]:
    """``phone_extension`` (a typed one wins) and ``phone_type`` of the first valid number."""
    kinds, extensions = _first_valid(parts)
    typed = pl.col(EXTENSION) if EXTENSION in frame.columns else pl.lit(None, pl.String)
    return [
        pl.coalesce(typed, pl.lit(extensions)).alias(EXTENSION),
        pl.lit(kinds).alias(KIND),
    ]
