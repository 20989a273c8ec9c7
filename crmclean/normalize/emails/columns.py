"""E-mail cells to a primary address plus alternates, checked with email-validator."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import partial

import polars as pl
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from crmclean.normalize.distinct import FastPath, cell_parts
from crmclean.normalize.emails import vocabulary as email_keys
from crmclean.normalize.emails.repair import chunks, repair, restore_dots
from crmclean.normalize.findings import Step, from_parts
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

ALT = "email_alt"

# The fast path: a lowercase ASCII dot-atom address that email-validator accepts unchanged.
# Labels cannot start or end with "-", "--" anywhere sends the value to the library (it has
# Punycode and "ab--" rules), and special-use domains (".local", ".test"...) are left to it.
_LOCAL = r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PLAIN = rf"^{_LOCAL}@(?:{_LABEL}\.)+[a-z]{{2,63}}$"
# Non-ASCII local parts: lower-case Latin letters with accents (ß..ÿ but ÷, Latin Extended-A but
# the dotted İ, whose lower case takes a combining mark). email-validator accepts letters there
# and stores them NFC, as they are; python and polars lowercase these letters alike.
_INTL = "a-z0-9_%+\u00df-\u00f6\u00f8-\u00ff\u0100-\u012f\u0131-\u017f-"
_LOCAL_INTL = rf"[{_INTL}]+(?:\.[{_INTL}]+)*"
PLAIN_INTL = rf"^{_LOCAL_INTL}@(?:{_LABEL}\.)+[a-z]{{2,63}}$"
_SPECIAL = "|".join(re.escape(name) for name in SPECIAL_USE_DOMAIN_NAMES)
SPECIAL = rf"[@.](?:{_SPECIAL})$"
MAX_LENGTH = 254
# Several plain addresses separated by ; , / | or spaces (the split fast path).
_TOKEN = r"[A-Za-z0-9._%+@-]+"
SEVERAL = rf"^{_TOKEN}(?:[;,/| ]+{_TOKEN})+$"
_UNIT, _ACCENTED = "__unit", "__accented"

_QUOTED = re.compile(r'"[^"]*"')
# A word joined to an address by a bare comma or semicolon ("first,last@x.com"): the comma may
# stand for a dot, for nothing or for a separator; read as words glued to the address.
_COMMA_GLUED = re.compile(r"(?<![^\s;|/<])([^\s@;,|/<>]+)[,;](?=[^\s@;,|/<>]+@)")
_DISPLAY_NAME = re.compile(r"(?:^|(?<=[;,]))[^;,<>@]*<([^<>@]*@[^<>]*)>")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_WRAPPERS = "()[]<>\"'"


def is_plain(cell: pl.Expr) -> pl.Expr:
    """True for a single address the fast path may take as it is."""
    return (
        cell.str.contains(PLAIN)
        & ~cell.str.contains(SPECIAL)
        & ~cell.str.contains("--", literal=True)
        & (cell.str.len_bytes() <= MAX_LENGTH)
    )


def is_plain_intl(cell: str | pl.Expr) -> pl.Expr:
    """:func:`is_plain` for an address whose local part has accented Latin letters."""
    cell = pl.col(cell) if isinstance(cell, str) else cell
    return (
        cell.str.contains(PLAIN_INTL)
        & ~cell.str.contains(SPECIAL)
        & ~cell.str.contains("--", literal=True)
        & (cell.str.len_bytes() <= MAX_LENGTH)
    )


def tokens(cell: str) -> list[tuple[str, bool]]:
    """The candidate addresses in a cell, each with ``True`` when words are glued to it
    (see :func:`~crmclean.normalize.emails.repair.chunks`; a word joined to an address by a
    bare comma counts as glued); a cell with no "@" is one (invalid) candidate."""
    if "@" not in cell:
        return [(cell.strip(), False)] if cell.strip() else []
    text = _DISPLAY_NAME.sub(r" \1 ", _QUOTED.sub(" ", cell))
    text = _COMMA_GLUED.sub(r"\1 ", text)
    return [(token, glued) for token, glued in chunks(text) if token.strip(_WRAPPERS)]


def address(token: str) -> Part:
    """One candidate as stored (IDNA domains in ASCII), with the rule when it changed or failed."""
    candidate = _MAILTO.sub("", token.strip(_WRAPPERS)).lower()
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return Part(None, "email.invalid", token)
    stored = result.ascii_email or result.normalized
    if stored == token:
        return Part(stored)
    rule = "email.lowercased" if stored == token.lower() else "email.normalized"
    return Part(stored, rule, token, stored)


def parse_cell(cell: str, known: Collection[str] = ()) -> list[Part]:
    """Every candidate of a cell, plus an ``email.split`` part when it held several and an
    ``email.repaired`` part when stray spaces or commas were fixed (see
    :mod:`~crmclean.normalize.emails.repair`; ``known``: the providers whose domains may be
    typed without dots). Words glued to an address make an ``email.ambiguous`` part; a cell
    with no valid address is then kept as typed (never cut to a valid-looking piece, never
    emptied: the error finding asks a person to fix it)."""
    repaired = repair(cell)
    found: list[Part] = []
    ambiguous: list[int] = []
    fixed = repaired != cell
    for token, glued in tokens(repaired):
        if glued:
            ambiguous.append(len(found))
            found.append(Part(None, "email.ambiguous", token))
            continue
        dotted = restore_dots(token, known)
        fixed = fixed or dotted != token
        found.append(address(dotted))
    values = [part.value for part in found if part.value is not None]
    if ambiguous and not values:  # the cell as typed, with its ambiguous chunks as findings
        kept = [found[index] for index in ambiguous]
        return [kept[0]._replace(value=cell.strip()), *kept[1:]]
    if len(found) > 1 and values:
        found.append(Part(None, "email.split", cell, values[0]))
    if fixed and values:
        found.append(Part(None, "email.repaired", cell, values[0]))
    return found


def fast_path(field: str) -> FastPath:
    """A cell whose lowercase is plain (ASCII, or accented Latin letters in the local part):
    that lowercase, ``email.lowercased`` if it differs; several plain ASCII addresses: each of
    them, then ``email.split``.

    This is exactly what :func:`parse_cell` gives for such cells (a test checks it).
    """
    cell = pl.col(field)
    lower = cell.str.to_lowercase()
    ascii_only = cell.str.len_bytes() == cell.str.len_chars()
    return FastPath(
        prepare=(partial(_accented, field=field),),
        when=pl.when(ascii_only).then(is_plain(lower)).otherwise(pl.col(_ACCENTED)),
        then=_lowercased(cell, lower),
        split=lambda todo: _split(todo, field),
    )


def _accented(frame: pl.DataFrame, field: str) -> pl.DataFrame:
    """``frame`` plus whether each non-ASCII cell's lowercase is :func:`is_plain_intl` (looked
    at on those cells only: a second regex over every address would cost more)."""
    cell = pl.col(field)
    found = pl.repeat(False, frame.height, eager=True).alias(_ACCENTED)
    rows = frame.select((cell.str.len_bytes() != cell.str.len_chars()).fill_null(False).arg_true())
    at = rows.to_series()
    if len(at):
        cells = frame[field].gather(at).to_frame()
        found = found.scatter(at, cells.select(is_plain_intl(cell.str.to_lowercase()))[field])
    return frame.with_columns(found)


def _lowercased(typed: pl.Expr, lower: pl.Expr) -> dict[str, pl.Expr]:
    """The part of a plain address: its lowercase, with ``email.lowercased`` if it changed."""
    changed = pl.when(lower != typed)
    return {
        "value": lower,
        "rule": changed.then(pl.lit("email.lowercased")),
        "before": changed.then(typed),
        "after": changed.then(lower),
    }


def _split(todo: pl.DataFrame, field: str) -> pl.DataFrame:
    """The parts of cells holding several plain addresses (``__unit`` and part columns)."""
    cells = todo.filter(pl.col(field).str.contains(SEVERAL))
    token = pl.col("token")
    tokens = cells.select(_UNIT, field, token=pl.col(field).str.extract_all(r"[^;,/| ]+"))
    tokens = tokens.explode("token").with_columns(lower=token.str.to_lowercase())
    tokens = tokens.filter(is_plain(pl.col("lower")).all().over(_UNIT))
    addresses = tokens.select(_UNIT, **_lowercased(token, pl.col("lower")))
    first = tokens.group_by(_UNIT, maintain_order=True).first()
    splits = first.select(
        _UNIT,
        value=pl.lit(None, pl.String),
        rule=pl.lit("email.split"),
        before=pl.col(field),
        after=pl.col("lower"),
    )
    parts = pl.concat([addresses, splits], how="diagonal_relaxed").sort(_UNIT, maintain_order=True)
    return parts.with_columns(pl.lit(None, pl.String).alias(name) for name in ("kind", "extension"))


def normalize_emails(
    frame: pl.DataFrame, field: str = "email", known: Collection[str] = ()
) -> Step:
    """``email`` becomes the first valid address; the others go to ``email_alt``.

    Addresses already in ``email_alt`` (a frame normalized before) stay there. ``known``: the
    big providers (a domain typed without its dots is restored to one of them).
    """
    parse = partial(parse_cell, known=tuple(known))
    parts = cell_parts(frame, [field], parse, PART_SCHEMA, fast=fast_path(field))
    kept = frame[ALT] if ALT in frame.columns else None
    primary, alternates = parts.head["value"], empty_lists(frame.height)
    rows = odd_rows([parts], kept)
    if not rows.is_empty():
        values = pl.lit(cell_values(parts, rows))
        if kept is not None:
            values = pl.concat_list(values, pl.lit(kept.gather(rows)).fill_null(EMPTY))
        odd = pl.select(values.list.unique(maintain_order=True).alias("v"))["v"]
        primary = scatter(primary, rows, odd.list.first())
        alternates = scatter(alternates, rows, odd.list.slice(1))
    updated = frame.with_columns(primary.alias(field), alternates.alias(ALT))
    return Step(updated, from_parts(frame, parts, field))


def clean_emails(frame: pl.DataFrame, rules: Rules) -> Step:
    """The stage step: :func:`normalize_emails` with the providers of the run's vocabulary."""
    return normalize_emails(frame, known=email_keys.load(rules).known_domains)
