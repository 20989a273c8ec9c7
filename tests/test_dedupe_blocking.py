"""Blocking: candidate pairs by self-joins on keys, with the oversized-block guard."""

from __future__ import annotations

import itertools
from pathlib import Path
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from test_dedupe_support import contacts

from crmclean.dedupe import blocking
from crmclean.dedupe.blocking import (
    KEY,
    Blocks,
    Sorted,
    candidate_pairs,
    oversized_findings,
    rule_blocks,
)
from crmclean.dedupe.coded_keys import KeyTable, encode, index_of
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.score import score_pairs
from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

SWITCHBOARD = "+551130001000"
CONTACTS = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"


@pytest.fixture(scope="module")
def config(rules: Rules) -> MatchConfig:
    return load_match_config(rules)


def _pairs(config: MatchConfig, frame: pl.DataFrame) -> tuple[list[tuple[int, int]], pl.DataFrame]:
    pairs, oversized = candidate_pairs(key_table(frame, config.key_names, config), config)
    return list(pairs.iter_rows()), oversized


def test_records_sharing_any_email_or_phone_are_paired_once(config: MatchConfig) -> None:
    frame = contacts(
        {"email": "ana@x.com", "phone": "+5511911110000"},
        {"email": "bia@y.com"},
        {"email": "outro@z.com", "email_alt": ["ana@x.com"], "mobile": "+5511911110000"},
        {"email": "bia@y.com"},
    )
    pairs, oversized = _pairs(config, frame)
    assert pairs == [(0, 2), (1, 3)]
    assert oversized.is_empty()


def test_name_rules_need_every_key(config: MatchConfig) -> None:
    frame = contacts(
        {"first_name": "Ana", "last_name": "Silva"},
        {"first_name": "Anna", "last_name": "Sylva"},
        {"first_name": "Bia", "last_name": "Silva"},
        {"first_name": "Ana", "last_name": "Costa", "postal_code": "01310-100"},
        {"first_name": "Ana", "last_name": "Lima", "postal_code": "01310100"},
    )
    pairs, _ = _pairs(config, frame)
    assert pairs == [(0, 1), (3, 4)]


def test_role_addresses_never_block(config: MatchConfig) -> None:
    frame = contacts({"email": "contato@empresa.com.br"}, {"email": "contato@empresa.com.br"})
    assert _pairs(config, frame)[0] == []


def test_oversized_blocks_are_skipped_and_reported(config: MatchConfig) -> None:
    guarded = config.model_copy(update={"max_block_size": 3})
    staff = [{"phone": SWITCHBOARD, "email": f"p{n}@empresa.com.br"} for n in range(5)]
    frame = contacts(*staff, {"email": "p0@empresa.com.br"}, {"phone": "+5511922220000"})
    pairs, oversized = _pairs(guarded, frame)
    assert pairs == [(0, 5)]
    assert oversized.to_dicts() == [
        {"rule": "phone_tails", "value": SWITCHBOARD[-8:], "size": 5, "first": 0}
    ]


def _born_on_one_day(names: list[tuple[str, str]]) -> pl.DataFrame:
    return contacts(
        *({"first_name": first, "last_name": last, "birth_date": "1980-05-17"}
          for first, last in names)
    )  # fmt: skip


def test_a_capped_rule_keeps_small_blocks_whole(config: MatchConfig) -> None:
    only_dates = config.model_copy(update={"blocking": [["birth_date"]]})
    frame = _born_on_one_day([("Ana", "Costa"), ("Bruno", "Lima"), ("Carla", "Dias")])
    assert _pairs(only_dates, frame)[0] == [(0, 1), (0, 2), (1, 2)]


def test_a_capped_rule_splits_larger_blocks_by_its_own_keys(config: MatchConfig) -> None:
    """Past its cap, a birth date pairs only records sharing the sound of the first or the last
    name (a typo in one name keeps the pair), and is not reported as oversized."""
    only_dates = config.model_copy(update={"blocking": [["birth_date"]]})
    cap = config.rule_caps["birth_date"].max_block_size
    sounds = [(a, b) for a, b in itertools.product("bfklmnprt", repeat=2) if a != b]
    strangers = [(f"{a}o{b}a", f"{b}e{a}ur") for a, b in sounds]  # Bofa Febur: all sounds apart
    frame = _born_on_one_day(
        [("Ana", "Silva"), ("Anna", "Sylva"), ("Xana", "Silva"), *strangers[:cap]]
    )
    pairs, oversized = _pairs(only_dates, frame)
    assert pairs == [(0, 1), (0, 2), (1, 2)]
    assert oversized.is_empty()


def test_a_street_past_its_cap_pairs_records_of_one_city(config: MatchConfig) -> None:
    """A street shared by more records than its cap pairs those of one city even when one of
    them has no postal code."""
    only_streets = config.model_copy(update={"blocking": [["street"]]})
    cap = config.rule_caps["street"].max_block_size
    towns = ["".join(letters) for letters in itertools.product("bcdfgl", repeat=3)][:cap]
    others = ({"street": "Rua A 1", "city": town} for town in towns)
    frame = contacts(
        {"street": "Rua A 1", "city": "Recife", "postal_code": "50000-000"},
        {"street": "Rua A 1", "city": "Recife"},
        *others,
    )
    assert _pairs(only_streets, frame)[0] == [(0, 1)]


def test_rule_caps_name_blocking_rules(config: MatchConfig) -> None:
    settings = config.model_dump() | {"blocking": [["emails"]]}
    with pytest.raises(ValueError, match="rule_caps names no blocking rule: birth_date"):
        MatchConfig.model_validate(settings)


def test_oversized_findings_list_the_largest_blocks_on_their_first_record() -> None:
    frame = contacts({}, {}, {}, source="crm")
    oversized = pl.DataFrame(
        {"rule": ["phones", "emails"], "value": [SWITCHBOARD, "x@y.com"], "size": [400, 250],
         "first": [2, 0]},
        schema={"rule": pl.String, "value": pl.String, "size": pl.UInt32, "first": pl.UInt32},
    )  # fmt: skip
    (finding,) = oversized_findings(oversized, frame, top=1).to_dicts()
    assert (finding["_source"], finding["_source_id"]) == ("crm", "3")
    assert (finding["code"], finding["rule"]) == ("DD01", "dedupe.oversized_block")
    assert (finding["field"], finding["before"]) == ("phones", SWITCHBOARD)
    assert finding["after"] == "skipped for blocking: shared by 400 records"


def test_an_unmapped_column_is_a_blocking_key_and_a_comparison(config: MatchConfig) -> None:
    member = config.model_copy(update={"blocking": [["extra.member"]], "rule_caps": {}})
    member = MatchConfig.model_validate(
        member.model_dump()
        | {
            "comparisons": [
                *member.model_dump()["comparisons"],
                {"name": "member", "key": "extra.member", "method": "exact",
                 "levels": [{"at": 1.0, "m": 0.9, "u": 0.0001}]},
            ]
        }
    )  # fmt: skip
    frame = contacts({"first_name": "Ana"}, {"first_name": "Ana"}, {"first_name": "Ana"})
    frame = frame.with_columns(
        extra=pl.Series(['{"member": "7"}', '{"member": "7"}', '{"member": "8"}'])
    )
    pairs, _ = _pairs(member, frame)
    assert pairs == [(0, 1)]
    table = key_table(frame, member.key_names, member)
    both = pl.DataFrame(
        {"left": [0, 0], "right": [1, 2]}, schema={"left": pl.UInt32, "right": pl.UInt32}
    )
    assert score_pairs(both, table, member)["sim_member"].to_list() == [1.0, 0.0]


@pytest.mark.parametrize("max_block_size", [200, 12])
def test_pairs_by_ranges_equal_pairs_in_one_pass(config: MatchConfig, max_block_size: int) -> None:
    """Pairs formed and made distinct by ranges of left records are the pairs (and order) of
    one pass over every record, oversized blocks and their splits included."""
    rules = Rules()
    batch = normalize(read_all([SourceSpec(str(CONTACTS))], rules), rules)
    capped = config.model_copy(update={"max_block_size": max_block_size})
    table = key_table(batch.frame.with_row_index(RECORD), capped.key_names, capped)
    whole, oversized = candidate_pairs(table, capped, records=table.height)
    assert whole.height > 1000
    assert oversized.height > (5 if max_block_size == 12 else -1)
    for records in (997, 4096):
        ranged, skipped = candidate_pairs(table, capped, records=records)
        assert_frame_equal(ranged, whole)
        assert_frame_equal(skipped, oversized)
    assert whole.equals(whole.unique().sort(LEFT, RIGHT))


@pytest.mark.parametrize("max_block_size", [200, 12])
def test_rules_side_by_side_give_the_pairs_of_one_thread(
    config: MatchConfig, max_block_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rules blocked and blocks paired on two threads give the pairs and oversized blocks
    (and their order) of one thread doing each in turn."""
    rules = Rules()
    batch = normalize(read_all([SourceSpec(str(CONTACTS))], rules), rules)
    capped = config.model_copy(update={"max_block_size": max_block_size})
    table = key_table(batch.frame.with_row_index(RECORD), capped.key_names, capped)
    side_by_side, oversized = candidate_pairs(table, capped, records=4096)
    monkeypatch.setattr(blocking, "THREADS", 1)
    in_turn, skipped = candidate_pairs(table, capped, records=4096)
    assert side_by_side.height > 1000
    assert_frame_equal(side_by_side, in_turn)
    assert_frame_equal(oversized, skipped)


def test_caps_shrink_past_cap_rows(config: MatchConfig) -> None:
    scaled = config.model_copy(update={"cap_rows": 1_000, "cap_exponent": 0.5})
    assert scaled.caps_for(1_000) is scaled
    quarter = scaled.caps_for(4_000)  # (1,000 / 4,000) ** 0.5: half of each cap
    assert quarter.max_block_size == round(config.max_block_size / 2)
    assert quarter.rule_caps["birth_date"].max_block_size == round(
        config.rule_caps["birth_date"].max_block_size / 2
    )
    assert scaled.caps_for(10**12).max_block_size == 2


def test_shrunk_caps_give_fewer_of_the_same_pairs(config: MatchConfig) -> None:
    """On the public sample (10,000 records), caps set for 2,500 records keep a subset of the
    pairs: blocks past the smaller caps are compared within their splits only."""
    rules = Rules()
    batch = normalize(read_all([SourceSpec(str(CONTACTS))], rules), rules)
    table = key_table(batch.frame.with_row_index(RECORD), config.key_names, config)
    whole, _ = candidate_pairs(table, config)
    scaled = config.model_copy(update={"cap_rows": 2_500, "cap_exponent": 1.0})
    fewer, oversized = candidate_pairs(table, scaled)
    assert 0 < fewer.height < whole.height
    assert fewer.join(whole, on=[LEFT, RIGHT], how="anti").is_empty()
    assert oversized.height > candidate_pairs(table, config)[1].height


def test_a_value_listed_twice_by_a_record_is_one_member(config: MatchConfig) -> None:
    """A record listing a value twice is one member of its block (kept once by the sort)."""
    table = encode(
        pl.DataFrame({"tails": [["1111", "2222", "1111"], ["1111"], []], "city": ["a", "a", "b"]})
    )
    only = config.model_copy(update={"blocking": [["tails", "city"]], "rule_caps": {}})
    (blocks,), oversized = rule_blocks(table, ["tails", "city"], only)
    assert blocks.pairs().rows() == [(0, 1)]
    assert oversized.is_empty()


def _reference_blocks(
    table: KeyTable, rule: list[str], max_size: int
) -> tuple[set[tuple[int, int]], pl.DataFrame]:
    """The usable pairs and the blocks over ``max_size`` of one rule by a polars group-by."""
    rows = table.codes.select(rule).with_row_index(RECORD)
    for key in rule:
        rows = rows.explode(key) if table.is_list(key) else rows
    rows = rows.drop_nulls().with_columns(index_of(pl.col(key)) for key in rule).unique()
    sizes = rows.group_by(rule).agg(size=pl.len(), first=pl.col(RECORD).min())
    usable = rows.join(sizes.filter(pl.col("size").is_between(2, max_size)), on=rule)
    joined = usable.join(usable, on=rule, suffix="_r").filter(
        pl.col(RECORD) < pl.col(f"{RECORD}_r")
    )
    big = sizes.filter(pl.col("size") > max_size)
    return set(joined.select(RECORD, f"{RECORD}_r").iter_rows()), big


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from("abcd"), max_size=3), st.sampled_from(["x", "y", None])),
        max_size=40,
    ),
    st.integers(2, 5),
    st.booleans(),
)
def test_rule_blocks_equal_a_group_by(
    rows: list[tuple[list[str], str | None]], max_size: int, ranked: bool
) -> None:
    """A rule's blocks (keys packed densely, or ranked as where many values do not fit) pair the
    records a group-by of the rule's keys pairs, and report its blocks over ``max_block_size``
    by their values, size and first record."""
    frame = pl.DataFrame(
        {"tails": [r[0] for r in rows], "city": [r[1] for r in rows]},
        schema={"tails": pl.List(pl.String), "city": pl.String},
    )
    table = encode(frame)
    rule = ["tails", "city"]
    config = load_match_config(Rules()).model_copy(
        update={"blocking": [rule], "rule_caps": {}, "max_block_size": max_size, "split_keys": []}
    )
    with patch.object(blocking, "_dense", lambda *_: not ranked):
        found, oversized = rule_blocks(table, rule, config)
    pairs, big = _reference_blocks(table, rule, max_size)
    assert {pair for blocks in found for pair in blocks.pairs().iter_rows()} == pairs
    assert sorted(oversized.select("size", "first").iter_rows()) == sorted(
        big.select(pl.col("size").cast(pl.UInt32), "first").iter_rows()
    )
    values = big.select(
        table.values["tails"].gather(big["tails"])
        + " + "
        + table.values["city"].gather(big["city"])
    ).to_series()
    assert sorted(oversized["value"]) == sorted(values)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)), max_size=60),
    st.integers(0, 31),
    st.integers(0, 31),
    st.integers(2, 8),
    st.sampled_from([0, 2**40, 2**63]),
)
def test_blocks_pair_every_two_records_of_a_block(
    members: list[tuple[int, int]], low: int, width: int, max_size: int, offset: int
) -> None:
    """:meth:`Blocks.pairs` (records laid out block by block, gathered by position) are the
    pairs a self-join of the members on their block gives, ``left < right``, left in
    ``[low, low + width)``, for blocks of 2 to ``max_size`` rows; a record listed twice in a
    block is one member (but two rows). Keys too large to pack with a record are ranked."""
    frame = pl.DataFrame(members, schema={RECORD: pl.UInt32, KEY: pl.UInt64}, orient="row")
    frame = frame.with_columns(pl.col(KEY) + offset)
    found = Sorted.of(frame[KEY].to_numpy(), frame[RECORD].to_numpy())
    pairs = Blocks.of(found, max_size).pairs(low, low + width)
    fits = pl.len().over(KEY).is_between(2, max_size)
    once = frame.filter(fits).unique()
    joined = once.join(once, on=KEY, suffix="_r").filter(
        pl.col(RECORD).is_between(low, low + width, closed="left")
        & (pl.col(RECORD) < pl.col(f"{RECORD}_r"))
    )
    expected = joined.select(pl.col(RECORD).alias(LEFT), pl.col(f"{RECORD}_r").alias(RIGHT))
    assert pairs.schema == expected.schema
    assert sorted(pairs.rows()) == sorted(expected.rows())  # a pair of two blocks twice


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)).map(sorted),
            max_size=30,
        ),
        max_size=4,
    )
)
def test_distinct_pairs_equal_a_unique_of_the_pairs(pairs: list[list[list[int]]]) -> None:
    """:func:`_distinct` (one sort of the packed pairs and their runs) equals a ``unique`` of
    the pair frames sorted by ``left, right`` (the old way), record indices up to 2**32 - 1."""
    frames = [pl.DataFrame(one, schema=blocking.PAIR_SCHEMA, orient="row") for one in pairs]
    codes = [
        (frame[LEFT].to_numpy().astype("uint64") << 32) | frame[RIGHT].to_numpy()
        for frame in frames
    ]
    expected = pl.concat([blocking.PAIR_SCHEMA.to_frame(), *frames]).unique().sort(LEFT, RIGHT)
    assert_frame_equal(blocking._distinct(codes), expected)


def test_pairs_of_packed_codes_are_left_and_right() -> None:
    """:meth:`Blocks.codes` packs ``left << 32 | right``; :meth:`Blocks.pairs` unpacks them."""
    found = Blocks.of(
        Sorted.of(np.array([7, 7, 7], dtype=np.uint64), np.array([5, 1, 3], dtype=np.uint32)), 3
    )
    assert found.codes().tolist() == [1 << 32 | 3, 1 << 32 | 5, 3 << 32 | 5]
    assert found.pairs().rows() == [(1, 3), (1, 5), (3, 5)]
