"""Scoring by chunks gives the pairs and clusters of scoring at once, on real records."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from crmclean.batch import GOLDEN_ID, Batch
from crmclean.dedupe import DedupeOptions, chunks, compare, dedupe
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.chunks import beside, by_chunk, floor_of, scored_chunks
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.learn import em_sample
from crmclean.dedupe.params import Parameters, estimate
from crmclean.dedupe.score import compared_pairs
from crmclean.dedupe.settle import begun, deferrable, settled_pairs
from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

CONTACTS = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"


@pytest.fixture(scope="module")
def batch() -> Batch:
    rules = Rules()
    return normalize(read_all([SourceSpec(str(CONTACTS))], rules), rules)


Prepared = tuple[MatchConfig, KeyTable, pl.DataFrame, Parameters]


@pytest.fixture(scope="module")
def prepared(batch: Batch) -> Prepared:
    """The sample's rules, coded keys, candidate pairs and parameters."""
    config = load_match_config(Rules())
    table = key_table(batch.frame.with_row_index(RECORD), config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    return config, table, pairs, estimate(table, config)


def test_chunks_score_every_pair_as_at_once(prepared: Prepared) -> None:
    config, table, pairs, params = prepared
    sample = compared_pairs(em_sample(pairs, config).head(500), table, config, params)
    whole = settled_pairs(pairs, table, config, params, sample)
    floor = floor_of(config)
    kept, apart = scored_chunks(pairs, table, config, params, sample, floor, chunk_pairs=997)
    assert_frame_equal(kept, whole.filter(pl.col("probability") >= floor))
    assert apart.equals(whole.filter(pl.col("probability") < floor).select("left", "right"))
    assert apart.height > 0 and kept.height > 0
    every, _ = scored_chunks(pairs, table, config, params, sample, chunk_pairs=1000)
    assert_frame_equal(every, whole)


def test_an_empty_sample_splits_into_empty_pieces(prepared: Prepared) -> None:
    """No pair compared yet: one empty piece per chunk, and the chunks score as without it."""
    config, table, pairs, params = prepared
    sample = compared_pairs(em_sample(pairs, config).head(0), table, config, params)
    pieces = by_chunk(sample, pairs, 997)
    assert len(pieces) == -(-pairs.height // 997)
    assert all(piece.is_empty() for piece in pieces)
    scored, _ = scored_chunks(pairs, table, config, params, pieces, chunk_pairs=997)
    alone, _ = scored_chunks(pairs, table, config, params, chunk_pairs=997)
    assert_frame_equal(scored, alone)


def test_the_sample_split_by_chunk_is_taken_piece_by_piece(prepared: Prepared) -> None:
    """EM's sample split by chunk: every compared pair once, in the pairs' order, each piece
    taken out of the list as its chunk is scored, with the result of the whole sample."""
    config, table, pairs, params = prepared
    sample = compared_pairs(em_sample(pairs, config).head(3000), table, config, params)
    pieces = by_chunk(sample, pairs, 997)
    assert len(pieces) == -(-pairs.height // 997)
    ordered = pl.concat(pieces)
    assert ordered.sort("left", "right").equals(sample.sort("left", "right"))
    position = pairs.with_row_index("at").join(
        ordered, on=["left", "right"], maintain_order="right"
    )
    assert position["at"].is_sorted() and position.height == sample.height
    floor = floor_of(config)
    whole, _ = scored_chunks(pairs, table, config, params, sample, floor, chunk_pairs=997)
    kept, _ = scored_chunks(pairs, table, config, params, pieces, floor, chunk_pairs=997)
    assert_frame_equal(kept, whole)
    assert pieces == []


def test_what_the_chunks_kept_does_not_outlive_them(prepared: Prepared) -> None:
    """The similarities kept from chunk to chunk (and the key values they hold) are dropped
    when the chunks are scored: a long-lived process does not carry the last run's."""
    config, table, pairs, params = prepared
    scored_chunks(pairs, table, config, params, None, floor_of(config), chunk_pairs=997)
    assert not compare._KEPT and not compare._LAST_HALVES


def test_a_floor_above_split_below_is_refused(batch: Batch) -> None:
    config = load_match_config(Rules())
    table = key_table(batch.frame.head(50).with_row_index(RECORD), config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    with pytest.raises(ValueError, match="split_below"):
        scored_chunks(pairs, table, config, estimate(table, config), None, 0.5)


def test_likely_pairs_alone_give_the_clusters_of_all_pairs(batch: Batch) -> None:
    rules = Rules()
    slim = dedupe(batch, rules, DedupeOptions())
    full = dedupe(batch, rules, DedupeOptions(all_pairs=True))
    assert slim.frame[GOLDEN_ID].equals(full.frame[GOLDEN_ID])
    assert_frame_equal(slim.golden, full.golden)
    assert slim.pairs is not None and full.pairs is not None
    assert slim.pairs.height < full.pairs.height
    floor = floor_of(load_match_config(rules))
    likely = full.pairs.filter((pl.col("probability") >= floor) | pl.col("cluster_check"))
    assert_frame_equal(slim.pairs, likely)
    counts = ("candidate_pairs", "matched_pairs", "review_pairs", "checked_pairs", "golden")
    assert {k: slim.stats["dedupe"][k] for k in counts} == {
        k: full.stats["dedupe"][k] for k in counts
    }


def test_pairs_slimmed_to_what_clustering_reads_give_the_same_clusters(batch: Batch) -> None:
    rules = Rules()
    slim = dedupe(batch, rules, DedupeOptions(slim_pairs=True))
    full = dedupe(batch, rules, DedupeOptions())
    assert slim.frame[GOLDEN_ID].equals(full.frame[GOLDEN_ID])
    assert slim.pairs is not None and full.pairs is not None
    assert slim.pairs.height == full.pairs.height
    assert slim.pairs.estimated_size() * 3 < full.pairs.estimated_size()
    signs = [c for c in slim.pairs.columns if c.startswith("w_")]
    assert signs and all(slim.pairs[c].dtype == pl.Int8 for c in signs)
    kept = ["left", "right", "probability", "match", "review", "veto", "cluster_check"]
    assert_frame_equal(slim.pairs.select(kept), full.pairs.select(kept))
    assert slim.stats["dedupe"] == full.stats["dedupe"]


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chunk=st.integers(min_value=97, max_value=1200), start=st.integers(0, 5000))
def test_any_chunk_size_gives_the_same_pairs(prepared: Prepared, chunk: int, start: int) -> None:
    config, table, pairs, params = prepared
    pairs = pairs.slice(start, 1000)
    whole = settled_pairs(pairs, table, config, params)
    kept, apart = scored_chunks(pairs, table, config, params, None, floor_of(config), chunk)
    assert_frame_equal(kept, whole.filter(pl.col("probability") >= floor_of(config)))
    assert kept.height + apart.height == pairs.height


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chunk=st.integers(min_value=97, max_value=1500), sampled=st.integers(1, 3000))
def test_chunks_begun_beside_the_last_give_the_pairs_of_one_at_a_time(
    prepared: Prepared, chunk: int, sampled: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk begun on a thread while the last one is finished: every kept pair (every
    column) and every pair kept apart as when the chunks are scored one after the other."""
    config, table, pairs, params = prepared
    sample = compared_pairs(em_sample(pairs, config).head(sampled), table, config, params)
    floor = floor_of(config)
    monkeypatch.setattr(chunks, "CHUNKS_BESIDE", 10**9)
    pieces = by_chunk(sample, pairs, chunk)
    alone = scored_chunks(pairs, table, config, params, pieces, floor, chunk)
    monkeypatch.setattr(chunks, "CHUNKS_BESIDE", 2)
    assert beside(config, -(-pairs.height // chunk))
    pieces = by_chunk(sample, pairs, chunk)
    both = scored_chunks(pairs, table, config, params, pieces, floor, chunk)
    assert both.scored.equals(alone.scored) and both.apart.equals(alone.apart)
    assert pieces == [] and not compare._KEPT


def test_chunks_begin_beside_only_when_many_and_on_keys_of_their_own(
    prepared: Prepared,
) -> None:
    """Few chunks begin one after the other (a second chunk alive is much of the peak); a key
    a method compares both before settling and after it keeps them apart too (its kept
    similarities are for one thread at a time)."""
    config = prepared[0]
    assert beside(config, chunks.CHUNKS_BESIDE)
    assert not beside(config, chunks.CHUNKS_BESIDE - 1)
    street = next(spec for spec in config.comparisons if spec.name == "street")
    assert street in deferrable(config)
    vetoing = street.model_copy(update={"name": "street_veto", "veto": True})
    both = config.model_copy(update={"comparisons": [*config.comparisons, vetoing]})
    assert vetoing not in deferrable(both) and street in deferrable(both)
    assert not beside(both, chunks.CHUNKS_BESIDE)


def test_a_chunk_that_fails_beside_fails_the_scoring(
    prepared: Prepared, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error beginning a chunk on the thread is raised to the caller, once the thread is
    done, and what the chunks kept is dropped all the same."""
    config, table, pairs, params = prepared
    calls: list[int] = []

    def failing(*args: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("chunk 3")
        return begun(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(chunks, "begun", failing)
    monkeypatch.setattr(chunks, "CHUNKS_BESIDE", 2)
    with pytest.raises(RuntimeError, match="chunk 3"):
        scored_chunks(pairs, table, config, params, None, floor_of(config), chunk_pairs=997)
    assert len(calls) == 3 and not compare._KEPT
