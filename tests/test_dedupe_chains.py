"""Chain protection: clusters whose members contradict each other are cut at the weakest link,
also when blocking never compared them."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedupe_support import contacts

from crmclean.batch import GOLDEN_ID, SOURCE_ID
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.chains import WEAK, contested, doubted, split_chains, weak_links
from crmclean.dedupe.cluster import assign_golden_ids, components
from crmclean.dedupe.cohesion import (
    Scorer,
    _members,
    cluster_check,
    doubt_pairs,
    unscored_pairs,
)
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.decisions import DECISION, cannot_link
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.score import default_parameters
from crmclean.rules import Rules

PAIR = {"left": pl.UInt32, "right": pl.UInt32}


def _matches(*edges: tuple[int, int, float]) -> pl.DataFrame:
    return pl.DataFrame(edges, schema={**PAIR, "probability": pl.Float64}, orient="row")


def _cannot(*pairs: tuple[int, int]) -> pl.DataFrame:
    return pl.DataFrame(pairs, schema=PAIR, orient="row")


def _groups(labels: np.ndarray) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for record, label in enumerate(labels):
        groups.setdefault(int(label), []).append(record)
    return sorted(groups.values())


def test_a_chain_between_two_contradicting_records_breaks_at_its_weakest_link() -> None:
    # 0-1 strong, 1-2 weak (a shared switchboard), 2-3 strong; 0 and 3 are different people.
    matches = _matches((0, 1, 0.99), (1, 2, 0.91), (2, 3, 0.98))
    labels = split_chains(components(5, matches), matches, _cannot((0, 3)), np.arange(5))
    assert _groups(labels) == [[0, 1], [2, 3], [4]]


def test_clusters_without_conflict_are_left_alone() -> None:
    matches = _matches((0, 1, 0.99), (1, 2, 0.91))
    before = components(4, matches)
    after = split_chains(before, matches, _cannot((0, 3)), np.arange(4))
    assert np.array_equal(before, after)


def test_one_disputed_pair_does_not_split_what_everything_else_holds_together() -> None:
    # 3 contradicts 0 (a pair only the cluster check scored) but agrees with 1 and 2.
    matches = _matches((0, 1, 0.99), (1, 2, 0.99), (2, 3, 0.95))
    labels = split_chains(components(4, matches), matches, _cannot(), np.arange(4), _cannot((0, 3)))
    assert _groups(labels) == [[0, 1, 2, 3]]


def test_groups_mostly_disputed_between_them_stay_apart() -> None:
    # Two people of two records each, linked by one weak match; the three other pairs between
    # them, never compared by blocking, contradict.
    matches = _matches((0, 1, 0.99), (2, 3, 0.99), (1, 2, 0.92))
    disputed = _cannot((0, 2), (0, 3), (1, 3))
    labels = split_chains(components(4, matches), matches, _cannot(), np.arange(4), disputed)
    assert _groups(labels) == [[0, 1], [2, 3]]


def test_a_star_keeps_every_member_that_contradicts_no_one() -> None:
    matches = _matches((0, 1, 0.99), (0, 2, 0.95), (0, 3, 0.92))
    labels = split_chains(components(4, matches), matches, _cannot((2, 3)), np.arange(4))
    assert _groups(labels) == [[0, 1, 2], [3]]


def _weak(*edges: tuple[int, int, float, bool]) -> pl.DataFrame:
    schema = {**PAIR, "probability": pl.Float64, WEAK: pl.Boolean}
    return pl.DataFrame(edges, schema=schema, orient="row")


def test_a_record_matching_two_namesakes_by_name_and_place_alone_joins_neither() -> None:
    # 0 and 1 are one person (a shared e-mail), 2 another (0 and 2 contradict: two work
    # addresses at one domain); 3 matches both by name and company alone, 4 only person 2.
    matches = _weak(
        (0, 1, 0.999, False), (0, 3, 0.99, True), (2, 3, 0.99, True), (2, 4, 0.97, True)
    )
    labels = split_chains(components(5, matches), matches, _cannot((0, 2)), np.arange(5))
    assert _groups(labels) == [[0, 1], [2, 4], [3]]


def test_a_record_matching_one_namesake_far_better_joins_that_one() -> None:
    # As above, but 3 matches person 0 far better (16.6 bits of match weight) than person 2
    # (4.2 bits): more than CLEAR_MARGIN bits apart, so 3 is person 0's; 4 holds person 2's.
    matches = _weak(
        (0, 1, 0.999, False), (0, 3, 0.99999, True), (2, 3, 0.95, True), (2, 4, 0.97, True)
    )
    labels = split_chains(components(5, matches), matches, _cannot((0, 2)), np.arange(5))
    assert _groups(labels) == [[0, 1, 3], [2, 4]]
    # The match weight, when the edges carry it, says how much stronger (probabilities of
    # strong links round to 1).
    weighed = matches.with_columns(match_weight=pl.Series([30.0, 12.0, 10.0, 5.0]))
    labels = split_chains(components(5, weighed), weighed, _cannot((0, 2)), np.arange(5))
    assert _groups(labels) == [[0, 1], [2, 4], [3]]


def test_without_weak_links_the_strongest_link_still_wins() -> None:
    matches = _weak((0, 1, 0.999, False), (0, 3, 0.99, False), (2, 3, 0.98, False))
    labels = split_chains(components(4, matches), matches, _cannot((0, 2)), np.arange(4))
    assert _groups(labels) == [[0, 1, 3], [2]]


def test_weak_links_are_matches_no_identifier_backs() -> None:
    matches = pl.DataFrame(
        {
            "w_email": [12.0, 0.0, -0.9, None],
            "w_mobile": [0.0, 9.0, 0.0, None],
            DECISION: [None, None, None, "must-link"],
        }
    )
    assert weak_links(matches, ["email", "mobile"])[WEAK].to_list() == [False, False, True, False]
    assert WEAK not in weak_links(matches, []).columns


def test_contested_records_are_joined_only_by_an_identifier() -> None:
    # 0 and 2 hold two personal mailboxes and share no identifier. 1 links them by name and
    # company alone; 3 holds both mailboxes (a person who changed address) and links 4 to 5.
    matches = _weak(
        (0, 1, 0.99, True), (1, 2, 0.99, True), (3, 4, 0.99, False), (3, 5, 0.99, False)
    )
    contested_pairs = _cannot((0, 2), (4, 5))
    labels = split_chains(
        components(6, matches), matches, _cannot(), np.arange(6), None, contested_pairs
    )
    assert _groups(labels) == [[0], [1], [2], [3, 4, 5]]


def test_contested_pairs_are_those_no_identifier_backs_and_one_contradicts() -> None:
    pairs = pl.DataFrame(
        {
            LEFT: [0, 1, 2, 3],
            RIGHT: [9, 9, 9, 9],
            "w_personal_email": [-4.0, -4.0, 9.0, -4.0],
            "w_mobile": [0.0, 12.0, 0.0, None],
            DECISION: [None, None, None, "must-link"],
        }
    )
    found = contested(pairs, ["personal_email", "mobile"], ["personal_email"])
    assert found[LEFT].to_list() == [0]
    assert contested(pairs, ["mobile"], []).is_empty()


def test_a_weak_link_with_as_much_doubt_as_support_joins_nothing() -> None:
    # 0 and 1 are one person (a shared e-mail), 2 a namesake at the company. 2 matches 1 by
    # name and company alone; 0 and 2, no match, have two personal mailboxes: 2 stays apart.
    # 3 matches 4 by name and company alone, and 5 (one person with 4) was compared with 3 and
    # no match, but nothing counts against: 3, 4 and 5 stay together.
    matches = _weak(
        (0, 1, 0.999, False), (1, 2, 0.95, True), (4, 5, 0.999, False), (3, 4, 0.95, True)
    )
    doubts = _cannot((0, 2))
    labels = split_chains(
        components(6, matches), matches, _cannot(), np.arange(6), None, None, doubts
    )
    assert _groups(labels) == [[0, 1], [2], [3, 4, 5]]


def test_a_weak_link_with_more_support_than_doubt_joins() -> None:
    # 2 matches 0, 1 and 4 by name and company; only 2 and 3 (one person with 1) are doubted:
    # one doubt outweighs two matches (DOUBT_WEIGHT), not three.
    matches = _weak(
        (0, 1, 0.999, False), (1, 3, 0.999, False), (0, 4, 0.999, False),
        (1, 2, 0.95, True), (0, 2, 0.93, True), (4, 2, 0.92, True),
    )  # fmt: skip
    labels = split_chains(
        components(5, matches), matches, _cannot(), np.arange(5), None, None, _cannot((2, 3))
    )
    assert _groups(labels) == [[0, 1, 2, 3, 4]]


def test_one_doubt_outweighs_two_matches() -> None:
    # 2 matches 0 and 1 by name and company; 2 and 3 (one person with 1) are doubted.
    matches = _weak(
        (0, 1, 0.999, False), (1, 3, 0.999, False), (1, 2, 0.95, True), (0, 2, 0.93, True)
    )
    labels = split_chains(
        components(4, matches), matches, _cannot(), np.arange(4), None, None, _cannot((2, 3))
    )
    assert _groups(labels) == [[0, 1, 3], [2]]


def test_doubted_pairs_are_no_match_with_a_doubting_comparison_against() -> None:
    pairs = pl.DataFrame(
        {
            LEFT: [0, 1, 2, 3],
            RIGHT: [9, 9, 9, 9],
            "match": [False, False, True, False],
            "w_mobile": [-1.8, 0.0, -1.8, None],
            "w_email": [0.0, -0.7, 0.0, 0.0],
        }
    )
    assert doubted(pairs, ["mobile"])[LEFT].to_list() == [0]
    assert doubted(pairs, []).is_empty()


EMAILS_ONLY = load_match_config(Rules()).model_copy(update={"blocking": [["emails"]]})


def _clusters(config: MatchConfig, *records: dict[str, Any]) -> tuple[list[list[str]], int]:
    """Source ids grouped by cluster, blocking only on e-mails, and how many pairs the cluster
    check scored."""
    frame = contacts(*records).with_row_index(RECORD)
    table = key_table(frame, config.key_names, config)
    candidates, _ = candidate_pairs(table, config)
    scorer = Scorer(table, config, default_parameters(config))
    scored = scorer.score(candidates)
    checked = cluster_check(scored, scorer).pairs
    cannot, disputed = (
        cannot_link(pairs.with_columns(pl.lit(None, dtype=pl.String).alias(DECISION)), config)
        for pairs in (scored, checked)
    )
    matches = pl.concat([scored, checked], how="diagonal_relaxed").filter("match")
    clustered = assign_golden_ids(frame, matches, cannot, disputed)
    grouped = clustered.group_by(GOLDEN_ID).agg(pl.col(SOURCE_ID).sort())
    return sorted(grouped[SOURCE_ID].to_list()), checked.height


def _person(first: str, last: str, email: str, mobile: str, **more: Any) -> dict[str, Any]:
    return {"first_name": first, "last_name": last, "email": email, "mobile": mobile, **more}


# Fernando's fourth record also holds his sister's e-mail and number (typed into his contact):
# it matches both siblings, who blocking never compared with each other.
SIBLINGS = [
    _person("Fernando", "Souza", "fernando.souza@gmail.com", "+5511911110001"),
    _person("Fernando", "Souza", "fernando.souza@gmail.com", "+5511911110001"),
    _person("Fernando", "Souza", "fernando.souza@gmail.com", "+5511911110001"),
    _person(
        "Fernando", "Souza", "fernando.souza@gmail.com", "+5511911110001",
        email_alt=["fernanda.souza@gmail.com"], phone_alt=["+5511922220002"],
    ),
    _person("Fernanda", "Souza", "fernanda.souza@gmail.com", "+5511922220002"),
    _person("Fernanda", "Souza", "fernanda.souza@gmail.com", "+5511922220002"),
    _person("Fernanda", "Souza", "fernanda.souza@gmail.com", "+5511922220002"),
]  # fmt: skip


def test_a_chain_of_people_never_compared_with_each_other_is_split() -> None:
    groups, checked = _clusters(EMAILS_ONLY, *SIBLINGS)
    assert checked == 3 * 3  # each Fernando record but the bridge against each Fernanda record
    assert groups == [["1", "2", "3", "4"], ["5", "6", "7"]]


def test_clusters_below_the_check_size_are_not_checked() -> None:
    config = EMAILS_ONLY.model_copy(update={"chain_check_size": 8})
    groups, checked = _clusters(config, *SIBLINGS)
    assert checked == 0
    assert groups == [["1", "2", "3", "4", "5", "6", "7"]]


def test_a_person_whose_records_never_met_stays_whole() -> None:
    # Seven records of one person, each sharing an e-mail only with the next: blocking compared
    # six pairs, the check scores the fifteen others and finds nothing against them.
    records = [
        _person(
            "Beatriz", "Nogueira", f"bia{i}@gmail.com", None, email_alt=[f"bia{i + 1}@gmail.com"]
        )
        for i in range(7)
    ]
    groups, checked = _clusters(EMAILS_ONLY, *records)
    assert checked == 15
    assert groups == [[str(i) for i in range(1, 8)]]


def test_a_cluster_over_the_maximum_size_is_checked_on_a_sample() -> None:
    labels = np.zeros(12, dtype=np.int64)
    scored = _matches().select(LEFT, RIGHT)
    config = EMAILS_ONLY.model_copy(update={"chain_check_max_size": 4})
    pairs, sampled = unscored_pairs(labels, scored, config)
    assert sampled == 1
    assert pairs.height == 12 * 2  # each member with the next two in the shuffled ring
    assert pairs.filter(pl.col(LEFT) >= pl.col(RIGHT)).is_empty()
    assert pairs.unique().height == pairs.height


def test_smaller_clusters_are_checked_for_the_doubt_rule_alone() -> None:
    # A cluster of three (0 ~ 1 ~ 2, never 0 with 2), one of seven (the cluster check's) and a
    # pair: only 0 and 2 are scored for the doubt rule.
    labels = np.array([0, 0, 0, *[1] * 7, 2, 2], dtype=np.int64)
    scored = _cannot((0, 1), (1, 2), (10, 11))
    assert doubt_pairs(labels, scored, EMAILS_ONLY).rows() == [(0, 2)]
    nothing = EMAILS_ONLY.model_copy(update={"doubting": []})
    assert doubt_pairs(labels, scored, nothing).is_empty()
    off = EMAILS_ONLY.model_copy(update={"doubt_check_size": EMAILS_ONLY.chain_check_size})
    assert doubt_pairs(labels, scored, off).is_empty()


def test_the_doubt_checks_are_neither_disputed_nor_links() -> None:
    # Three records of one Ana Lima chained by e-mails: the first and the last, never compared,
    # are scored for the doubt rule only; the cluster check proper takes none of them.
    records = [
        _person("Ana", "Lima", "ana.lima@gmail.com", None),
        _person("Ana", "Lima", "ana.lima@gmail.com", None, email_alt=["ana@lima.com.br"]),
        _person("Ana", "Lima", "ana@lima.com.br", None),
    ]
    frame = contacts(*records).with_row_index(RECORD)
    table = key_table(frame, EMAILS_ONLY.key_names, EMAILS_ONLY)
    candidates, _ = candidate_pairs(table, EMAILS_ONLY)
    scorer = Scorer(table, EMAILS_ONLY, default_parameters(EMAILS_ONLY))
    cohesion = cluster_check(scorer.score(candidates), scorer, candidates)
    assert cohesion.pairs.is_empty()
    assert cohesion.doubts is not None
    assert cohesion.doubts.select(LEFT, RIGHT).rows() == [(0, 2)]


@settings(max_examples=200, deadline=None)
@given(labels=st.lists(st.integers(0, 5), max_size=30), min_size=st.integers(1, 4))
def test_cluster_members_as_a_window_count_over_every_record(
    labels: list[int], min_size: int
) -> None:
    """``_members`` (sizes counted by NumPy, only the members framed) gives the frame a count
    over every record's cluster and a filter gave."""
    array = np.array(labels, dtype=np.int64)
    shuffled = np.random.default_rng(7).permutation(array.size)
    every = pl.DataFrame(
        {"_node": np.arange(array.size, dtype=np.uint32), "_label": array, "_key": shuffled}
    )
    every = every.with_columns(pl.len().over("_label").alias("_size"))
    every = every.filter(pl.col("_size") >= min_size)
    position = pl.col("_key").rank("ordinal").over("_label").cast(pl.Int64) - 1
    expected = every.with_columns(position.alias("_pos")).drop("_key")
    assert _members(array, min_size, 7).equals(expected)
