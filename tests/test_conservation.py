"""The conservation check (crmclean/conservation.py): it refuses exactly what the plain
two-column check refuses."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.batch import Batch, empty_rejects
from crmclean.conservation import ConservationError, check_conservation

LINEAGE = ("_source", "_source_id")
RECORD = st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["1", "2", "3", "10", ""]))


def frame(records: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=dict.fromkeys(LINEAGE, pl.String), orient="row")


def batch(kept: list[tuple[str, str]], rejected: list[tuple[str, str]] = ()) -> Batch:
    rejects = pl.concat([empty_rejects(), frame(list(rejected))], how="diagonal")
    return Batch(frame(kept), rejects=rejects)


def plain_check(inputs: pl.DataFrame, kept: pl.DataFrame, rejected: pl.DataFrame) -> bool:
    """The check as it was: two text columns, counted unique and anti-joined."""
    accounted = pl.concat([kept, rejected.unique()])
    if accounted.height != inputs.height or accounted.n_unique() != inputs.height:
        return False
    return inputs.join(accounted, on=list(LINEAGE), how="anti").is_empty()


def passes(inputs: pl.DataFrame, checked: Batch) -> bool:
    try:
        check_conservation(inputs, checked)
    except ConservationError:
        return False
    return True


def test_records_of_several_sources_kept_or_rejected_pass():
    inputs = frame([("a", "1"), ("a", "2"), ("b", "1")])
    assert passes(inputs, batch([("b", "1"), ("a", "2")], [("a", "1"), ("a", "1")]))


@pytest.mark.parametrize(
    ("kept", "rejected"),
    [
        ([("b", "1"), ("b", "2")], []),  # the same ids under another source
        ([("a", "1"), ("a", "1")], []),  # one record twice, another lost
        ([("a", "1")], [("a", "1")]),  # kept and rejected
        ([("a", "1"), ("a", "2"), ("a", "3")], []),  # one invented
    ],
)
def test_lost_invented_or_doubled_records_are_refused(kept, rejected):
    inputs = frame([("a", "1"), ("a", "2")])
    with pytest.raises(ConservationError):
        check_conservation(inputs, batch(kept, rejected))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(RECORD, max_size=8, unique=True),
    st.lists(RECORD, max_size=8),
    st.lists(RECORD, max_size=4),
)
def test_refuses_what_the_plain_check_refuses(inputs, kept, rejected):
    expected = plain_check(frame(inputs), frame(kept), frame(rejected))
    assert passes(frame(inputs), batch(kept, rejected)) == expected
