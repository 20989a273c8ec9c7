"""The dedupe stage end to end: hard negatives stay apart, true duplicates merge, and every
record ends in exactly one golden record."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_dedupe_support import contacts

from crmclean.batch import GOLDEN_ID, Batch
from crmclean.dedupe import dedupe
from crmclean.rules import Rules

RULES = Rules()
SWITCHBOARD = "+551130001000"


def _run(*records: dict[str, Any]) -> Batch:
    return dedupe(Batch(contacts(*records)), RULES)


def _groups(batch: Batch) -> list[list[str]]:
    """Source ids grouped by golden record."""
    grouped = batch.frame.group_by(GOLDEN_ID).agg(pl.col("_source_id").sort())
    return sorted(grouped["_source_id"].to_list())


def test_colleagues_sharing_a_switchboard_and_a_role_address_stay_apart() -> None:
    shared = {"email": "contato@empresa.com.br", "phone": SWITCHBOARD, "company": "Empresa Ltda"}
    batch = _run(
        {"first_name": "Ana", "last_name": "Costa", **shared},
        {"first_name": "Bruno", "last_name": "Lima", **shared},
        {"first_name": "Carla", "last_name": "Costa", **shared, "postal_code": "01310-100"},
    )
    assert _groups(batch) == [["1"], ["2"], ["3"]]


def test_two_different_maria_silvas_stay_apart() -> None:
    batch = _run(
        {"first_name": "Maria", "last_name": "Silva", "email": "maria.silva@gmail.com",
         "phone": "+5511911110000", "city": "São Paulo", "postal_code": "01310-100"},
        {"first_name": "Maria", "last_name": "Silva", "email": "msilva@hotmail.com",
         "phone": "+5521922220000", "city": "São Paulo", "postal_code": "01310-100"},
    )  # fmt: skip
    assert _groups(batch) == [["1"], ["2"]]


def test_father_and_son_stay_apart() -> None:
    home = {"phone": "+551133334444", "postal_code": "04001-000", "company": "Souza & Filhos"}
    batch = _run(
        {"first_name": "João", "last_name": "Souza", "email": "joao@souza.com", **home},
        {"first_name": "João", "last_name": "Souza Filho", "email": "jr@souza.com", **home},
        {"first_name": "João", "last_name": "Souza Jr.", "email": "joao.jr@gmail.com", **home},
    )
    assert _groups(batch) == [["1"], ["2", "3"]]


def test_a_suffix_on_one_record_gives_way_to_the_same_email_and_phone() -> None:
    same = {"email": "joao.souza@gmail.com", "mobile": "+5511987654321"}
    batch = _run(
        {"first_name": "João", "last_name": "Souza", **same},
        {"first_name": "João", "last_name": "Souza Jr.", **same},
        {"first_name": "João", "last_name": "Souza Jr.", "email": "joao.souza@gmail.com"},
    )
    assert _groups(batch) == [["1", "2"], ["3"]]


def test_siblings_sharing_a_home_phone_stay_apart() -> None:
    home = {"last_name": "Oliveira", "phone": "+551133334444"}
    batch = _run({"first_name": "Fernando", **home}, {"first_name": "Fernanda", **home})
    assert _groups(batch) == [["1"], ["2"]]


def test_namesake_colleagues_with_their_own_mobiles_stay_apart() -> None:
    office = {
        "first_name": "Renata",
        "last_name": "Martins",
        "phone": SWITCHBOARD,
        "company": "Transportes Guanabara",
    }
    batch = _run(
        {**office, "email": "rmartins@guanabara.com.br", "mobile": "+5521966821408"},
        {**office, "email": "renata.martins@guanabara.com.br", "mobile": "+5511987650000"},
    )  # fmt: skip
    assert _groups(batch) == [["1"], ["2"]]


def test_namesakes_at_one_company_in_two_cities_stay_apart_unless_a_number_joins_them() -> None:
    """Name and company alone, two cities: two people at two branches; a shared mobile says
    one person who moved."""
    office = {"first_name": "Renata", "last_name": "Martins", "company": "Transportes Guanabara"}
    branches = _run({**office, "city": "Rio de Janeiro"}, {**office, "city": "Curitiba"})
    mobile = {**office, "mobile": "+5521966821408"}
    moved = _run({**mobile, "city": "Rio de Janeiro"}, {**mobile, "city": "Curitiba"})
    assert _groups(branches) == [["1"], ["2"]]
    assert _groups(moved) == [["1", "2"]]


def test_same_email_with_different_name_casing_merges() -> None:
    batch = _run(
        {"first_name": "Ana", "last_name": "Costa", "email": "ana.costa@acme.com"},
        {"first_name": "ANA", "last_name": "COSTA", "email": "ana.costa@acme.com"},
        {"email": "ana.costa@acme.com"},
    )
    assert _groups(batch) == [["1", "2", "3"]]


def test_same_phone_and_a_name_with_a_typo_merge() -> None:
    batch = _run(
        {"first_name": "Paulo", "last_name": "Pereira", "mobile": "+5511955556666",
         "email": "paulo@p.com"},
        {"first_name": "Paulo", "last_name": "Pereria", "phone_alt": ["+5511955556666"]},
    )  # fmt: skip
    assert _groups(batch) == [["1", "2"]]


def test_lost_accents_and_the_same_email_merge() -> None:
    batch = _run(
        {"first_name": "José", "last_name": "Conceição", "email": "jose@c.com.br"},
        {"first_name": "Jose", "last_name": "Conceicao", "email_alt": ["jose@c.com.br"],
         "email": "jc@gmail.com"},
    )  # fmt: skip
    assert _groups(batch) == [["1", "2"]]
    (golden,) = batch.golden.to_dicts()  # type: ignore[union-attr]
    assert {golden["email"], *golden["email_alt"]} == {"jose@c.com.br", "jc@gmail.com"}


def test_a_nickname_and_the_same_email_merge() -> None:
    batch = _run(
        {"first_name": "José", "last_name": "Souza", "email": "jose.souza@gmail.com"},
        {"first_name": "Zé", "last_name": "Souza", "email": "jose.souza@gmail.com"},
    )
    assert _groups(batch) == [["1", "2"]]


def test_stats_count_pairs_clusters_and_merges() -> None:
    batch = _run(
        {"first_name": "Ana", "last_name": "Costa", "email": "ana@acme.com"},
        {"first_name": "Ana", "last_name": "Costa", "email": "ana@acme.com"},
        {"first_name": "Ana", "last_name": "Costa", "email": "ana@acme.com"},
        {"first_name": "Bia", "last_name": "Lima", "email": "bia@acme.com"},
    )
    assert batch.stats["dedupe"] == {
        "records": 4,
        "candidate_pairs": 3,
        "checked_pairs": 0,
        "sampled_clusters": 0,
        "matched_pairs": 3,
        "review_pairs": 0,
        "clusters": 1,
        "merged_records": 2,
        "golden": 2,
        "largest_cluster": 3,
        "oversized_blocks": 0,
    }


def test_an_empty_batch_has_no_golden_records() -> None:
    batch = _run()
    assert batch.golden is not None and batch.golden.is_empty()
    assert batch.stats["dedupe"]["records"] == 0


PEOPLE = st.fixed_dictionaries(
    {
        "first_name": st.sampled_from(["Ana", "ANA", "Anna", "Bruno", "José", "Jose", None]),
        "last_name": st.sampled_from(["Silva", "Sylva", "Souza Filho", "Lima", None]),
        "email": st.sampled_from(["a@x.com", "b@x.com", "contato@x.com", None]),
        "email_alt": st.lists(st.sampled_from(["a@x.com", "c@y.com"]), max_size=2, unique=True),
        "phone": st.sampled_from([SWITCHBOARD, "+5511911110000", None]),
        "updated_at": st.sampled_from(["2023-01-01", "2024-06-01T10:00:00", None]),
    }
)


# A dedupe run's cost hardly grows with its records: fewer examples of up to twice the records.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PEOPLE, max_size=24))
def test_every_record_lands_in_exactly_one_golden_record(people: list[dict[str, Any]]) -> None:
    batch = _run(*people)
    golden = batch.golden
    assert golden is not None
    assert batch.frame.height == len(people)
    assert batch.frame[GOLDEN_ID].null_count() == 0
    assert golden.height == batch.frame[GOLDEN_ID].n_unique() == golden[GOLDEN_ID].n_unique()
    assert set(golden[GOLDEN_ID]) == set(batch.frame[GOLDEN_ID])
    assert golden["source_count"].sum() == len(people)
    kept = golden.select(pl.concat_list("email", "email_alt").list.drop_nulls().alias("e"))
    seen = batch.frame.select(pl.concat_list("email", "email_alt").list.drop_nulls().alias("e"))
    assert set(kept["e"].explode().drop_nulls()) == set(seen["e"].explode().drop_nulls())


@settings(max_examples=6, deadline=None)
@given(st.lists(PEOPLE, min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_golden_ids_do_not_depend_on_input_order(people: list[dict[str, Any]], rng: Any) -> None:
    shuffled = contacts(*people).sample(fraction=1.0, shuffle=True, seed=rng.randint(0, 1000))
    first = _run(*people).frame.select("_source_id", GOLDEN_ID).sort("_source_id")
    second = dedupe(Batch(shuffled), RULES).frame.select("_source_id", GOLDEN_ID)
    assert first.equals(second.sort("_source_id"))


def test_father_and_son_stay_apart_when_normalize_moved_the_suffix() -> None:
    home = {"first_name": "João", "last_name": "Souza", "phone": "+551133334444"}
    batch = _run(home, {**home, "name_suffix": "Filho", "full_name": "João Souza"})
    assert _groups(batch) == [["1"], ["2"]]


def test_name_order_swapped_with_the_same_email_merges() -> None:
    batch = _run(
        {"first_name": "Watson", "last_name": "Noah", "email": "noah.w@x.com"},
        {"first_name": "Noah", "last_name": "Watson", "email": "noah.w@x.com"},
    )
    assert _groups(batch) == [["1", "2"]]


def test_the_normalized_email_key_matches_gmail_variants() -> None:
    batch = _run(
        {"first_name": "Ana", "last_name": "Reis", "email": "a.reis@gmail.com",
         "email_key": "areis@gmail.com"},
        {"first_name": "Ana", "last_name": "Reis", "email": "areis+news@gmail.com",
         "email_key": "areis@gmail.com"},
    )  # fmt: skip
    assert _groups(batch) == [["1", "2"]]
