"""Scoring: log-likelihood evidence per level, term frequencies, groups, vetoes, probability."""

from __future__ import annotations

import math

import polars as pl
import pytest

from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.params import TF_U, Parameters
from crmclean.dedupe.score import score_pairs

PRIOR = 0.001  # prior log-odds: log2(0.001 / 0.999) ~ -9.96 bits


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return MatchConfig.model_validate(
        {
            "version": 1,
            "auto_merge_threshold": 0.9,
            "review_threshold": 0.5,
            "blocking": [["emails"]],
            "comparisons": [
                {
                    "name": "email",
                    "key": "emails",
                    "method": "any_shared",
                    "levels": [{"at": 1.0, "m": 0.5, "u": 0.0001}],
                    "tf": True,
                },
                {
                    "name": "phone",
                    "key": "phones",
                    "method": "any_shared",
                    "levels": [{"at": 1.0, "m": 0.5, "u": 0.001}],
                    "group": "place",
                },
                {
                    "name": "company",
                    "key": "company",
                    "method": "exact",
                    "levels": [{"at": 1.0, "m": 0.5, "u": 0.001}],
                    "group": "place",
                },
                {
                    "name": "last_name",
                    "key": "last_name",
                    "method": "jaro_winkler",
                    "levels": [{"at": 1.0, "m": 0.8, "u": 0.01}, {"at": 0.9, "m": 0.1, "u": 0.01}],
                    "veto": True,
                    "veto_unless": ["email"],
                },
            ],
        }
    )


def _params(config: MatchConfig, email_shares: dict[str, float] | None = None) -> Parameters:
    u = {spec.name: spec.u for spec in config.comparisons}
    shares = pl.DataFrame(
        {"emails": list((email_shares or {}).keys()), TF_U: list((email_shares or {}).values())},
        schema={"emails": pl.String, TF_U: pl.Float64},
    )
    return Parameters(u, {"email": shares}, PRIOR)


def _score(config: MatchConfig, params: Parameters, **sides: tuple) -> dict:
    columns = {"emails": ([], []), "phones": ([], []), "company": (None, None)}
    columns.update(sides)
    columns.setdefault("last_name", (None, None))
    data: dict[str, list] = {"left": [0], "right": [1]}
    schema: dict[str, pl.DataType] = {"left": pl.UInt32(), "right": pl.UInt32()}
    for key, (left, right) in columns.items():
        data[f"{key}_l"], data[f"{key}_r"] = [left], [right]
        kind = pl.List(pl.String) if key in ("emails", "phones") else pl.String()
        schema |= {f"{key}_l": kind, f"{key}_r": kind}
    (row,) = score_pairs(pl.DataFrame(data, schema=schema), config, params).to_dicts()
    return row


def test_each_level_adds_log2_m_over_u(config: MatchConfig) -> None:
    row = _score(config, _params(config), last_name=("pereira", "pereria"))
    assert row["w_last_name"] == pytest.approx(math.log2(0.1 / 0.01))
    expected = math.log2(0.1 / 0.01) + math.log2(PRIOR / (1 - PRIOR))
    assert row["match_weight"] == pytest.approx(expected)
    assert row["probability"] == pytest.approx(1 / (1 + 2**-expected))


def test_disagreement_takes_the_rest_of_m_and_u(config: MatchConfig) -> None:
    row = _score(config, _params(config), last_name=("pereira", "santos"))
    assert row["w_last_name"] == pytest.approx(math.log2(0.1 / 0.98))


def test_missing_values_add_nothing(config: MatchConfig) -> None:
    row = _score(config, _params(config), emails=([], ["a@x.com"]))
    assert row["sim_email"] is None
    assert row["w_email"] == 0.0


def test_a_shared_rare_value_weighs_more_than_a_common_one(config: MatchConfig) -> None:
    params = _params(config, {"rare@x.com": 0.00001, "team@x.com": 0.01})
    rare = _score(config, params, emails=(["rare@x.com"], ["rare@x.com"]))
    common = _score(config, params, emails=(["team@x.com", "b@x"], ["team@x.com"]))
    assert rare["w_email"] == pytest.approx(math.log2(0.5 / 0.00001))
    assert common["w_email"] == pytest.approx(math.log2(0.5 / 0.01))


def test_a_group_counts_its_strongest_agreement_once(config: MatchConfig) -> None:
    row = _score(config, _params(config), phones=(["+1"], ["+1"]), company=("acme", "acme"))
    one = math.log2(0.5 / 0.001)
    assert row["w_phone"] == row["w_company"] == pytest.approx(one)
    assert row["match_weight"] == pytest.approx(one + math.log2(PRIOR / (1 - PRIOR)))


def test_a_group_still_counts_its_strongest_disagreement(config: MatchConfig) -> None:
    row = _score(config, _params(config), phones=(["+1"], ["+2"]), company=("acme", "acme"))
    expected = math.log2(0.5 / 0.001) + math.log2(0.5 / 0.999) + math.log2(PRIOR / (1 - PRIOR))
    assert row["match_weight"] == pytest.approx(expected)


def test_a_veto_forbids_the_merge_unless_a_rescuing_comparison_agrees(
    config: MatchConfig,
) -> None:
    params = _params(config, {"a@x.com": 0.00001})
    phones = (["+1"], ["+1"])
    vetoed = _score(config, params, phones=phones, last_name=("silva", "costa"))
    assert (vetoed["veto"], vetoed["match"], vetoed["review"]) == (True, False, False)
    shared = (["a@x.com"], ["a@x.com"])
    rescued = _score(config, params, emails=shared, phones=phones, last_name=("silva", "costa"))
    assert (rescued["veto"], rescued["match"]) == (False, True)


def test_the_review_band_lies_between_the_thresholds(config: MatchConfig) -> None:
    row = _score(
        config, _params(config), company=("acme", "acme"), last_name=("pereira", "pereria")
    )
    assert 0.5 <= row["probability"] < 0.9
    assert (row["match"], row["review"]) == (False, True)


def test_without_parameters_the_configured_u_are_used(config: MatchConfig) -> None:
    pairs = pl.DataFrame(
        {"left": [0], "right": [1], "emails_l": [["a@x"]], "emails_r": [["a@x"]]}
        | {f"{k}_{s}": [None] for k in ("phones", "company", "last_name") for s in "lr"},
        schema_overrides={"phones_l": pl.List(pl.String), "phones_r": pl.List(pl.String)},
    )
    row = score_pairs(pairs, config).row(0, named=True)
    assert row["w_email"] == pytest.approx(math.log2(0.5 / 0.0001))


def test_an_empty_batch_of_pairs_scores_to_an_empty_frame(config: MatchConfig) -> None:
    schema = {"left": pl.UInt32, "right": pl.UInt32}
    for key in ("emails", "phones"):
        schema |= {f"{key}_l": pl.List(pl.String), f"{key}_r": pl.List(pl.String)}
    for key in ("company", "last_name"):
        schema |= {f"{key}_l": pl.String, f"{key}_r": pl.String}
    scored = score_pairs(pl.DataFrame(schema=schema), config, _params(config))
    assert scored.height == 0
    assert {"probability", "match", "review", "veto"} <= set(scored.columns)
