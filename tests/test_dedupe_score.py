"""Scoring: evidence per comparison level, clipping, the threshold and vetoes."""

from __future__ import annotations

import polars as pl
import pytest

from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.score import score_pairs


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return MatchConfig.model_validate(
        {
            "version": 1,
            "auto_merge_threshold": 0.8,
            "blocking": [["emails"]],
            "comparisons": [
                {
                    "name": "email",
                    "key": "emails",
                    "method": "any_shared",
                    "levels": [{"at": 1.0, "weight": 0.7}],
                    "disagree": -0.2,
                },
                {
                    "name": "last_name",
                    "key": "last_name",
                    "method": "jaro_winkler",
                    "levels": [{"at": 1.0, "weight": 0.3}, {"at": 0.9, "weight": 0.1}],
                    "disagree": -0.4,
                    "veto": True,
                },
            ],
        }
    )


def _score(config: MatchConfig, emails: tuple[list[str], list[str]], names: tuple) -> dict:
    pairs = pl.DataFrame(
        {
            "left": [0],
            "right": [1],
            "emails_l": [emails[0]],
            "emails_r": [emails[1]],
            "last_name_l": [names[0]],
            "last_name_r": [names[1]],
        }
    )
    (row,) = score_pairs(pairs, config).to_dicts()
    return row


def test_each_comparison_adds_the_weight_of_its_level(config: MatchConfig) -> None:
    row = _score(config, (["a@x.com"], ["a@x.com"]), ("pereira", "pereria"))
    assert (row["w_email"], row["w_last_name"]) == (0.7, 0.1)
    assert row["sim_last_name"] == pytest.approx(0.971, abs=1e-3)
    assert row["score"] == 0.8  # 0.7 + 0.1 reaches the threshold despite floating point
    assert row["match"] is True


def test_score_is_clipped_to_one(config: MatchConfig) -> None:
    row = _score(config, (["a@x.com"], ["a@x.com"]), ("silva", "silva"))
    assert row["score"] == 1.0


def test_missing_values_add_nothing(config: MatchConfig) -> None:
    row = _score(config, ([], ["a@x.com"]), ("silva", "silva"))
    assert row["sim_email"] is None
    assert (row["w_email"], row["score"], row["match"]) == (0.0, 0.3, False)


def test_disagreement_counts_against(config: MatchConfig) -> None:
    row = _score(config, (["a@x.com"], ["b@x.com"]), ("silva", "silva"))
    assert (row["w_email"], row["score"]) == (-0.2, 0.1)


def test_a_veto_forbids_the_merge_whatever_the_score(config: MatchConfig) -> None:
    lenient = config.model_copy(update={"auto_merge_threshold": 0.2})
    row = _score(lenient, (["a@x.com"], ["a@x.com"]), ("silva", "costa"))
    assert row["w_last_name"] == -0.4
    assert row["score"] == pytest.approx(0.3)
    assert row["match"] is False


def test_an_empty_batch_of_pairs_scores_to_an_empty_frame(config: MatchConfig) -> None:
    pairs = pl.DataFrame(
        schema={
            "left": pl.UInt32,
            "right": pl.UInt32,
            "emails_l": pl.List(pl.String),
            "emails_r": pl.List(pl.String),
            "last_name_l": pl.String,
            "last_name_r": pl.String,
        }
    )
    scored = score_pairs(pairs, config)
    assert scored.is_empty()
    assert {"score", "match", "w_email", "sim_last_name"} <= set(scored.columns)
