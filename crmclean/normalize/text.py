"""Text hygiene every field gets: no invisible characters, single spaces, NFC, no empty strings."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from crmclean.normalize.findings import Step, by_rule, changed, concat, pairs

# Control characters that are not whitespace, plus format characters (zero-width space,
# soft hyphen, BOM, bidi marks): invisible in a spreadsheet, poison for matching.
INVISIBLE = r"[[\p{Cc}&&\S]\p{Cf}]"


def clean(value: pl.Expr) -> pl.Expr:
    """Trimmed, whitespace collapsed, NFC; empty becomes null."""
    text = (
        value.str.replace_all(INVISIBLE, "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" ")
        .str.normalize("NFC")
    )
    return pl.when(text.str.len_bytes() > 0).then(text)


def fold(value: pl.Expr, separator: str = "") -> pl.Expr:
    """Lookup key: lowercase, no accents, nothing but letters and digits.

    Runs of other characters become ``separator``: "São Tomé" -> "saotome" (or "sao tome").
    """
    key = (
        value.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}]+", separator)
    )
    return key.str.strip_chars(separator) if separator else key


def fold_words(words: Sequence[str], separator: str = "") -> list[str]:
    """:func:`fold` applied to a vocabulary list, so both sides use the very same folding."""
    series = pl.Series("w", words, dtype=pl.String)
    return series.to_frame().select(fold(pl.col("w"), separator))["w"].to_list()


def clean_fields(frame: pl.DataFrame, fields: Sequence[str]) -> Step:
    """Apply :func:`clean` to ``fields``; a finding for each value that changed (not blanks)."""
    after = frame.lazy().select(clean(pl.col(field)).alias(field) for field in fields).collect()
    rule = pl.when(changed()).then(pl.lit("text.cleaned"))
    findings = [by_rule(pairs(frame, pl.col(f), after[f]), f, rule) for f in fields]
    return Step(frame.with_columns(after), concat(findings))
