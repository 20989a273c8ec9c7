"""``phonenumbers.parse`` and ``is_valid_number`` for numbers typed as plain digits, in polars.

A port of the library's steps, driven by its own metadata: the international prefix (``+`` or
the region's IDD such as ``00``/``011``), the country calling code (also the region's own code
typed without ``+``), the national prefix and carrier code (with the region's transform rule),
the possible lengths, and the number-type patterns in the order ``number_type`` tries them
(calling codes shared by several regions, like NANPA's ``1``, pick the region as
``region_code_for_number`` does). Rows are worked in partitions of one region or calling code,
so each row meets only its own patterns. Where the library would raise (too short, unknown
calling code...) a row is not ``sure`` and is left to the library; a property test checks the
port against it.

Input columns: :data:`PLUS` (typed with ``+``), :data:`DIGITS` (ASCII digits), :data:`REGION`
(the record's region). Output: :data:`CC`, :data:`NATIONAL`, :data:`KIND` (null when invalid),
:data:`LOCAL` (typed without area code), :data:`NINTH` (a Brazilian mobile missing its 9th digit:
the number with it) and :data:`SURE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial

import polars as pl
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

PLUS, DIGITS, REGION = "__plus", "__digits", "__region"
CC, NATIONAL, KIND, LOCAL, NINTH, SURE = "__cc", "__nsn", "__kind", "__local", "__ninth", "__sure"
_META, _ROUTE, _SIZE = "__meta", "__route", "__size"  # _META: whose national prefix is stripped
CODES = {str(code): regions for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()}
MAIN_REGION = {code: regions[0] for code, regions in CODES.items()}


def _leading_code(head: str) -> str | None:
    """``_extract_country_code`` on three digits: the first 1-3 of them that are a code."""
    found = [head[:size] for size in (1, 2, 3) if head[:size] in CODES]
    return found[0] if found and not head.startswith("0") else None


# Every three leading digits -> the calling code they start with (None when they start none).
LEADING_CODES = {f"{n:03d}": _leading_code(f"{n:03d}") for n in range(1000)}
MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
# The order phonenumbers tries the special types in, before fixed line and mobile.
SPECIAL = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan")
SPECIAL += ("voicemail",)
_SHORT, _LOCAL_ONLY, _LONG, _INVALID = "short", "local", "long", "invalid"
BR_MOBILE_WITHOUT_NINE = r"^([1-9][1-9])([6-9][0-9]{7})$"


@cache
def metadata(region: str) -> PhoneMetadata | None:
    """The region's metadata when the port can use it (a geographic region with lengths)."""
    meta = PhoneMetadata.metadata_for_region(region)
    general = meta.general_desc if meta else None
    if general is None or not general.national_number_pattern or not general.possible_length:
        return None
    return meta


def _fits(number: pl.Expr, pattern: str | None) -> pl.Expr:
    """``re.fullmatch(pattern, number)``."""
    return number.str.contains(f"^(?:{pattern})$") if pattern else pl.lit(False)


def _matches(number: pl.Expr, desc: object, size: int | None = None) -> pl.Expr:
    """phonenumbers' ``_is_number_matching_desc``: possible lengths, then the pattern (numbers
    all of length ``size`` when it is given, which spares the patterns of other lengths)."""
    pattern = getattr(desc, "national_number_pattern", None)
    if pattern is None:
        return pl.lit(False)
    lengths = list(getattr(desc, "possible_length", None) or ())
    if size is None:
        fits = number.str.len_chars().is_in(lengths) if lengths else pl.lit(True)
        return fits & _fits(number, pattern)
    return _fits(number, pattern) if not lengths or size in lengths else pl.lit(False)


def kind(number: pl.Expr, region: str, size: int | None = None) -> pl.Expr:
    """``_number_type_helper``: the type name of a national number of ``region``; null if none."""
    meta = metadata(region)
    if meta is None:
        return pl.lit(None, pl.String)
    fixed, mobile = _matches(number, meta.fixed_line, size), _matches(number, meta.mobile, size)
    chain = pl.when(~_matches(number, meta.general_desc, size)).then(pl.lit(None, pl.String))
    for name in SPECIAL:
        chain = chain.when(_matches(number, getattr(meta, name), size)).then(pl.lit(name))
    both = fixed if meta.same_mobile_and_fixed_line_pattern else fixed & mobile
    chain = chain.when(both).then(pl.lit("fixed_line_or_mobile"))
    chain = chain.when(fixed).then(pl.lit("fixed_line"))
    if not meta.same_mobile_and_fixed_line_pattern:
        chain = chain.when(mobile).then(pl.lit("mobile"))
    return chain.otherwise(pl.lit(None, pl.String))


def _length(number: pl.Expr, meta: PhoneMetadata) -> pl.Expr:
    """``_test_number_length`` against the general description: null when possible."""
    lengths = sorted(meta.general_desc.possible_length)
    local = list(meta.general_desc.possible_length_local_only or ())
    size = number.str.len_chars()
    return (
        pl.when(size.is_in(local))
        .then(pl.lit(_LOCAL_ONLY))
        .when(size == lengths[0])
        .then(pl.lit(None, pl.String))
        .when(size < lengths[0])
        .then(pl.lit(_SHORT))
        .when(size > lengths[-1])
        .then(pl.lit(_LONG))
        .when(~size.is_in(lengths[1:]))
        .then(pl.lit(_INVALID))
    )


def strip_national_prefix(number: pl.Expr, meta: PhoneMetadata) -> pl.Expr:
    """``_maybe_strip_national_prefix_carrier_code``: the number without its national prefix
    (or transformed by the region's rule), unless that would spoil a viable number."""
    prefix = meta.national_prefix_for_parsing
    if not prefix:
        return number
    anchored = f"^(?:{prefix})"
    general = meta.general_desc.national_number_pattern
    stripped = number.str.replace(anchored, "")
    rule, groups = meta.national_prefix_transform_rule, re.compile(prefix).groups
    if rule and groups:
        transformed = number.str.replace(anchored, re.sub(r"\\(\d)", r"${\1}", rule))
        last_group = number.str.extract(anchored, groups)
        stripped = pl.when(last_group.is_null()).then(stripped).otherwise(transformed)
    found = number.str.contains(anchored) & (number.str.len_chars() > 0)
    spoiled = _fits(number, general) & ~_fits(stripped, general)
    return pl.when(found & ~spoiled).then(stripped).otherwise(number)


def _unsure(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(pl.lit(False).alias(SURE))


def _where(
    rows: pl.DataFrame, condition: pl.Expr, work: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """``work`` on the rows where ``condition`` holds (when/then would compute every branch
    on every row); the other rows pass through. Row order is not kept."""
    chosen = rows.select(condition.fill_null(False).alias("c"))["c"]
    if not chosen.any():
        return rows
    return pl.concat([work(rows.filter(chosen)), rows.filter(~chosen)], how="diagonal_relaxed")


def _international(rows: pl.DataFrame, digits: pl.Expr) -> pl.DataFrame:
    """Rows typed with ``+`` or an international prefix: the calling code from ``digits``."""
    code = digits.str.slice(0, 3).replace_strict(
        LEADING_CODES, default=None, return_dtype=pl.String
    )
    return rows.with_columns(
        code.alias(CC),
        digits.str.slice(code.str.len_chars()).alias(NATIONAL),
        code.replace_strict(MAIN_REGION, default=None, return_dtype=pl.String).alias(_META),
        (pl.col(SURE) & (digits.str.len_chars() > 2) & code.is_not_null())
        .fill_null(False)
        .alias(SURE),
    )


def _own_code(rows: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """Rows typed without ``+`` starting with the region's own calling code: it is taken as
    one when the number was not possible before and is after, or was too long."""
    digits, own = pl.col(DIGITS), str(meta.country_code)
    general = meta.general_desc.national_number_pattern
    tail = strip_national_prefix(digits.str.slice(len(own)), meta)
    better = (~_fits(digits, general) & _fits(tail, general)) | (_length(digits, meta) == _LONG)
    main = MAIN_REGION[own]
    return rows.with_columns(
        pl.when(better).then(tail).otherwise(digits).alias(NATIONAL),
        pl.when(better).then(pl.lit(main)).otherwise(pl.col(_META)).alias(_META),
    )


def _by_idd(rows: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """Rows starting with the region's international prefix: stripped unless a 0 follows."""
    after = pl.col(DIGITS).str.replace(f"^(?:{meta.international_prefix})", "")
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
    by_idd = digits.str.contains(f"^(?:{idd})") if idd else pl.lit(False)
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
        "plus": partial(_international, digits=digits),
        "idd": partial(_by_idd, meta=meta),
        "own": partial(_own_code, meta=meta),
    }
    parts = routed.partition_by(_ROUTE, as_dict=True)
    done = [work.get(key[0], lambda part: part)(part) for key, part in parts.items()]
    return pl.concat(done, how="diagonal_relaxed").drop(_ROUTE)


def _national(rows: pl.DataFrame, key: tuple[str, str]) -> pl.DataFrame:
    """The national number as parse leaves it (prefix stripped when the rest stays possible),
    and whether it is a number typed without its area code in the record's region."""
    meta, region = metadata(key[0]), metadata(key[1])
    if meta is None or region is None:
        return _unsure(rows)
    typed = pl.col(NATIONAL)
    rows = rows.with_columns((pl.col(SURE) & (typed.str.len_chars() >= 2)).alias(SURE))
    if meta.national_prefix_for_parsing:
        stripped = strip_national_prefix(typed, meta)
        keep = _length(stripped, meta).is_in([_SHORT, _LOCAL_ONLY, _INVALID]).fill_null(False)
        national = pl.when(keep).then(typed).otherwise(stripped)
        found = typed.str.contains(f"^(?:{meta.national_prefix_for_parsing})")
        rows = _where(rows, found, lambda part: part.with_columns(national.alias(NATIONAL)))
    size = typed.str.len_chars()
    descs = (region.general_desc, region.fixed_line, region.mobile)
    local = sorted({n for desc in descs if desc for n in desc.possible_length_local_only})
    significant = typed.str.strip_chars_start("0").str.len_chars().clip(lower_bound=1)
    return rows.with_columns(
        (pl.col(SURE) & (size >= 2) & (size <= MAX_NSN)).alias(SURE),
        (~pl.col(PLUS) & (pl.col(CC) == str(region.country_code)) & significant.is_in(local))
        .fill_null(False)
        .alias(LOCAL),
        size.alias(_SIZE),
    )


def _validity(rows: pl.DataFrame, key: tuple[str, int]) -> pl.DataFrame:
    """The number type as ``region_code_for_number`` then ``number_type`` give it, for
    national numbers of one calling code and one length."""
    code, size = key
    regions = [r for r in CODES.get(code, ()) if metadata(r) is not None]
    if not regions or len(regions) != len(CODES[code]):
        return _unsure(rows)
    national = pl.col(NATIONAL)
    found = kind(national, regions[0], size)
    if len(regions) > 1:
        chain = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
        for region in regions:
            leading, typed = metadata(region).leading_digits, kind(national, region, size)
            known = national.str.contains(f"^(?:{leading})") if leading else typed.is_not_null()
            chain = chain.when(known).then(typed)
        found = chain.otherwise(pl.lit(None, pl.String))
    rows = rows.with_columns(found.alias(KIND))
    if code == "55":
        invalid = pl.col(KIND).is_null()
        return _where(rows, invalid, lambda part: part.with_columns(_ninth_digit(national)))
    return rows


def _ninth_digit(national: pl.Expr) -> pl.Expr:
    """A Brazilian mobile typed without its leading 9: the E.164 number with it, if mobile."""
    significant = national.str.strip_chars_start("0")
    candidate = significant.str.replace(BR_MOBILE_WITHOUT_NINE, "${1}9${2}")
    fixable = significant.str.contains(BR_MOBILE_WITHOUT_NINE)
    return (
        pl.when(fixable & (kind(candidate, "BR") == "mobile")).then("+55" + candidate).alias(NINTH)
    )


def _per_value(
    rows: pl.DataFrame, keys: list[str], work: Callable[[pl.DataFrame, object], pl.DataFrame]
) -> pl.DataFrame:
    """``work`` on the rows of each (non-null) value of ``keys``; every row comes back, in
    some order. Rows that are not ``sure`` pass through untouched."""
    sure = rows.filter(pl.col(SURE))
    parts = [rows.filter(~pl.col(SURE))]
    for key, part in sure.partition_by(keys, as_dict=True).items():
        if any(value is None for value in key):
            parts.append(_unsure(part))
        else:
            parts.append(work(part, key[0] if len(key) == 1 else key))
    return pl.concat(parts, how="diagonal_relaxed")


def analyze(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (with :data:`PLUS`, :data:`DIGITS`, :data:`REGION`) plus the parse results, in
    some order (carry an index to put them back)."""
    start = rows.with_columns(
        (pl.col(DIGITS).str.len_chars() >= 3).fill_null(False).alias(SURE),
        pl.lit(None, pl.String).alias(CC),
        pl.lit(None, pl.String).alias(NATIONAL),
        pl.lit(None, pl.String).alias(_META),
        pl.lit(None, pl.String).alias(KIND),
        pl.lit(False).alias(LOCAL),
        pl.lit(None, pl.String).alias(NINTH),
        pl.lit(None, pl.UInt32).alias(_SIZE),
    )
    coded = _per_value(start, [REGION], _country_code)
    national = _per_value(coded, [_META, REGION], _national)
    return _per_value(national, [CC, _SIZE], _validity).drop(_META, _SIZE)
