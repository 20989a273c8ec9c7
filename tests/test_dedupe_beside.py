"""crmclean.dedupe.beside: keys built part way through normalize are the final frame's keys."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from crmclean import pipeline
from crmclean.dedupe import DedupeOptions, beside, match_config
from crmclean.dedupe.beside import KeysBeside
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import key_group, key_table
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

DATA = Path(__file__).parent / "data" / "public"


@pytest.fixture(scope="module")
def normalized() -> pl.DataFrame:
    sources = [SourceSpec(DATA / "splink_fake_1000.csv")]
    return pipeline.run(sources, Rules(), stop_before="dedupe").batch.frame


def _same_keys(built: KeyTable, expected: KeyTable) -> None:
    assert_frame_equal(built.codes, expected.codes)
    assert built.values.keys() == expected.values.keys()
    for key, values in expected.values.items():
        assert_series_equal(built.values[key], values)


def _built(
    start: pl.DataFrame | None,
    final: pl.DataFrame,
    rules: Rules,
    *then: pl.DataFrame,
    settled: bool = False,
) -> KeyTable:
    """The keys :class:`KeysBeside` gives of ``final``, started on ``start`` (if any) then on
    ``then``, and checked against those :func:`key_table` builds of ``final``; ``settled``:
    every early build done before the finish (none waiting to be cancelled)."""
    config = match_config(rules, DedupeOptions())
    keys = KeysBeside(rules, config)
    for frame in [start, *then] if start is not None else then:
        keys.start(frame)
    for _columns, early in keys._early.values() if settled else ():
        early.result()
    keys.finish(final)
    built = keys.take()
    _same_keys(built, key_table(add_keys(final, rules), config.key_names, config))
    return built


def test_keys_started_early_are_the_final_frames(normalized: pl.DataFrame) -> None:
    _built(None, normalized, Rules())
    _built(normalized, normalized, Rules())


@pytest.mark.parametrize("settled", [False, True])
def test_a_column_changed_after_the_start_is_read_again(
    normalized: pl.DataFrame, settled: bool
) -> None:
    """Names, a city and an e-mail (and a list of alternates) normalize changed after the
    keys started: the groups reading them are built again from the final frame."""
    start = normalized.with_columns(
        pl.col("first_name").str.to_uppercase(),
        pl.col("city").str.reverse(),
        pl.col("email").str.replace("@", "x@"),
        pl.col("phone_alt").list.concat(pl.lit(["+5511999990000"])),
    )
    _built(start, normalized, Rules(), settled=settled)


def test_groups_started_again_later_stand_when_unchanged(
    normalized: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started before the phones are normalized (no phone columns yet), then after: the phone
    group starts the second time and stands."""
    stood: list[tuple[list[str], bool]] = []
    same = beside._same
    monkeypatch.setattr(
        beside, "_same", lambda e, f: stood.append((e.columns, same(e, f))) or stood[-1][1]
    )
    phones = ["phone", "mobile", "phone_alt", "phone_unread", "phone_type", "mobile_type"]
    _built(normalized.drop(phones, strict=False), normalized, Rules(), normalized, settled=True)
    assert all(verdict for _columns, verdict in stood)
    assert any("phone" in columns for columns, _verdict in stood)


def test_records_rejected_after_the_start_leave_no_key(normalized: pl.DataFrame) -> None:
    _built(normalized, normalized.slice(3), Rules())
    _built(normalized.drop("city"), normalized, Rules())  # a column added after the start


LISTS = [["a", "b"], [], None, [None], ["a"], ["b", "a"], ["a", None]]


@pytest.mark.parametrize("i", range(len(LISTS)))
@pytest.mark.parametrize("j", range(len(LISTS)))
def test_list_columns_are_equal_only_value_for_value(i: int, j: int) -> None:
    """Lists compared by their lengths and flat values tell an empty list, a null list and a
    list holding a null apart, as comparing them whole does."""
    dtype = pl.List(pl.String)
    early = pl.Series([["x"], LISTS[i]], dtype=dtype)
    final = pl.Series([["x"], LISTS[j]], dtype=dtype)
    assert beside._equal(early, final) == early.equals(final)
    nested = pl.Series([[LISTS[i]]], dtype=pl.List(dtype))
    assert beside._equal(nested, pl.Series([[LISTS[j]]], dtype=pl.List(dtype))) == (i == j)


def test_a_derived_column_is_made_only_for_the_group_reading_it() -> None:
    """The e-mail group derives ``email_key`` from ``email`` alone, not ``company_key``."""
    emails = key_group("emails")
    assert "company" not in beside._read(emails)
    columns = pl.DataFrame({"email": ["A.B+x@gmail.com"], "email_alt": [["c@d.com"]]})
    rows = beside._rows(emails, columns, Rules())
    assert rows["email_key"].to_list() == ["ab@gmail.com"]
