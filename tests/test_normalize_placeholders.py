"""The placeholder check gives the same result whether a column is tested on its distinct
values (after the text step, as the stage runs it) or row by row."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from normalize_support import frame

from crmclean.normalize.values.placeholders import clean_text, drop_placeholders
from crmclean.normalize.values.text import clean_fields
from crmclean.rules import Rules

RULES = Rules()
FIELDS = ["company", "city", "email", "phone"]
VALUES = st.sampled_from(["-", " N/A ", "n/a", "não informado", "Pessoa Física", "00000-000"])
VALUES |= st.sampled_from(["Acme", "São Paulo", "ana@x.com", "(11) 3456-7890", "particular"])
VALUES |= st.text(alphabet="aN/ -0.", max_size=6)


@st.composite
def column(draw: st.DrawFn, height: int) -> list[str | None]:
    """``height`` cells, drawn from a few values or from many (repeated or nearly distinct:
    the text step works on distinct values only when they repeat)."""
    pool = draw(st.lists(VALUES, min_size=1, max_size=draw(st.sampled_from([3, height]))))
    cells = st.none() | st.sampled_from(pool)
    return draw(st.lists(cells, min_size=height, max_size=height))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_distinct_values_and_every_row_find_the_same_placeholders(data: st.DataObject) -> None:
    height = data.draw(st.integers(1, 40))
    typed = frame(**{f: data.draw(column(height)) for f in FIELDS})
    stage = clean_text(typed, RULES, FIELDS)
    text = clean_fields(typed, FIELDS)
    by_row = drop_placeholders(text.frame, RULES, FIELDS)
    assert stage.frame.equals(by_row.frame, null_equal=True)
    key = ["_source_id", "field", "rule"]
    expected = pl.concat([text.findings, by_row.findings]).sort(key)
    assert stage.findings.sort(key).equals(expected, null_equal=True)
