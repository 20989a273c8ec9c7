from __future__ import annotations

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.values.text import (
    DIRTY,
    clean,
    clean_columns,
    clean_fields,
    fold,
    fold_words,
)


def cleaned(values: list[str | None]) -> list[str | None]:
    return (
        pl.DataFrame({"v": values}, schema={"v": pl.String})
        .select(clean(pl.col("v")))["v"]
        .to_list()
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Acme   Ltda  ", "Acme Ltda"),
        ("São\u00a0Paulo", "São Paulo"),  # no-break space
        ("line\r\nbreak\tand tab", "line break and tab"),
        ("Jose\u0301", "José"),  # decomposed accent -> NFC
        ("\ufeffBOM and\u200b zero width", "BOM and zero width"),
        ("soft\u00adhyphen", "softhyphen"),
        ("null\x00byte", "nullbyte"),
        ("   ", None),
        ("", None),
        (None, None),
        ("already clean", "already clean"),
    ],
)
def test_clean(raw: str | None, expected: str | None) -> None:
    assert cleaned([raw]) == [expected]


def test_fold_ignores_case_accents_and_punctuation() -> None:
    keys = pl.DataFrame({"v": ["São Tomé", "E.U.A.", "Não!"]}).select(fold(pl.col("v")))
    assert keys["v"].to_list() == ["saotome", "eua", "nao"]
    assert fold_words(["Opt-Out", " Não "], " ") == ["opt out", "nao"]


def test_clean_fields_reports_changes_but_not_blanks() -> None:
    data = frame(company=["  ACME  ", "Beta", "   ", None], city=["Rio", "São  Paulo", None, "x"])
    step = clean_fields(data, ["company", "city"])
    assert step.frame["company"].to_list() == ["ACME", "Beta", None, None]
    assert step.frame["city"].to_list() == ["Rio", "São Paulo", None, "x"]
    assert found(step.findings) == [
        ("1", "company", "TX01", "text.cleaned", "info", "  ACME  ", "ACME"),
        ("2", "city", "TX01", "text.cleaned", "info", "São  Paulo", "São Paulo"),
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=20))
def test_clean_is_idempotent_and_tidy(values: list[str]) -> None:
    once = cleaned(values)
    assert cleaned(once) == once
    for value in once:
        assert value is None or (value == value.strip() and "  " not in value and value)


PIECES = st.sampled_from(["a", "Z", " ", "  ", "\t", "é", "e\u0301", "\u200b", ""])
TEXTS = st.lists(PIECES, max_size=6).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | TEXTS | st.text(max_size=8), max_size=30), st.booleans())
def test_clean_columns_gives_clean_on_every_row(values: list[str | None], repeat: bool) -> None:
    """Whether it works on distinct values (repeated ones) or on dirty rows only."""
    rows = values * 5 if repeat else values
    table = pl.DataFrame({"v": rows}, schema={"v": pl.String})
    after = clean_columns(table, ["v"]).columns.get("v", table["v"])
    assert after.to_list() == cleaned(rows)


# every character the text step leaves alone (printable ASCII, U+00A1-U+02FF but the soft hyphen)
_LATIN = "".join(chr(c) for c in range(0x21, 0x300) if c <= 0x7E or (c > 0xA0 and c != 0xAD))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(max_codepoint=0x36F), max_size=10), max_size=30))
@example([_LATIN.strip(), "Ursula-Täsche-Allee", "Işin Ranch", "São Paulo", "e\u0301"])
def test_values_dirty_does_not_find_are_clean(values: list[str]) -> None:
    """A value :data:`DIRTY` does not match (the text step leaves it alone) is one that
    :func:`clean` leaves as it is (characters around the clean range included)."""
    table = pl.DataFrame({"v": values}, schema={"v": pl.String})
    kept = table.filter(~pl.col("v").str.contains(DIRTY) & (pl.col("v").str.len_bytes() > 0))
    assert cleaned(kept["v"].to_list()) == kept["v"].to_list()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.none() | TEXTS, min_size=6, max_size=6), min_size=1, max_size=5))
def test_clean_columns_on_threads_is_each_column_alone(columns: list[list[str | None]]) -> None:
    """Columns cleaned two at a time (repeated, dirty, empty) give what each gives cleaned
    alone, in field order."""
    names = [f"c{i}" for i in range(len(columns))]
    table = pl.DataFrame(
        dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String)
    )
    fields = list(reversed(names))
    together = clean_columns(table, fields)
    alone = {field: clean_columns(table, [field]) for field in fields}
    assert list(together.columns) == [f for f in fields if f in alone[f].columns]
    assert list(together.distinct) == [f for f in fields if f in alone[f].distinct]
    for field, one in alone.items():
        for column in one.columns.values():
            assert together.columns[field].equals(column)
        for values in one.distinct.values():
            assert together.distinct[field].equals(values)
