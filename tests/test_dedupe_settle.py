"""Settled scoring decides every pair as full scoring does, on real records."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crmclean.dedupe.blocking import PAIR_SCHEMA, candidate_pairs
from crmclean.dedupe.chunks import floor_of
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.params import Parameters, estimate
from crmclean.dedupe.score import compared_pairs, score_pairs
from crmclean.dedupe.settle import _reach, deferrable, floored_pairs, settled_pairs
from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

CONTACTS = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return load_match_config(Rules())


@pytest.fixture(scope="module")
def blocked(config: MatchConfig) -> tuple[KeyTable, pl.DataFrame, Parameters]:
    """The public contacts sample's key table, candidate pairs and estimated parameters."""
    rules = Rules()
    frame = normalize(read_all([SourceSpec(str(CONTACTS))], rules), rules).frame
    table = key_table(frame.with_row_index(RECORD), config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    return table, pairs, estimate(table, config)


@pytest.fixture(scope="module")
def scored(
    config: MatchConfig, blocked: tuple[KeyTable, pl.DataFrame, Parameters]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every candidate pair of the public contacts sample scored in full and settled."""
    table, pairs, params = blocked
    return score_pairs(pairs, table, config, params), settled_pairs(pairs, table, config, params)


def test_pairs_compared_already_are_scored_as_they_are(
    config: MatchConfig, blocked: tuple[KeyTable, pl.DataFrame, Parameters]
) -> None:
    table, pairs, params = blocked
    known = compared_pairs(pairs.sample(pairs.height // 3, seed=1), table, config, params)
    settled = settled_pairs(pairs, table, config, params, known)
    assert settled.select("left", "right").equals(pairs)
    full = score_pairs(pairs, table, config, params)
    for column in ("match", "review", "veto"):
        assert settled[column].equals(full[column])


def test_the_place_comparisons_are_deferrable(config: MatchConfig) -> None:
    names = {spec.name for spec in deferrable(config)}
    assert {"street", "city", "company", "postal_code"} <= names
    assert not names & {"first_name", "last_name", "name_order", "name_swap", "birth_date"}


def test_settled_scoring_decides_as_full_scoring(
    scored: tuple[pl.DataFrame, pl.DataFrame], config: MatchConfig
) -> None:
    full, settled = scored
    assert settled.columns == full.columns
    for column in ("left", "right", "match", "review", "veto"):
        assert settled[column].equals(full[column])
    kept = ~full["veto"]
    below = [frame.filter(kept)["probability"] < config.split_below for frame in scored]
    assert below[0].equals(below[1])
    likely = full["match"] | full["review"]
    assert settled.filter(likely)["probability"].equals(full.filter(likely)["probability"])


def test_settled_scoring_skips_the_plain_non_matches(
    scored: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    full, settled = scored
    skipped = settled["sim_street"].is_null().sum() - full["sim_street"].is_null().sum()
    assert skipped > full.height // 4


def test_a_comparison_a_record_has_no_value_for_cannot_move_the_pair(
    config: MatchConfig, blocked: tuple[KeyTable, pl.DataFrame, Parameters]
) -> None:
    table, _, params = blocked
    later = deferrable(config)
    pairs = pl.DataFrame({"left": [0] * 50, "right": range(1, 51)}, schema=PAIR_SCHEMA)
    first = pl.int_range(pl.len()) == 0
    blanked = table.codes.with_columns(
        pl.when(~first).then(pl.col(key)).alias(key) for key in {spec.key for spec in later}
    )
    nothing = _reach(later, params, pairs, KeyTable(blanked, table.values))
    assert (nothing["up"] == 0).all() and (nothing["down"] == 0).all()
    reach = _reach(later, params, pairs, table)
    assert (reach["up"] > 0).any() and (reach["down"] < 0).any()


def test_which_keys_a_record_holds_is_one_bit_each_made_once() -> None:
    codes = pl.DataFrame({"city": [1, None, 3, None], "street": [None, None, 5, 6]}).cast(pl.UInt32)
    table = KeyTable(codes, {})
    held = table.held(("city", "street"))
    assert held.to_list() == [1, 0, 3, 2]
    assert table.held(("city", "street")) is held
    assert table.held(("street",)).to_list() == [0, 0, 1, 1]


def test_a_chunk_scores_the_pairs_compared_already_that_it_holds(
    config: MatchConfig, blocked: tuple[KeyTable, pl.DataFrame, Parameters]
) -> None:
    """EM's sample holds pairs of every chunk: a chunk scores as they are those it holds (found
    among the sample's pairs, in the chunk's order) and no pair of another chunk."""
    table, pairs, params = blocked
    known = compared_pairs(pairs.sample(pairs.height // 2, seed=2), table, config, params)
    chunk = pairs.slice(pairs.height // 3, pairs.height // 3)
    settled = settled_pairs(chunk, table, config, params, known)
    assert settled.select("left", "right").equals(chunk)
    sims = [f"sim_{spec.name}" for spec in deferrable(config)]
    held = known.join(chunk, on=["left", "right"], how="semi").select("left", "right", *sims)
    as_they_are = settled.join(held, on=["left", "right"], how="semi").select(held.columns)
    assert 0 < held.height < chunk.height
    assert as_they_are.sort("left", "right").equals(held.sort("left", "right"))
    full = score_pairs(chunk, table, config, params)
    for column in ("match", "review", "veto"):
        assert settled[column].equals(full[column])


def test_a_floor_keeps_what_settled_scoring_puts_at_it_or_above(
    scored: tuple[pl.DataFrame, pl.DataFrame],
    config: MatchConfig,
    blocked: tuple[KeyTable, pl.DataFrame, Parameters],
) -> None:
    """Pairs left below the floor by their partial weight and what their deferred comparisons
    add at most, unweighed, are those weighing in full puts below it; the others as they are."""
    table, pairs, params = blocked
    floor = floor_of(config)
    floored = floored_pairs(pairs, table, config, params, None, floor)
    settled = scored[1]
    at_floor = settled["probability"] >= floor
    assert floored.low.equals(~at_floor)
    assert 0 < floored.kept.height < pairs.height
    assert_frame_equal(floored.kept, settled.filter(at_floor))
