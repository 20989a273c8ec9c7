"""Learning m from the data: EM without labels, and labelled pairs from a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedupe_support import contacts

from crmclean.batch import Batch
from crmclean.companies.config import load_company_config
from crmclean.dedupe import DedupeOptions, dedupe, learn
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.learn import expectation_maximisation, from_labelled_pairs
from crmclean.dedupe.params import Parameters, estimate
from crmclean.dedupe.score import (
    compared_pairs,
    default_parameters,
    probabilities,
    thresholds,
    weighed_pairs,
    weight,
)
from crmclean.dedupe.training import COLUMNS, read_training_pairs
from crmclean.errors import UserError
from crmclean.rules import Rules

RULES = Rules()
CITIES = ["Recife", "Natal", "Belém", "Manaus", "Curitiba", "Salvador", "Maceió", "Aracaju"]


def _moved(people: int = 40) -> pl.DataFrame:
    """Two records per person, the same e-mail and name, the city changed (a move)."""
    records = [
        {"first_name": f"Pessoa{i}", "last_name": "Zanetti", "email": f"p{i}@x.com", "city": city}
        for i in range(people)
        for city in (CITIES[i % 8], CITIES[(i + 3) % 8])
    ]
    return contacts(*records)


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    tuned = {"em_iterations": 10, "m_prior_pairs": 10, "training_prior_pairs": 10}
    return load_match_config(RULES).model_copy(update=tuned)


def _city_m(config: MatchConfig, frame: pl.DataFrame, labelled: bool = False) -> list[float]:
    config = config.model_copy(update={"blocking": [["emails"]]})  # the pairs of one person
    table = key_table(frame, config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    params = estimate(table, config)
    if labelled:
        learned = from_labelled_pairs(pairs, table, config, params)
    else:
        learned = expectation_maximisation(
            compared_pairs(pairs, table, config, params), config, params
        )
    return learned.m["city"]


def test_em_learns_that_matches_often_disagree_on_the_city(config: MatchConfig) -> None:
    rules_m = next(spec for spec in config.comparisons if spec.name == "city").m
    learned = _city_m(config, _moved())
    assert learned[0] < rules_m[0] / 2  # agreeing on the city is rare among these matches
    assert learned[-1] > rules_m[-1]
    assert sum(learned) == pytest.approx(1.0)


def test_the_rules_prior_holds_em_back_on_little_data(config: MatchConfig) -> None:
    strong = config.model_copy(update={"m_prior_pairs": 100_000})
    rules_m = next(spec for spec in config.comparisons if spec.name == "city").m
    assert _city_m(strong, _moved()) == pytest.approx(rules_m, abs=0.01)


def test_labelled_matches_give_each_levels_share(config: MatchConfig) -> None:
    learned = _city_m(config, _moved(), labelled=True)
    assert learned[0] == pytest.approx(10 * 0.85 / (40 + 10))  # 40 pairs, none agreeing


def test_labelled_pairs_are_smoothed_by_training_prior_pairs_not_the_em_prior(
    config: MatchConfig,
) -> None:
    """A person picked the pairs with care: ``training_prior_pairs`` (10) pseudo-pairs hold
    them back, not EM's ``m_prior_pairs`` (1000 by default), under which 40 answers would
    barely move ``m``."""
    tuned = config.model_copy(update={"m_prior_pairs": 100_000, "training_prior_pairs": 20})
    learned = _city_m(tuned, _moved(), labelled=True)
    assert learned[0] == pytest.approx(20 * 0.85 / (40 + 20))


def _training(path: Path, *rows: tuple[str, str, str]) -> Path:
    table = [("crm", a, "crm", b, match) for a, b, match in rows]
    pl.DataFrame(table, schema=COLUMNS, orient="row").write_csv(path)
    return path


def test_a_training_file_teaches_the_stage(tmp_path: Path) -> None:
    path = _training(
        tmp_path / "t.csv", *((str(2 * i + 1), str(2 * i + 2), "1") for i in range(40))
    )
    plain = dedupe(Batch(_moved()), RULES).pairs
    taught = dedupe(Batch(_moved()), RULES, DedupeOptions(training_pairs=path)).pairs
    assert taught["w_city"].min() > plain["w_city"].min()  # a changed city counts less


def test_training_labels_are_read_and_checked(tmp_path: Path) -> None:
    good = _training(tmp_path / "t.csv", ("1", "2", "1"), ("1", "3", " No "), ("2", "3", None))
    assert read_training_pairs(good)["match"].to_list() == [True, False]
    bad = _training(tmp_path / "bad.csv", ("1", "2", "1"), ("1", "3", "maybe"))
    with pytest.raises(UserError, match=r"bad\.csv:3: column 'match': expected 1 or 0"):
        read_training_pairs(bad)
    pl.DataFrame({"source_a": ["crm"]}).write_csv(tmp_path / "cols.csv")
    with pytest.raises(UserError, match="missing columns"):
        read_training_pairs(tmp_path / "cols.csv")


def test_em_never_makes_a_disagreement_rarer_than_the_rules_say(config: MatchConfig) -> None:
    stayed = contacts(
        *(
            {"first_name": f"Pessoa{i}", "last_name": "Zanetti", "email": f"p{i}@x.com", "city": c}
            for i in range(40)
            for c in (CITIES[i % 8],) * 2
        )
    )
    rules_m = next(spec for spec in config.comparisons if spec.name == "city").m
    learned = _city_m(config, stayed)
    assert learned[-1] == pytest.approx(rules_m[-1])
    assert learned[0] > rules_m[0]
    assert sum(learned) == pytest.approx(1.0)


def _swapped(people: int = 40) -> pl.DataFrame:
    """Two records per person, the same e-mail, the first and last names swapped on one."""
    records = [
        names
        for i in range(people)
        for names in (
            {"first_name": f"Pessoa{i}", "last_name": "Zanetti", "email": f"p{i}@x.com"},
            {"first_name": "Zanetti", "last_name": f"Pessoa{i}", "email": f"p{i}@x.com"},
        )
    ]
    return contacts(*records)


def test_a_disagreement_a_swap_explains_teaches_em_nothing(config: MatchConfig) -> None:
    """The swapped names weigh nothing against the pair (``explained_by``), so they do not
    make differing first names look common among one person's records either."""
    config = config.model_copy(update={"blocking": [["emails"]]})
    table = key_table(_swapped(), config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    params = estimate(table, config)
    learned = expectation_maximisation(compared_pairs(pairs, table, config, params), config, params)
    rules_m = next(spec for spec in config.comparisons if spec.name == "first_name").m
    assert learned.m["first_name"] == pytest.approx(rules_m)


def test_em_weighs_its_sample_by_slices_as_at_once(
    config: MatchConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each pair is weighed on its own: slices of the sample learn the very same ``m``."""
    frame = _moved(200)
    table = key_table(frame, config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    params = estimate(table, config)
    compared = compared_pairs(pairs, table, config, params)
    whole = expectation_maximisation(compared, config, params, table.height, pairs.height)
    monkeypatch.setattr(learn, "WEIGHED_SLICE", 7)
    sliced = expectation_maximisation(compared, config, params, table.height, pairs.height)
    assert compared.height > 7 * 3
    assert sliced.m == whole.m and sliced.prior == whole.prior


def _random_compared(config: MatchConfig, rows: int, seed: int) -> pl.DataFrame:
    """Made-up compared pairs of a few patterns: each pair's similarity anywhere in its
    pattern's band between two thresholds (at the lower one a fifth of the time), null, or
    below all; its term frequencies those of its pattern."""
    rng = np.random.default_rng(seed)
    cuts = thresholds(config)
    pattern = rng.integers(0, 60, rows)
    columns: dict[str, list[float | None]] = {}
    for spec in config.comparisons:
        edges = [0.0, *sorted(cuts[spec.name]), 1.0]
        band = rng.integers(-1, len(edges) - 1, 60)[pattern]  # -1: null
        low = np.array(edges)[np.maximum(band, 0)]
        high = np.array(edges)[np.maximum(band, 0) + 1]
        at = np.where(rng.random(rows) < 0.2, low, low + rng.random(rows) * (high - low) * 0.999)
        columns[f"sim_{spec.name}"] = [
            None if b < 0 else float(a) for a, b in zip(at, band, strict=True)
        ]
        if spec.tf:
            shares = np.array([np.nan, 1e-6, 0.002, 0.3])[rng.integers(0, 4, 60)][pattern]
            columns[f"_tf_{spec.name}"] = [None if np.isnan(u) else float(u) for u in shares]
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Float64))


def _with_own_at(config: MatchConfig) -> MatchConfig:
    """``config`` with a ``veto_unless`` part at a similarity no level of its comparison has."""
    specs = [
        spec.model_copy(update={"veto_unless": [*spec.veto_unless, "first_name@0.85+~mobile"]})
        if spec.veto
        else spec
        for spec in config.comparisons
    ]
    return config.model_copy(update={"comparisons": specs})


@pytest.mark.parametrize("rules", ["contacts", "companies", "own_at"])
def test_em_weighs_each_pattern_once_as_every_pair_of_it(rules: str) -> None:
    """Pairs reaching the same thresholds with the same term frequencies weigh alike to the
    last bit, so a pattern's pair speaks for all of them."""
    config = load_company_config(RULES) if rules == "companies" else load_match_config(RULES)
    config = _with_own_at(config) if rules == "own_at" else config
    compared = _random_compared(config, 5000, seed=3)
    params = default_parameters(config)
    patterns, where = learn._patterns(compared, config)
    assert patterns.height < compared.height
    every = weighed_pairs(compared, config, params)
    once = weighed_pairs(patterns, config, params)
    for column in ("probability", "match_weight", "veto"):
        assert np.array_equal(once[column].to_numpy()[where], every[column].to_numpy())


def test_thresholds_hold_the_at_similarities_of_veto_unless() -> None:
    config = _with_own_at(load_match_config(RULES))
    levels = next(spec for spec in config.comparisons if spec.name == "first_name").levels
    assert 0.85 not in {level.at for level in levels}
    assert 0.85 in thresholds(config)["first_name"]


def _learned_like(config: MatchConfig, seed: int) -> Parameters:
    """The configured parameters with every ``m`` moved at random, as EM moves them."""
    rng = np.random.default_rng(seed)
    params = default_parameters(config)
    m = {}
    for spec in config.comparisons:
        moved = np.array(spec.m) * rng.uniform(0.5, 1.5, len(spec.m))
        m[spec.name] = [float(share) for share in moved / moved.sum()]
    return Parameters(params.u, params.tf, params.prior * rng.uniform(0.1, 10.0), m)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), companies=st.booleans())
def test_em_probabilities_are_the_weighed_ones_to_the_last_bit(seed: int, companies: bool) -> None:
    """EM weighs only up to ``probability`` (no veto, decisions or score): the very bits of
    :func:`weighed_pairs`, so ``m`` is learned as before."""
    config = load_company_config(RULES) if companies else load_match_config(RULES)
    compared = _random_compared(config, 600, seed)
    params = _learned_like(config, seed)
    every = weighed_pairs(compared, config, params)["probability"].to_numpy()
    assert np.array_equal(probabilities(compared, config, params).to_numpy(), every)


@pytest.mark.parametrize("rules", ["contacts", "companies"])
def test_weights_read_each_level_made_once_as_from_the_similarity(rules: str) -> None:
    """The weighing makes each comparison's level once (a column) and its weight reads it:
    the same weights as a level made from the similarity in every branch (:func:`weight`)."""
    config = load_company_config(RULES) if rules == "companies" else load_match_config(RULES)
    compared = _random_compared(config, 3000, seed=5)
    params = _learned_like(config, seed=5)
    weighed = weighed_pairs(compared, config, params)
    plain = [s for s in config.comparisons if not (s.explained_by or s.superseded_by)]
    assert plain
    reference = compared.select(weight(spec, params, compared.columns) for spec in plain)
    assert weighed.select(reference.columns).equals(reference)
