"""The phone fast path: numbers typed in a plain shape, checked against phonenumbers' own
metadata patterns in polars instead of parsing each one in Python.

A cell of digits and ``+ ( ) . -`` spaces (optionally ending in an extension such as
``ramal 23``) whose national digits match a number type's pattern and possible lengths for the
record's region is valid: its E.164 form and kind follow directly, decided in the order
``phonenumbers.number_type`` uses. Plain digits of a local length that match no type are a
number without area code. Anything else (trunk prefixes, letters, several numbers, other
countries' numbers) goes to the library; a property test checks the two always agree.
"""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata

from crmclean.normalize.distinct import FastPath
from crmclean.normalize.numbers import EXTENSION, local_lengths

SHAPE = r"^\+?[0-9 ().-]{6,25}$"
# The order phonenumbers tries the special types in, before fixed line and mobile.
SPECIAL = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan")
SPECIAL += ("voicemail",)
_BODY, _EXT, _DIGITS, _NATIONAL = "__body", "__ext", "__digits", "__national_"
_KIND, _VALUE, _LOCAL = "__kind", "__value", "__local"


def _matches(national: pl.Expr, desc: object) -> pl.Expr:
    """``national`` matches a metadata description (possible lengths, then the pattern)."""
    pattern = getattr(desc, "national_number_pattern", None)
    if pattern is None:
        return pl.lit(False)
    lengths = list(getattr(desc, "possible_length", None) or ())
    fits = national.str.len_chars().is_in(lengths) if lengths else pl.lit(True)
    ascii_digits = pattern.replace(r"\d", "[0-9]")
    return fits & national.str.contains(f"^(?:{ascii_digits})$")


def kind(national: pl.Expr, region: str) -> pl.Expr:
    """The number type phonenumbers gives a national number of ``region``; null if invalid."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return pl.lit(None, pl.String)
    fixed, mobile = _matches(national, meta.fixed_line), _matches(national, meta.mobile)
    chain = pl.when(~_matches(national, meta.general_desc)).then(pl.lit(None, pl.String))
    for name in SPECIAL:
        chain = chain.when(_matches(national, getattr(meta, name))).then(pl.lit(name))
    both = fixed if meta.same_mobile_and_fixed_line_pattern else fixed & mobile
    chain = chain.when(both).then(pl.lit("fixed_line_or_mobile"))
    chain = chain.when(fixed).then(pl.lit("fixed_line"))
    if not meta.same_mobile_and_fixed_line_pattern:
        chain = chain.when(mobile).then(pl.lit("mobile"))
    return chain.otherwise(pl.lit(None, pl.String))


def _local(digits: pl.Expr, region: str) -> pl.Expr:
    """Digits typed without area code: a local length, no leading 0 or national prefix."""
    meta = PhoneMetadata.metadata_for_region(region)
    prefix = meta.national_prefix_for_parsing if meta else None
    plain = ~digits.str.starts_with("0")
    if prefix:
        plain = plain & ~digits.str.contains(f"^(?:{prefix})")
    return plain & digits.str.len_chars().is_in(sorted(local_lengths(region)))


def _rounds(cell: pl.Expr, region: pl.Expr, codes: list[str]) -> tuple[dict[str, pl.Expr], ...]:
    """The helper columns, in rounds: body and extension, digits, national numbers, results."""
    body = cell.str.replace("(?i)" + EXTENSION.pattern, "")
    extension = cell.str.extract("(?i)" + EXTENSION.pattern, 1)
    digits, plus = pl.col(_DIGITS), pl.col(_BODY).str.starts_with("+")
    shaped = pl.col(_BODY).str.contains(SHAPE)
    calling = {code: str(phonenumbers.country_code_for_region(code)) for code in codes}
    nationals = {
        _NATIONAL + code: pl.when(region != code)
        .then(None)
        .when(~plus)
        .then(digits)
        .when(digits.str.starts_with(cc))
        .then(digits.str.slice(len(cc)))
        for code, cc in calling.items()
    }
    kinds, values, local = pl.lit(None, pl.String), pl.lit(None, pl.String), pl.lit(False)
    for code, cc in calling.items():
        national, here = pl.col(_NATIONAL + code), region == code
        kinds = pl.when(here).then(kind(national, code)).otherwise(kinds)
        values = pl.when(here).then(pl.lit("+" + cc) + national).otherwise(values)
        local = pl.when(here).then(~plus & _local(digits, code)).otherwise(local)
    texts = {_BODY: pl.when(extension.is_null()).then(cell).otherwise(body), _EXT: extension}
    numbers = {_DIGITS: pl.when(shaped).then(pl.col(_BODY).str.replace_all(r"[^0-9]", ""))}
    return texts, numbers, nationals, {_KIND: kinds, _VALUE: values, _LOCAL: local}


def fast_path(field: str, region_column: str, regions: Iterable[str]) -> FastPath:
    """Plain-shaped cells of the given regions: what :func:`~numbers.to_e164` would give."""
    cell, region = pl.col(field), pl.col(region_column)
    codes = sorted(set(regions) & phonenumbers.SUPPORTED_REGIONS)
    valid, extension = pl.col(_KIND).is_not_null(), pl.col(_EXT)
    value = pl.when(valid).then(pl.col(_VALUE))
    missing = ~valid & pl.col(_LOCAL) & extension.is_null()
    rule = (
        pl.when(missing)
        .then(pl.lit("phone.missing_area_code"))
        .when(extension.is_not_null())
        .then(pl.lit("phone.extension_kept"))
        .when(value != cell)
        .then(pl.lit("phone.formatted_e164"))
    )
    with_extension = pl.format("{} ext. {}", value, extension)
    return FastPath(
        prepare=_rounds(cell, region, codes),
        when=(valid | missing) & (cell.str.strip_chars() == cell),
        then={
            "value": value,
            "rule": rule,
            "before": pl.when(rule.is_not_null()).then(cell),
            "after": pl.when(valid & (rule.is_not_null())).then(
                pl.coalesce(pl.when(extension.is_not_null()).then(with_extension), value)
            ),
            "kind": pl.col(_KIND),
            "extension": extension,
        },
    )
