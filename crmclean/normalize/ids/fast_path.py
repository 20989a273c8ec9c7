"""The CPF/CNPJ fast path: numeric ids of exactly 11 or 14 digits checked in polars with the
check-digit arithmetic python-stdnum uses, so only odd values (alphanumeric CNPJs, ids that
lost leading zeros, text) reach the library. A test checks both always agree."""

from __future__ import annotations

import polars as pl

from crmclean.normalize.distinct import FastPath

SHAPE = r"^[0-9][0-9 ./-]*$"
REPEATED = "^(?:" + "|".join(f"{d}+" for d in range(10)) + ")$"
_CPF_FIRST = [10, 9, 8, 7, 6, 5, 4, 3, 2]
_CNPJ_FIRST = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
_COMPACT = "__compact"


def _digit(number: pl.Expr, position: int, length: int) -> pl.Expr:
    """The digit at ``position`` of a ``length``-digit number (integer arithmetic: slicing and
    casting each character is far slower)."""
    return (number // 10 ** (length - 1 - position)) % 10


def _check_digit(
    number: pl.Expr, length: int, weights: list[int], extra: pl.Expr | None = None
) -> pl.Expr:
    """``(11 - sum(weight * digit)) % 11 % 10`` over the leading digits (plus ``extra``)."""
    total = pl.sum_horizontal(
        _digit(number, i, length) * weight for i, weight in enumerate(weights)
    )
    if extra is not None:
        total = total + extra
    return (11 - total % 11) % 11 % 10


def _valid(compact: pl.Expr, first: list[int], second: list[int]) -> pl.Expr:
    """The last two digits are the check digits of the others."""
    length = len(first) + 2
    number = compact.cast(pl.Int64, strict=False)
    d1 = _check_digit(number, length, first)
    d2 = _check_digit(number, length, second, 2 * d1)
    return d1 * 10 + d2 == number % 100


def _format(compact: pl.Expr, cuts: list[tuple[int, int, str]]) -> pl.Expr:
    return pl.concat_str(compact.str.slice(start, size) + sep for start, size, sep in cuts)


def fast_path(field: str) -> FastPath:
    """Digit-only CPFs (11) and CNPJs (14): formatted, invalid or repeated, as stdnum says."""
    typed, compact = pl.col(field), pl.col(_COMPACT)
    length = compact.str.len_chars()
    cpf_ok = (length == 11) & _valid(compact, _CPF_FIRST, [11, *_CPF_FIRST[:-1]])
    cnpj_ok = (length == 14) & ~compact.str.starts_with("0" * 12)
    cnpj_ok = cnpj_ok & _valid(compact, _CNPJ_FIRST, [6, *_CNPJ_FIRST[:-1]])
    cpf = _format(compact, [(0, 3, "."), (3, 3, "."), (6, 3, "-"), (9, 2, "")])
    cnpj = _format(compact, [(0, 2, "."), (2, 3, "."), (5, 3, "/"), (8, 4, "-"), (12, 2, "")])
    repeated = compact.str.contains(REPEATED)
    formatted = pl.when(repeated).then(None).when(cpf_ok).then(cpf).when(cnpj_ok).then(cnpj)
    value = pl.when(repeated).then(None).otherwise(pl.coalesce(formatted, typed))
    rule = (
        pl.when(repeated)
        .then(pl.lit("tax_id.repeated_digits"))
        .when(formatted.is_null())
        .then(pl.lit("tax_id.invalid"))
        .when(formatted != typed)
        .then(pl.lit("tax_id.formatted"))
    )
    compacted = pl.when(typed.str.contains(SHAPE)).then(typed.str.replace_all(r"[\s./-]", ""))
    return FastPath(
        prepare=({_COMPACT: compacted},),
        when=length.is_in([11, 14]),
        then={"value": value, "rule": rule},
    )
