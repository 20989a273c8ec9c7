"""phonenumbers' metadata as polars expressions: calling codes, number-type patterns in the
order ``number_type`` tries them, possible lengths, and the national prefix rule of a region.

Used by :mod:`~crmclean.normalize.phones.parse_port`, which ports the library's parse to polars.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberDesc
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE
from polars.expr.whenthen import ChainedThen, Then

CODES = {str(code): regions for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()}
MAIN_REGION = {code: regions[0] for code, regions in CODES.items()}


def _leading_code(head: str) -> str | None:
    """``_extract_country_code`` on three digits: the first 1-3 of them that are a code."""
    found = [head[:size] for size in (1, 2, 3) if head[:size] in CODES]
    return found[0] if found and not head.startswith("0") else None


# Every three leading digits -> the calling code they start with (None when they start none).
LEADING_CODES = {f"{n:03d}": _leading_code(f"{n:03d}") for n in range(1000)}
# The order phonenumbers tries the special types in, before fixed line and mobile.
SPECIAL: tuple[str, ...] = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number")
SPECIAL += ("pager", "uan", "voicemail")
SHORT, LOCAL_ONLY, LONG, INVALID = "short", "local", "long", "invalid"
# Every type name :func:`kind` gives, in the order it tries them.
KINDS = (*SPECIAL, "fixed_line_or_mobile", "fixed_line", "mobile")
_KIND_NAMES = pl.Series(KINDS, dtype=pl.String)


@cache
def metadata(region: str) -> PhoneMetadata | None:
    """The region's metadata when the port can use it (a geographic region with lengths)."""
    meta = PhoneMetadata.metadata_for_region(region)
    general = meta.general_desc if meta else None
    if general is None or not general.national_number_pattern or not general.possible_length:
        return None
    return meta


def anchored(pattern: str, whole: bool = False) -> str:
    """``pattern`` for polars, anchored at the start (and the end when ``whole``), each ``\\d``
    as ``[0-9]``: the port reads ASCII digits only, where the two agree, and polars compiles an
    ASCII class in about half the time of a Unicode one (it compiles a pattern again once a few
    dozen others have pushed it out of its cache: once per small partition of a run)."""
    return "^(?:" + pattern.replace(r"\d", "[0-9]") + (")$" if whole else ")")


def fits(number: pl.Expr, pattern: str | None) -> pl.Expr:
    """``re.fullmatch(pattern, number)`` on ASCII digits."""
    return number.str.contains(anchored(pattern, whole=True)) if pattern else pl.lit(False)


def _matches(number: pl.Expr, desc: object, size: int | None = None) -> pl.Expr:
    """phonenumbers' ``_is_number_matching_desc``: possible lengths, then the pattern (numbers
    all of length ``size`` when it is given, which spares the patterns of other lengths)."""
    pattern = getattr(desc, "national_number_pattern", None)
    if pattern is None:
        return pl.lit(False)
    lengths = list(getattr(desc, "possible_length", None) or ())
    if size is None:
        possible = number.str.len_chars().is_in(lengths) if lengths else pl.lit(True)
        return possible & fits(number, pattern)
    return fits(number, pattern) if not lengths or size in lengths else pl.lit(False)


def kind(number: pl.Expr, region: str, size: int | None = None) -> pl.Expr:
    """``_number_type_helper``: the type name of a national number of ``region``; null if none.

    The chain picks a type's place in :data:`KINDS` (a chain of small numbers costs a fraction
    of one of texts, each of its steps a whole column), named once at the end."""
    meta = metadata(region)
    if meta is None or (size is not None and size not in general_desc(meta).possible_length):
        return pl.lit(None, pl.String)  # no column to name: the chain below would be one value
    fixed, mobile = _matches(number, meta.fixed_line, size), _matches(number, meta.mobile, size)
    chain: Then | ChainedThen = pl.when(~_matches(number, meta.general_desc, size)).then(
        pl.lit(None, pl.UInt8)
    )
    for name in SPECIAL:
        chain = chain.when(_matches(number, getattr(meta, name), size)).then(_place(name))
    both = fixed if meta.same_mobile_and_fixed_line_pattern else fixed & mobile
    chain = chain.when(both).then(_place("fixed_line_or_mobile"))
    chain = chain.when(fixed).then(_place("fixed_line"))
    if not meta.same_mobile_and_fixed_line_pattern:
        chain = chain.when(mobile).then(_place("mobile"))
    return pl.lit(_KIND_NAMES).gather(chain.otherwise(pl.lit(None, pl.UInt8)))


def _place(name: str) -> pl.Expr:
    return pl.lit(KINDS.index(name), pl.UInt8)


def general_desc(meta: PhoneMetadata) -> PhoneNumberDesc:
    """The region's general description (the metadata of every region has one)."""
    if meta.general_desc is None:
        raise ValueError(f"phone metadata of {meta.id} has no general description")
    return meta.general_desc


def length(number: pl.Expr, meta: PhoneMetadata) -> pl.Expr:
    """``_test_number_length`` against the general description: null when possible."""
    lengths = sorted(general_desc(meta).possible_length)
    local = list(general_desc(meta).possible_length_local_only or ())
    size = number.str.len_chars()
    return (
        pl.when(size.is_in(local))
        .then(pl.lit(LOCAL_ONLY))
        .when(size == lengths[0])
        .then(pl.lit(None, pl.String))
        .when(size < lengths[0])
        .then(pl.lit(SHORT))
        .when(size > lengths[-1])
        .then(pl.lit(LONG))
        .when(~size.is_in(lengths[1:]))
        .then(pl.lit(INVALID))
    )


def strip_national_prefix(number: pl.Expr, meta: PhoneMetadata) -> pl.Expr:
    """``_maybe_strip_national_prefix_carrier_code``: the number without its national prefix
    (or transformed by the region's rule), unless that would spoil a viable number."""
    prefix = meta.national_prefix_for_parsing
    if not prefix:
        return number
    start = anchored(prefix)
    general = general_desc(meta).national_number_pattern
    stripped = number.str.replace(start, "")
    rule, groups = meta.national_prefix_transform_rule, re.compile(prefix).groups
    if rule and groups:
        transformed = number.str.replace(start, re.sub(r"\\(\d)", r"${\1}", rule))
        last_group = number.str.extract(start, groups)
        stripped = pl.when(last_group.is_null()).then(stripped).otherwise(transformed)
    found = number.str.contains(start) & (number.str.len_chars() > 0)
    spoiled = fits(number, general) & ~fits(stripped, general)
    return pl.when(found & ~spoiled).then(stripped).otherwise(number)
