"""Segments: every golden record gets exactly one segment, the first whose conditions it meets,
and `rules check` never calls a segment unreachable that a record reaches."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmclean.errors import UserError
from crmclean.segments import load_rules
from crmclean.segments.assign import assign
from crmclean.segments.check import check_segments
from crmclean.segments.conditions import segment_expr
from crmclean.segments.spec import SegmentFile, load_segments

AS_OF = date(2025, 6, 30)
STAGES = ["customer", "evangelist", "lead", "subscriber", "opportunity", "other", "Cliente", ""]


def _dates() -> st.SearchStrategy[str | None]:
    day = st.dates(date(1940, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    stamp = st.dates(date(2020, 1, 1), date(2026, 1, 1)).map(lambda d: f"{d}T10:30:00")
    return st.one_of(st.none(), day, stamp, st.sampled_from(["garbage", "2024-13-45", ""]))


def _records(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[pl.DataFrame]:
    row = st.fixed_dictionaries(fields)
    return st.lists(row, min_size=1, max_size=60).map(
        lambda rows: pl.DataFrame(rows, schema=dict.fromkeys(fields, pl.String))
    )


GOLDEN = {
    "lifecycle_stage": st.one_of(st.none(), st.sampled_from(STAGES)),
    "last_seen_at": _dates(),
    "rfm_segment": st.one_of(st.none(), st.sampled_from(["Champions", "Loyal", "Lost"])),
    "email_opt_out": st.sampled_from([None, "true", "false"]),
    "country": st.sampled_from([None, "BR", "US", "ES"]),
}


def first_match(frame: pl.DataFrame, spec: SegmentFile) -> list[str]:
    """The reference: each row's first segment met, found from the raw conditions."""
    met = frame.select(segment_expr(s, AS_OF).alias(s.name) for s in spec.segments)
    return [next(n for n, hit in zip(spec.names, row, strict=True) if hit) for row in met.rows()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records(GOLDEN))
def test_default_file_gives_each_record_exactly_one_segment(rules, frame: pl.DataFrame) -> None:
    spec, _ = load_rules(rules)
    segments = assign(frame, spec, AS_OF)
    assert segments.len() == frame.height
    assert segments.null_count() == 0
    assert set(segments) <= set(spec.names)
    assert segments.to_list() == first_match(frame, spec)


CONDITIONS = st.one_of(
    st.fixed_dictionaries(
        {
            "field": st.just("lifecycle_stage"),
            "in": st.lists(st.sampled_from(STAGES), min_size=1, max_size=3),
        }
    ),
    st.fixed_dictionaries(
        {
            "field": st.just("lifecycle_stage"),
            "not_in": st.lists(st.sampled_from(STAGES), min_size=1, max_size=3),
        }
    ),
    st.fixed_dictionaries(
        {"field": st.just("last_seen_at"), "older_than_days": st.integers(0, 800)}
    ),
    st.fixed_dictionaries({"field": st.just("last_seen_at"), "within_days": st.integers(0, 800)}),
    st.fixed_dictionaries({"field": st.just("last_seen_at"), "age_min": st.integers(0, 70)}),
    st.fixed_dictionaries({"field": st.just("email_opt_out"), "present": st.booleans()}),
    st.fixed_dictionaries({"field": st.just("email_opt_out"), "in": st.just(["true"])}),
)
SPECS = st.lists(st.lists(CONDITIONS, min_size=1, max_size=3), min_size=1, max_size=5).map(
    lambda groups: SegmentFile.model_validate(
        {
            "segments": [
                *({"name": f"s{i}", "when": g} for i, g in enumerate(groups)),
                {"name": "rest", "catch_all": True},
            ]
        }
    )
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SPECS, _records(GOLDEN))
def test_check_is_sound_on_random_files_and_records(spec: SegmentFile, frame) -> None:
    """Exclusive and exhaustive always; no record reaches a segment the check calls
    unreachable; each segment the check reaches has a witness record it assigns there."""
    result = check_segments(spec, AS_OF)
    assert result.exclusive and result.exhaustive
    reached_by_records = set(assign(frame, spec, AS_OF))
    assert not reached_by_records & set(result.unreachable)
    assert set(result.reached) == set(spec.names)


def _spec(tmp_path: Path, text: str, rules) -> SegmentFile:
    path = tmp_path / "segments.yaml"
    path.write_text(text, encoding="utf-8")
    return load_segments(path, set(rules.model.names))


def test_check_names_a_shadowed_and_an_impossible_segment(tmp_path, rules) -> None:
    spec = _spec(
        tmp_path,
        """
segments:
  - {name: buyers, when: [{field: lifecycle_stage, in: [customer, evangelist]}]}
  - {name: customers, when: [{field: lifecycle_stage, in: [customer]}]}
  - name: never
    when: [{field: created_at, within_days: 30, older_than_days: 60}]
  - {name: rest, catch_all: true}
""",
        rules,
    )
    result = check_segments(spec, AS_OF)
    assert result.unreachable == ["customers", "never"]
    assert result.exhaustive and result.exclusive and not result.ok


def test_check_names_the_catch_all_when_the_rest_covers_everyone(tmp_path, rules) -> None:
    spec = _spec(
        tmp_path,
        """
segments:
  - {name: has_stage, when: [{field: lifecycle_stage, present: true}]}
  - {name: no_stage, when: [{field: lifecycle_stage, present: false}]}
  - {name: rest, catch_all: true}
""",
        rules,
    )
    assert check_segments(spec, AS_OF).unreachable == ["rest"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("segments:\n  - {name: a, when: [{field: city, in: [x]}]}\n", "catch_all"),
        ("segments:\n  - {name: a, catch_all: true}\n  - {name: a, catch_all: true}\n", "twice"),
        (
            "segments:\n  - {name: a, when: [{field: shoe_size, min: 40}]}\n"
            "  - {name: b, catch_all: true}\n",
            "unknown fields ['shoe_size']",
        ),
        (
            "segments:\n  - {name: a, when: [{field: city, in: [x], min: 3}]}\n"
            "  - {name: b, catch_all: true}\n",
            "mixes",
        ),
        (
            "segments:\n  - {name: a, when: [{field: city, in: [x]}]}\n"
            "  - {name: c, when: [{field: city, min: 3}]}\n  - {name: b, catch_all: true}\n",
            "both as text and as number",
        ),
        (
            "segments:\n  - {name: a, when: [{field: city}]}\n  - {name: b, catch_all: true}\n",
            "tests nothing",
        ),
    ],
)
def test_bad_files_are_one_line_user_errors(tmp_path, rules, text: str, message: str) -> None:
    with pytest.raises(UserError, match=r"segments\.yaml") as caught:
        _spec(tmp_path, text, rules)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_dates_ages_and_timestamps(tmp_path, rules) -> None:
    spec = _spec(
        tmp_path,
        """
segments:
  - {name: adult, when: [{field: created_at, age_min: 18}]}
  - {name: recent, when: [{field: updated_at, within_days: 30}]}
  - {name: rest, catch_all: true}
""",
        rules,
    )
    eighteen = date(2007, 6, 30)
    frame = pl.DataFrame(
        {
            "created_at": [eighteen.isoformat(), (eighteen + timedelta(days=1)).isoformat(), None],
            "updated_at": [None, f"{AS_OF - timedelta(days=30)}T23:59:00", "2025-05-30"],
        }
    )
    assert assign(frame, spec, AS_OF).to_list() == ["adult", "recent", "rest"]
