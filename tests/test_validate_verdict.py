"""The gate takes the normalizer's verdict on e-mail addresses instead of checking each again,
and runs the suite once, listing failing values only for the expectations that failed."""

from __future__ import annotations

import polars as pl
import pytest

from crmclean.batch import Batch
from crmclean.normalize.emails.columns import address
from crmclean.rules import Rules
from crmclean.validate import normalized_values, validate, validate_frame

RAW = ["José.Pérez@Exemplo.COM", "maria.joão@empresa.com.br", "ÇAĞLA@örnek.com.tr", "x@y.io"]


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules()


def golden(rules: Rules, emails: list[str | None]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "golden_id": [f"g{n}" for n in range(len(emails))],
            "email": emails,
            "full_name": ["Ana Souza"] * len(emails),
        },
        schema={"golden_id": pl.String, "email": pl.String, "full_name": pl.String},
    )
    return frame.with_columns(
        *(pl.lit(None, pl.String).alias(n) for n in rules.model.names if n not in frame.columns),
        source_count=pl.lit(1, pl.UInt32),
    )


def test_what_the_normalizer_writes_passes_with_or_without_its_verdict(rules):
    written = [address(raw).value for raw in RAW]
    assert all(written)
    frame = golden(rules, written)
    alone = validate_frame(frame, rules)
    carried = validate_frame(frame, rules, accepted=normalized_values(frame))
    assert alone.success and carried.success
    assert alone.to_dict() == carried.to_dict()


def test_the_verdict_is_carried_from_the_normalized_records(rules):
    """An address the per-value check would refuse passes when the normalizer wrote it (its
    verdict is trusted); one it did not write is still checked."""
    records = pl.DataFrame({"email": ["Bob@Example.com"], "email_alt": [["b@x.com"]]})
    assert sorted(normalized_values(records)["email"]) == ["Bob@Example.com", "b@x.com"]
    frame = golden(rules, ["Bob@Example.com", "Eve@Example.com"])
    result = validate(Batch(frame=records, golden=frame), rules)
    [failure] = result.failures
    assert (failure.expectation, failure.unexpected_count) == (
        "expect_column_values_to_be_valid_email",
        1,
    )
    assert [e["value"] for e in failure.examples] == ["Eve@Example.com"]


def test_failures_and_warnings_keep_their_suite_positions_and_details(rules):
    """A failure and a warning come back detailed from the second pass of the failed ones; the
    passing expectations keep their first-pass outcomes; every expectation is counted once."""
    frame = golden(rules, ["a@x.com", "a@x.com", "not-an-email"])
    result = validate_frame(frame, rules)
    assert not result.success
    assert {(f.expectation, f.unexpected_count) for f in result.failures} == {
        ("expect_column_values_to_match_regex", 1),
        ("expect_column_values_to_be_valid_email", 1),
    }
    [warning] = result.warnings
    assert (warning.column, warning.unexpected_count) == ("email", 2)
    assert sorted(e["golden_id"] for e in warning.examples) == ["g0", "g1"]
    assert result.exceptions == []


def test_an_address_kept_as_typed_with_an_error_still_fails_the_gate(rules):
    """The normalizer keeps 'first last@gmail.com' as typed (EM08, no single reading): that is
    not a verdict that it is valid, so the gate checks it and fails."""
    records = pl.DataFrame({"email": ["first last@gmail.com", "ana@x.com"]})
    assert normalized_values(records)["email"].to_list() == ["ana@x.com"]
    frame = golden(rules, ["first last@gmail.com", "ana@x.com"])
    failures = validate(Batch(frame=records, golden=frame), rules).failures
    [failure] = [f for f in failures if f.expectation == "expect_column_values_to_be_valid_email"]
    assert [e["value"] for e in failure.examples] == ["first last@gmail.com"]
