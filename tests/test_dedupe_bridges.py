"""Bridged vetoes: a name veto between two records that match one third record by an identifier
only disputes their cluster (crmclean.dedupe.bridges)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crmclean.api import dedupe_files
from crmclean.dedupe.bridges import BRIDGEABLE, bridgeable, bridged
from crmclean.dedupe.chunks import cluster_columns, floor_of
from crmclean.dedupe.config import Bridge, MatchConfig, load_match_config
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

FAKE_1000 = Path(__file__).parent / "data" / "public" / "splink_fake_1000.csv"


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return load_match_config(Rules())


def _vetoed(config: MatchConfig, **changes: object) -> pl.DataFrame:
    """One vetoed candidate pair 0-1: its names close (name_order 0.9), probability 0.5, no
    other veto disagreeing, no identifier agreeing; ``changes`` overrides columns."""
    row: dict[str, object] = {
        "left": 0,
        "right": 1,
        "veto": True,
        "probability": 0.5,
        "decision": None,
        **{f"sim_{spec.name}": 1.0 for spec in config.comparisons if spec.veto},
        "sim_name_order": 0.9,
        "sim_last_name": 0.6,
        **{f"w_{name}": 0.0 for name in config.bridge.through},
    }
    row.update(changes)
    frame = pl.DataFrame([row])
    return frame.with_columns(
        pl.col("left", "right").cast(pl.UInt32), pl.col("decision").cast(pl.String)
    )


def _matches(config: MatchConfig, links: list[tuple[int, int, str]]) -> pl.DataFrame:
    """Matched pairs ``left, right`` each backed by the named comparison (``w_<name>`` 5.0)."""
    names = dict.fromkeys([*config.bridge.through, "company"])
    rows = [
        {"left": a, "right": b, **{f"w_{n}": 5.0 if n == by else 0.0 for n in names}}
        for a, b, by in links
    ]
    schema = {"left": pl.UInt32, "right": pl.UInt32, **{f"w_{n}": pl.Float64 for n in names}}
    return pl.DataFrame(rows, schema=schema)


def _lifted(config: MatchConfig, pairs: pl.DataFrame, matches: pl.DataFrame) -> list[tuple]:
    return bridged(pairs, matches, config, floor_of(config)).rows()


def test_a_name_veto_both_records_tie_to_one_record_is_bridged(config: MatchConfig) -> None:
    matches = _matches(config, [(0, 2, "email"), (1, 2, "birth_date")])
    assert _lifted(config, _vetoed(config), matches) == [(0, 1)]


def test_no_bridge_without_an_identifier_on_both_sides(config: MatchConfig) -> None:
    matches = _matches(config, [(0, 2, "email"), (1, 2, "company")])
    assert _lifted(config, _vetoed(config), matches) == []
    apart = _matches(config, [(0, 2, "email"), (1, 3, "birth_date")])  # two other records
    assert _lifted(config, _vetoed(config), apart) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"sim_name_order": 0.47},  # Murilo Sampaio Ribeiro / Maria Fernanda Ribero
        {"sim_work_email": 0.5},  # two colleagues' addresses at one domain
        {"sim_generation": 0.0},  # Jr and Sr
        {"decision": "cannot-link"},  # a person said so
        {"probability": 0.0001},  # under the floor of pairs kept in full
    ],
)
def test_what_a_bridge_never_lifts(config: MatchConfig, changes: dict) -> None:
    matches = _matches(config, [(0, 2, "email"), (1, 2, "mobile")])
    assert _lifted(config, _vetoed(config, **changes), matches) == []


def test_a_name_veto_between_records_sharing_a_mobile_is_bridged(config: MatchConfig) -> None:
    """Otávio Macedo Viana / Viana Luiz on one mobile (the names apart, name_order 0.67):
    bridged without a third record; a shared landline (a household's) is not enough, nor a
    number two names share nothing of (Pedro Batista / Rafael Ttixeira, 0.36)."""
    mobile = _vetoed(config, sim_name_order=0.67, w_mobile=19.7)
    assert _lifted(config, mobile, _matches(config, [])) == [(0, 1)]
    landline = _vetoed(config, sim_name_order=0.67, w_phone_national=12.6)
    assert _lifted(config, landline, _matches(config, [])) == []
    colleagues = _vetoed(config, sim_name_order=0.36, w_mobile=19.7)
    assert _lifted(config, colleagues, _matches(config, [])) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"sim_work_email": 0.5},  # two colleagues' addresses at one domain
        {"sim_generation": 0.0},  # Jr and Sr
        {"decision": "cannot-link"},  # a person said so
        {"probability": 0.0001},  # under the floor of pairs kept in full
    ],
)
def test_what_a_shared_mobile_never_lifts(config: MatchConfig, changes: dict) -> None:
    pairs = _vetoed(config, **{"sim_name_order": 0.6, "w_mobile": 19.7, **changes})
    assert _lifted(config, pairs, _matches(config, [])) == []


def test_slim_pairs_carry_the_flag(config: MatchConfig) -> None:
    """Out of core the pairs keep no similarity: the flag computed while scoring decides."""
    pairs = _vetoed(config, sim_name_order=0.5)
    slim = pairs.with_columns(bridgeable(config, floor_of(config)).alias(BRIDGEABLE))
    matches = _matches(config, [(0, 2, "email"), (1, 2, "mobile")])
    kept = ["left", "right", "decision", BRIDGEABLE, *[f"w_{n}" for n in config.bridge.through]]
    assert _lifted(config, slim.select(kept), matches) == []
    flagged = slim.with_columns(pl.lit(True).alias(BRIDGEABLE))
    assert _lifted(config, flagged.select(kept), matches) == [(0, 1)]
    columns = [str(expr) for expr in cluster_columns(config)]
    assert any(BRIDGEABLE in text for text in columns)


def test_no_bridge_configured_lifts_nothing(config: MatchConfig) -> None:
    off = config.model_copy(update={"bridge": Bridge()})
    matches = _matches(config, [(0, 2, "email"), (1, 2, "birth_date")])
    assert _lifted(off, _vetoed(config), matches) == []


def test_bridge_names_are_checked(config: MatchConfig) -> None:
    data = config.model_dump()
    for bridge, message in [
        ({"through": ["nope"]}, "unknown comparisons"),
        ({"through": ["email"], "vetoes": ["email"]}, "no vetoes"),
        ({"through": ["email"], "names": "name_order@1.5"}, "from 0 to 1"),
        ({"through": ["email"], "shared": ["mobile"]}, "shared not in through"),
        ({"through": ["email"], "shared_names": "nope@0.5"}, "unknown comparisons"),
    ]:
        with pytest.raises(ValueError, match=message):
            MatchConfig.model_validate({**data, "bridge": bridge})


def test_ivy_kay_is_one_person_in_splink_fake_1000(tmp_path: Path) -> None:
    """Splink's fake_1000 (tests/data/public): person 101's records, "Ivy Kay" (one without an
    e-mail) and "Ivy Ky" (another birth date), each tied to the others by the e-mail or the
    birth date; the surname veto between the two used to split the one without an e-mail off."""
    crosswalk = tmp_path / "crosswalk.csv"
    dedupe_files([SourceSpec(str(FAKE_1000))], crosswalk=crosswalk)
    raw = pl.read_csv(FAKE_1000, infer_schema=False).with_row_index("row", offset=1)
    rows = raw.filter(pl.col("cluster") == "101").select(pl.col("row").cast(pl.String))
    ids = pl.read_csv(crosswalk, infer_schema=False).join(rows, left_on="source_id", right_on="row")
    assert ids.height == 9
    assert ids["golden_id"].n_unique() == 1
