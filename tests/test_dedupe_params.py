"""Parameters estimated without labels: u from random pairs, term frequencies, the prior."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedupe_support import contacts

from crmclean.dedupe.coded_keys import KeyTable, encode, index_of
from crmclean.dedupe.compare import compare, forget_kept
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.params import _frequencies, _holders, estimate, level_shares, random_pairs
from crmclean.rules import Rules


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return load_match_config(Rules())


def _keys(config: MatchConfig, *records: dict) -> KeyTable:
    return key_table(contacts(*records), config.key_names, config)


def _tf(config: MatchConfig, comparison: str, *records: dict) -> dict[str, float]:
    """The term-frequency ``u`` of each value of a comparison's key."""
    table = _keys(config, *records)
    key = next(spec.key for spec in config.comparisons if spec.name == comparison)
    shares = estimate(table, config).tf[comparison]
    return dict(zip(table.values[key].to_list(), shares.to_list(), strict=True))


def test_random_pairs_are_distinct_ordered_and_seeded() -> None:
    pairs = random_pairs(50, 500, seed=1)
    assert (pairs["left"] < pairs["right"]).all()
    assert pairs.n_unique() == pairs.height
    assert pairs.equals(random_pairs(50, 500, seed=1))


def test_a_value_shared_by_many_records_has_a_high_u(config: MatchConfig) -> None:
    office = [{"first_name": f"P{i}", "phone": "+551130001000"} for i in range(30)]
    phones = _tf(config, "phone", *office, {"first_name": "Ana", "phone": "+551199990000"})
    assert phones["+551130001000"] == pytest.approx(29 / 1000)  # 29 other holders
    assert phones["+551199990000"] == pytest.approx(1 / 1000)  # never below tf_min = 1


def test_a_personal_email_held_by_one_persons_records_is_near_unique(
    config: MatchConfig,
) -> None:
    emails = _tf(config, "email", *[{"email": "ana@x.com"}] * 3, {"email": "bia@x.com"})
    assert emails["ana@x.com"] == pytest.approx(0.01 / 1000)  # tf_own 3, tf_min 0.01


def test_common_names_are_never_taken_as_rare(config: MatchConfig) -> None:
    records = [
        {"first_name": "Maria", "last_name": "Silva"},
        {"first_name": "Maria", "last_name": "Silva"},
        {"first_name": "Ieda", "last_name": "Zanetti"},
        {"first_name": "Ieda", "last_name": "Zanetti"},
    ]
    assert _tf(config, "name", *records)["maria silva"] == pytest.approx(0.06 * 0.1)
    assert _tf(config, "name_order", *records)["maria silva"] == pytest.approx(0.06 * 0.1)
    names = _tf(config, "name", *records)
    assert names["maria silva"] == pytest.approx(0.06 * 0.1)
    assert names["ieda zanetti"] == pytest.approx(1 / 1000)


def test_first_and_last_names_weigh_by_their_frequency_never_below_their_known_share(
    config: MatchConfig,
) -> None:
    records = [
        {"first_name": "Maria", "last_name": "Silva"},
        {"first_name": "Maria", "last_name": "Silva"},
        {"first_name": "Ieda", "last_name": "Zanetti"},
        {"first_name": "Ieda", "last_name": "Zanetti"},
    ]
    first, last = _tf(config, "first_name", *records), _tf(config, "last_name", *records)
    assert first["maria"] == pytest.approx(0.06)
    assert last["silva"] == pytest.approx(0.1)
    assert first["ieda"] == last["zanetti"] == pytest.approx(1 / 1000)


def test_the_prior_shrinks_as_the_data_grows(config: MatchConfig) -> None:
    small = estimate(_keys(config, {"first_name": "Ana"}), config).prior
    larger = config.model_copy(update={"min_population": 10_000})
    big = estimate(_keys(larger, {"first_name": "Ana"}), larger).prior
    assert small == pytest.approx(1.0 / 999)
    assert big == pytest.approx(1.0 / 9999)


def test_u_is_measured_on_the_data_and_smoothed_toward_the_rules(config: MatchConfig) -> None:
    records = [{"first_name": "Ana", "city": "Recife"} for _ in range(40)]
    u = estimate(_keys(config, *records), config).u["city"]
    configured = next(spec for spec in config.comparisons if spec.name == "city").u
    assert u[0] > configured[0]  # every random pair agrees on the city here
    assert sum(u) == pytest.approx(1.0)


def test_a_postcode_normalize_could_not_read_is_never_rarer_than_random_pairs_say(
    config: MatchConfig,
) -> None:
    frame = contacts(*[{"first_name": "Ana"}] * 3)
    unread = frame.with_columns(postal_unread=pl.Series(["10001", "10001", "20002"]))
    table = key_table(unread, config.key_names, config)
    params = estimate(table, config)
    shares = dict(zip(table.values["postal_unread"], params.tf["postal_unread"], strict=True))
    assert shares["20002"] == pytest.approx(params.u["postal_unread"][0])  # not 1 / 1000


def test_a_one_word_name_is_as_common_as_the_names_holding_that_word(
    config: MatchConfig,
) -> None:
    named = [{"first_name": f"P{i}", "last_name": "Pera"} for i in range(9)]
    names = _tf(config, "name_order", *named, {"last_name": "Pera"}, {"last_name": "Zanetti"})
    assert names["pera"] == pytest.approx(9 / 1000)  # ten records hold "pera", one its own
    assert names["zanetti"] == pytest.approx(1 / 1000)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a@x", "b@x", "c@y", "d", "e"]), max_size=4)))
def test_a_list_keys_holders_count_each_record_once(lists: list[list[str]]) -> None:
    """A list key's holders of each value are those of its lists made unique, a value a
    record lists twice counted once (most records' single code read, not their list)."""
    table = encode(pl.DataFrame({"tails": lists}, schema={"tails": pl.List(pl.String)}))
    counts, carriers = _holders(table, "tails")
    flat = table.codes["tails"].list.unique().explode().drop_nulls()
    indices = flat.to_frame().select(index_of(pl.col("tails"))).to_series().to_numpy()
    assert counts.tolist() == np.bincount(indices, minlength=table.values["tails"].len()).tolist()
    assert carriers == sum(1 for values in lists if values)


def _one_by_one(table: KeyTable, config: MatchConfig) -> tuple[dict, dict]:
    """``u`` and the term frequencies as the estimate made them on one thread: each
    comparison of the random pairs in turn, then each table of frequencies."""
    sample = random_pairs(table.height, config.u_sample_pairs, config.seed)
    u = {}
    for spec in config.comparisons:
        counts = level_shares(compare(sample, table, spec.key, spec.method), spec)
        total = sum(counts) + config.u_prior_pairs
        u[spec.name] = [
            (seen + config.u_prior_pairs * u0) / total
            for seen, u0 in zip(counts, spec.u, strict=True)
        ]
    population = max(table.height, config.min_population)
    tf = {
        spec.name: _frequencies(table, spec, config, population, u[spec.name][0])
        for spec in config.comparisons
        if spec.tf
    }
    return u, tf


_WORDS = ["ana", "maria", "ana maria", "silva", "sylva", "souza", "rua a 1", "rua b 2", None]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                field: st.sampled_from(_WORDS)
                for field in ("first_name", "last_name", "city", "street", "company")
            }
        ),
        min_size=2,
        max_size=14,
    ),
    st.integers(5, 120),
)
def test_the_estimate_side_by_side_is_the_estimate_one_by_one(
    config: MatchConfig, records: list[dict], sample_pairs: int
) -> None:
    """The comparisons and frequencies on threads give the same ``u`` and term frequencies,
    to the last bit and in the same order, as one thread (a key a method compares twice,
    here the city, compared once)."""
    city = next(spec for spec in config.comparisons if spec.name == "city")
    again = city.model_copy(update={"name": "city_again", "levels": city.levels[:1]})
    config = config.model_copy(
        update={"u_sample_pairs": sample_pairs, "comparisons": [*config.comparisons, again]}
    )
    table = _keys(config, *records)
    forget_kept()
    u, tf = _one_by_one(table, config)
    forget_kept()
    params = estimate(table, config)
    forget_kept()
    assert params.u == u and list(params.u) == list(u)
    assert list(params.tf) == list(tf)
    assert all(params.tf[name].equals(shares, check_names=True) for name, shares in tf.items())
