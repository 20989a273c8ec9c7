"""``phonenumbers.parse`` and ``is_valid_number`` for numbers typed as plain digits, in polars.

A port of the library's steps, driven by its own metadata: the international prefix (``+`` or
the region's IDD such as ``00``/``011``), the country calling code (also the region's own code
typed without ``+``), the national prefix and carrier code (with the region's transform rule),
the possible lengths, and the number-type patterns in the order ``number_type`` tries them
(calling codes shared by several regions, like NANPA's ``1``, pick the region as
``region_code_for_number`` does). Rows are worked in partitions of one region or calling code,
so each row meets only its own patterns. Where the library would raise (too short, unknown
calling code...) a row is not ``sure`` and is left to the library, except where the library
is sure to raise: a calling code that exists nowhere after ``+`` or the international prefix
(:data:`UNPARSEABLE`). A property test checks the port against the library.

Input columns: :data:`PLUS` (typed with ``+``), :data:`DIGITS` (ASCII digits), :data:`REGION`
(the record's region). Output: :data:`CC`, :data:`NATIONAL`, :data:`KIND` (null when invalid),
:data:`LOCAL` (typed without area code), :data:`NINTH` (a Brazilian mobile missing its 9th digit:
the number with it), :data:`UNPARSEABLE` (``parse`` raises; the other outputs are null) and
:data:`SURE`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import Any

import polars as pl
from phonenumbers import SUPPORTED_REGIONS, PhoneMetadata
from polars.expr.whenthen import ChainedThen, Then

from crmclean.normalize.phones.metadata import (
    CODES,
    INVALID,
    LEADING_CODES,
    LOCAL_ONLY,
    LONG,
    MAIN_REGION,
    SHORT,
    anchored,
    fits,
    general_desc,
    kind,
    length,
    metadata,
    strip_national_prefix,
)

PLUS, DIGITS, REGION = "__plus", "__digits", "__region"
CC, NATIONAL, KIND, LOCAL, NINTH, SURE = "__cc", "__nsn", "__kind", "__local", "__ninth", "__sure"
UNPARSEABLE = "__unparseable"
_META, _ROUTE, _SIZE = "__meta", "__route", "__size"  # _META: whose national prefix is stripped
_CLAIMED, _ROW, _TODO = "__claimed", "__port_row", "__todo"
_ID = "__port_id"  # a query's row in the frame analyze is given
MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
BR_MOBILE_WITHOUT_NINE = r"^([1-9][1-9])([6-9][0-9]{7})$"


def _unsure(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(pl.lit(False).alias(SURE))


def _added(rows: pl.DataFrame, *columns: pl.Expr) -> pl.DataFrame:
    """``rows.with_columns(*columns)`` computed lazily: a subexpression the columns read
    several times (a stripped number, a calling code) is computed once, where an eager query
    computes it once per use."""
    return rows.lazy().with_columns(*columns).collect()


def _where(
    rows: pl.DataFrame, condition: pl.Expr, work: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """``work`` on the rows where ``condition`` holds (when/then would compute every branch
    on every row); the other rows pass through. Row order is not kept."""
    chosen = rows.select(condition.fill_null(False).alias("c"))["c"]
    if not chosen.any():
        return rows
    return pl.concat([work(rows.filter(chosen)), rows.filter(~chosen)], how="diagonal_relaxed")


def _international(
    rows: pl.DataFrame, digits: pl.Expr, retried: pl.Expr | None = None
) -> pl.DataFrame:
    """Rows typed with ``+`` or an international prefix: the calling code from ``digits``.

    Where no calling code starts them, ``parse`` raises (:data:`UNPARSEABLE`), unless
    ``retried``: typed with ``+``, it reads the digits again without it, which succeeds when
    they start with the region's international prefix (left to the library)."""
    code = digits.str.slice(0, 3).replace_strict(
        LEADING_CODES, default=None, return_dtype=pl.String
    )
    sure = (pl.col(SURE) & (digits.str.len_chars() > 2)).fill_null(False)
    unknown = sure & code.is_null()
    unknown = (unknown if retried is None else unknown & ~retried).fill_null(False)
    return _added(
        rows,
        code.alias(CC),
        digits.str.slice(code.str.len_chars()).alias(NATIONAL),
        code.replace_strict(MAIN_REGION, default=None, return_dtype=pl.String).alias(_META),
        (sure & (code.is_not_null() | unknown)).alias(SURE),
        unknown.alias(UNPARSEABLE),
    )


def _own_code(rows: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """Rows typed without ``+`` starting with the region's own calling code: it is taken as
    one when the number was not possible before and is after, or was too long."""
    digits, own = pl.col(DIGITS), str(meta.country_code)
    general = general_desc(meta).national_number_pattern
    tail = strip_national_prefix(digits.str.slice(len(own)), meta)
    better = (~fits(digits, general) & fits(tail, general)) | (length(digits, meta) == LONG)
    main = MAIN_REGION[own]
    return _added(
        rows,
        pl.when(better).then(tail).otherwise(digits).alias(NATIONAL),
        pl.when(better).then(pl.lit(main)).otherwise(pl.col(_META)).alias(_META),
    )


def _by_idd(rows: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """Rows starting with the region's international prefix: stripped unless a 0 follows."""
    after = pl.col(DIGITS).str.replace(anchored(str(meta.international_prefix)), "")
    rows = rows.with_columns(after.alias(_ROUTE))
    stays = pl.col(_ROUTE).str.starts_with("0")
    dialled = _international(rows.filter(~stays), pl.col(_ROUTE))
    own = pl.col(DIGITS).str.starts_with(str(meta.country_code))
    national = _where(rows.filter(stays), own, partial(_own_code, meta=meta))
    return pl.concat([dialled, national], how="diagonal_relaxed")


def _country_code(rows: pl.DataFrame, region: str) -> pl.DataFrame:
    """``_maybe_extract_country_code`` for the rows typed in ``region``."""
    meta = metadata(region)
    if meta is None:
        return _unsure(rows)
    digits, own = pl.col(DIGITS), str(meta.country_code)
    idd = meta.international_prefix
    by_idd = digits.str.contains(anchored(idd)) if idd else pl.lit(False)
    route = (
        pl.when(pl.col(PLUS))
        .then(pl.lit("plus"))
        .when(by_idd)
        .then(pl.lit("idd"))
        .when(digits.str.starts_with(own))
        .then(pl.lit("own"))
        .otherwise(pl.lit("national"))
    )
    routed = rows.with_columns(
        pl.lit(own).alias(CC),
        digits.alias(NATIONAL),
        pl.lit(region).alias(_META),
        route.alias(_ROUTE),
    )
    work = {
        "plus": partial(_international, digits=digits, retried=by_idd),
        "idd": partial(_by_idd, meta=meta),
        "own": partial(_own_code, meta=meta),
    }
    parts = routed.partition_by(_ROUTE, as_dict=True)
    done = [work.get(key[0], lambda part: part)(part) for key, part in parts.items()]
    return pl.concat(done, how="diagonal_relaxed").drop(_ROUTE)


def _local_lengths(region: PhoneMetadata) -> set[int]:
    """The region's local-only lengths."""
    descs = (region.general_desc, region.fixed_line, region.mobile)
    return {n for desc in descs if desc for n in desc.possible_length_local_only}


_RECORD_REGIONS = {r: meta for r in SUPPORTED_REGIONS if (meta := metadata(r)) is not None}
# Record regions as numbers (their place in an enum), so that a row's calling code and
# local-only lengths are found by position instead of hashing its region's name.
_REGION_ENUM = pl.Enum(sorted(_RECORD_REGIONS))
_REGION_CODE = pl.Series([str(_RECORD_REGIONS[r].country_code) for r in _REGION_ENUM.categories])
_LOCAL_SPAN = 1000  # a (region, length) pair as one number: place * span + length
_REGION_LOCAL = [
    at * _LOCAL_SPAN + size
    for at, r in enumerate(_REGION_ENUM.categories)
    for size in _local_lengths(_RECORD_REGIONS[r])
]


_PREFIX = {
    r: anchored(meta.national_prefix_for_parsing)
    for r, meta in _RECORD_REGIONS.items()
    if meta.national_prefix_for_parsing
}


def _national(rows: pl.DataFrame) -> pl.DataFrame:
    """The national number as parse leaves it (prefix stripped when the rest stays possible),
    and whether it is a number typed without its area code in the record's region. Only the
    numbers starting with a national prefix are worked per metadata region (:data:`_META`);
    the rest in one pass, the record region's calling code and lengths looked up per row."""
    todo = pl.col(SURE) & ~pl.col(UNPARSEABLE)
    regions = list(_RECORD_REGIONS)
    known = (pl.col(_META).is_in(regions) & pl.col(REGION).is_in(regions)).fill_null(False)
    typed = pl.col(NATIONAL)
    work = rows.filter(todo & known).with_columns(
        (pl.col(SURE) & (typed.str.len_chars() >= 2)).alias(SURE)
    )
    prefix = pl.col(_META).replace_strict(_PREFIX, default=None, return_dtype=pl.String)
    found = work.select(typed.str.contains(prefix).fill_null(False)).to_series()
    stripped = [
        _strip(part, key[0])
        for key, part in work.filter(found).partition_by(_META, as_dict=True).items()
    ]
    done = _local(pl.concat([work.filter(~found), *stripped], how="diagonal_relaxed"))
    return pl.concat(
        [rows.filter(~todo), _unsure(rows.filter(todo & ~known)), done], how="diagonal_relaxed"
    )


def _strip(rows: pl.DataFrame, region: str) -> pl.DataFrame:
    """Numbers of ``region`` starting with its national prefix: stripped unless the rest is
    not a possible number."""
    return _added(rows, _stripped(region))


@cache
def _stripped(region: str) -> pl.Expr:
    """:data:`NATIONAL` as :func:`_strip` leaves it (built once per region and run: a run
    strips in each region once per query frame)."""
    meta = _RECORD_REGIONS[region]
    typed = pl.col(NATIONAL)
    stripped = strip_national_prefix(typed, meta)
    keep = length(stripped, meta).is_in([SHORT, LOCAL_ONLY, INVALID]).fill_null(False)
    return pl.when(keep).then(typed).otherwise(stripped).alias(NATIONAL)


@cache
def _national_kind(region: str, size: int) -> pl.Expr:
    """:func:`~crmclean.normalize.phones.metadata.kind` of :data:`NATIONAL` numbers of
    ``size`` digits in ``region`` as :data:`KIND` (built once: a run types the numbers of
    each calling code and length in each region once per query frame, and building the
    expression costs as much as typing a few hundred numbers)."""
    return kind(pl.col(NATIONAL), region, size).alias(KIND)


def _local(rows: pl.DataFrame) -> pl.DataFrame:
    """:data:`SURE` for the national number's length, :data:`_SIZE`, and :data:`LOCAL` from
    the record region's calling code and local-only lengths."""
    typed = pl.col(NATIONAL)
    size = typed.str.len_chars()
    significant = typed.str.strip_chars_start("0").str.len_chars().clip(lower_bound=1)
    at = pl.col(REGION).cast(_REGION_ENUM, strict=False).to_physical().cast(pl.UInt32)
    code = pl.lit(_REGION_CODE).gather(at)
    pair = at * _LOCAL_SPAN + significant.clip(upper_bound=_LOCAL_SPAN - 1).cast(pl.UInt32)
    in_local = pair.is_in(_REGION_LOCAL)
    return rows.with_columns(
        (pl.col(SURE) & (size >= 2) & (size <= MAX_NSN)).alias(SURE),
        (~pl.col(PLUS) & (pl.col(CC) == code) & in_local).fill_null(False).alias(LOCAL),
        size.alias(_SIZE),
    )


def _validity(rows: pl.DataFrame, key: tuple[str, int]) -> pl.DataFrame:
    """The number type as ``region_code_for_number`` then ``number_type`` give it, for
    national numbers of one calling code and one length."""
    code, size = key
    regions = [r for r in CODES.get(code, ()) if metadata(r) is not None]
    if not regions or len(regions) != len(CODES[code]):
        return _unsure(rows)
    if len(regions) == 1:
        rows = rows.with_columns(_national_kind(regions[0], size))
    else:
        rows = _first_region(rows, regions, size)
    if code == "55":
        return _where(rows, pl.col(KIND).is_null(), _ninth_digit)
    return rows


def _lengths() -> dict[str, set[int]]:
    """Calling codes whose regions the port all knows -> the national lengths possible in one
    of them (any other length has no type there)."""
    found: dict[str, set[int]] = {}
    for code, regions in CODES.items():
        metas = [metadata(region) for region in regions]
        if regions and all(metas):
            found[code] = {n for meta in metas if meta for n in general_desc(meta).possible_length}
    return found


_LENGTHS = _lengths()
_SPAN = 100  # a (calling code, length) pair as one number: code * span + length
_PAIRS = sorted(int(code) * _SPAN + size for code, sizes in _LENGTHS.items() for size in sizes)


def _impossible(rows: pl.DataFrame) -> pl.Series:
    """Rows whose national number has a length no region of their calling code allows: no
    type (as :func:`_validity` finds, pattern by pattern), so answered in one pass instead of
    one partition per code and length."""
    todo = pl.col(SURE) & ~pl.col(UNPARSEABLE) & pl.col(_SIZE).is_not_null()
    known = pl.col(CC).is_in(list(_LENGTHS))
    code = pl.col(CC).cast(pl.UInt32, strict=False)
    pair = code * _SPAN + pl.col(_SIZE).clip(upper_bound=_SPAN - 1)
    return rows.select((todo & known & ~pair.is_in(_PAIRS)).fill_null(False).alias("c"))["c"]


def _typed(rows: pl.DataFrame) -> pl.DataFrame:
    """:func:`_validity` of every row, its numbers of an impossible length in one pass."""
    impossible = _impossible(rows)
    rest = _per_value(rows.filter(~impossible), [CC, _SIZE], _validity)
    none = rows.filter(impossible).with_columns(pl.lit(None, pl.String).alias(KIND))
    none = _where(none, (pl.col(CC) == "55") & pl.col(KIND).is_null(), _ninth_digit)
    return pl.concat([rest, none], how="diagonal_relaxed")


def _first_region(rows: pl.DataFrame, regions: list[str], size: int) -> pl.DataFrame:
    """:data:`KIND` of numbers of a calling code shared by ``regions``: each row is typed by
    the first region that claims it (its leading digits, or else a type there), as
    ``region_code_for_number`` picks it. Each region in turn sees only the rows the ones
    before it left (the NANP's 25 regions: a when/then chain would type every row in every
    region); regions claiming by leading digits one after another take their rows in one
    pass, and each types only the rows it took. The regions pass on the national numbers
    alone, each with its row; the types found are put back at their rows (a scatter: a join
    would hash every row)."""
    done, left = [], rows.select(NATIONAL).with_row_index(_ROW)
    for run in _runs(regions):
        if len(run) == 1 and _leading(run[0]) is None:
            typed = left.select(_ROW, _national_kind(run[0], size))
            claimed = typed[KIND].is_not_null()
            done.append(typed.filter(claimed))
        else:
            claimed, found = _by_leading(left, run, size)
            done.append(found)
        left = left.filter(~claimed)
        if left.is_empty():
            break
    found = pl.concat(done)
    kinds = pl.repeat(None, rows.height, dtype=pl.String, eager=True)
    return rows.with_columns(kinds.scatter(found[_ROW], found[KIND]).alias(KIND))


def _leading(region: str) -> str | None:
    """The leading digits by which ``region`` claims a number of its calling code."""
    meta = metadata(region)
    return None if meta is None else meta.leading_digits


def _runs(regions: list[str]) -> list[list[str]]:
    """``regions`` in order, those claiming by leading digits one after another together."""
    runs: list[list[str]] = []
    for region in regions:
        joins = runs and _leading(region) is not None and _leading(runs[-1][0]) is not None
        if joins:
            runs[-1].append(region)
        else:
            runs.append([region])
    return runs


def _by_leading(left: pl.DataFrame, run: list[str], size: int) -> tuple[pl.Series, pl.DataFrame]:
    """The rows of ``left`` the ``run`` of regions claims by leading digits, and their
    :data:`KIND` in the first of them whose leading digits they start with."""
    national = pl.col(NATIONAL)
    starts = {region: anchored(str(_leading(region))) for region in run}
    every = anchored("|".join(f"(?:{_leading(region)})" for region in run))
    claimed = left.select(national.str.contains(every).fill_null(False).alias(_CLAIMED))
    taken = left.filter(claimed[_CLAIMED])
    chain: Then | ChainedThen = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for region, start in starts.items():
        chain = chain.when(national.str.contains(start)).then(pl.lit(region))
    which = taken.with_columns(chain.otherwise(pl.lit(None, pl.String)).alias(_META))
    found = [
        part.select(_ROW, _national_kind(key[0], size))
        for key, part in which.partition_by(_META, as_dict=True).items()
    ]
    empty = pl.DataFrame(schema={_ROW: pl.UInt32, KIND: pl.String})
    return claimed[_CLAIMED], pl.concat([empty, *found])


def _ninth_digit(rows: pl.DataFrame) -> pl.DataFrame:
    """Invalid Brazilian numbers: :data:`NINTH` for a mobile typed without its leading 9 (the
    E.164 number with it). Only the numbers of that shape are typed against the patterns."""
    significant = pl.col(NATIONAL).str.strip_chars_start("0")
    fixable = significant.str.contains(BR_MOBILE_WITHOUT_NINE)
    candidate = significant.str.replace(BR_MOBILE_WITHOUT_NINE, "${1}9${2}")
    mobile = kind(candidate, "BR", len("11") + 9) == "mobile"
    return _where(
        rows,
        fixable,
        lambda part: _added(part, pl.when(mobile).then("+55" + candidate).alias(NINTH)),
    )


def _per_value(
    rows: pl.DataFrame, keys: list[str], work: Callable[[pl.DataFrame, Any], pl.DataFrame]
) -> pl.DataFrame:
    """``work`` on the rows of each (non-null) value of ``keys``; every row comes back, in
    some order. Rows that are not ``sure``, or unparseable, pass through untouched (split
    off in the same pass as the values: a filter first would copy every row once more).

    The values are worked in order, so the lengths of one calling code follow each other and
    find its patterns still compiled in polars' regex cache (a few dozen patterns: in the
    order rows come, each small partition compiled its patterns again)."""
    todo = (pl.col(SURE) & ~pl.col(UNPARSEABLE)).alias(_TODO)
    split = rows.with_columns(todo).partition_by(_TODO, *keys, as_dict=True)
    parts = []
    for (flag, *key), part in sorted(split.items(), key=lambda item: str(item[0])):
        part = part.drop(_TODO)
        if not flag:
            parts.append(part)
        elif any(value is None for value in key):
            parts.append(_unsure(part))
        else:
            parts.append(work(part, key[0] if len(key) == 1 else tuple(key)))
    return pl.concat(parts, how="diagonal_relaxed") if parts else rows


def analyze(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (with :data:`PLUS`, :data:`DIGITS`, :data:`REGION`) plus the parse results, in
    some order (carry an index to put them back).

    The partitions carry only what the steps after read (each partition and concatenation
    copies every column it carries): the input columns stay aside, the digits are dropped
    once the calling code is read, the record's region once the national number is, and the
    rows are put back once by position at the end."""
    start = (
        rows.select(PLUS, DIGITS, REGION)
        .with_row_index(_ID)
        .with_columns(
            (pl.col(DIGITS).str.len_chars() >= 3).fill_null(False).alias(SURE),
            pl.lit(None, pl.String).alias(CC),
            pl.lit(None, pl.String).alias(NATIONAL),
            pl.lit(None, pl.String).alias(_META),
            pl.lit(None, pl.String).alias(KIND),
            pl.lit(False).alias(LOCAL),
            pl.lit(None, pl.String).alias(NINTH),
            pl.lit(False).alias(UNPARSEABLE),
            pl.lit(None, pl.UInt32).alias(_SIZE),
        )
    )
    coded = _per_value(start, [REGION], _country_code).drop(DIGITS)
    national = _national(coded).drop(PLUS, REGION, _META)
    typed = _typed(national).drop(_SIZE)
    return rows[typed[_ID]].hstack(typed.drop(_ID))
