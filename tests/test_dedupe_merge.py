"""Survivorship: per-field strategies (most recent by default), every e-mail and phone kept,
and the merge log of every value that lost."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedupe_support import FIELDS, contacts

import crmclean.dedupe.merge as merge
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.merge import golden_by_slices, golden_records, merge_log
from crmclean.dedupe.survivorship import Survivorship
from crmclean.rules import Rules


def _golden(*records: dict[str, object], golden_ids: list[str]) -> list[dict[str, object]]:
    frame = contacts(*records).with_columns(golden_id=pl.Series(golden_ids))
    return golden_records(frame, FIELDS).to_dicts()


OLD = {
    "first_name": "Ana",
    "job_title": "Analista",
    "company": "Acme",
    "email": "ana@old.com",
    "email_alt": ["ana@home.com"],
    "phone": "+551130001000",
    "mobile": "+5511911110000",
    "created_at": "2020-05-01",
    "updated_at": "2021-01-01",
}
NEW = {
    "first_name": "Ana",
    "job_title": "Gerente",
    "email": "ana@new.com",
    "phone": "+551130002000",
    "phone_alt": ["+551130001000"],
    "created_at": "2022-02-02",
    "updated_at": "2024-03-01T10:20:00",
    "last_activity_at": "2023-01-01",
}


def test_the_newest_non_empty_value_survives() -> None:
    (golden,) = _golden(OLD, NEW, golden_ids=["g_1", "g_1"])
    assert golden["job_title"] == "Gerente"
    assert golden["company"] == "Acme"  # the newest record has none
    assert (golden["email"], golden["phone"], golden["mobile"]) == (
        "ana@new.com",
        "+551130002000",
        "+5511911110000",
    )
    assert golden["source_count"] == 2


def test_dates_take_the_earliest_creation_and_the_latest_update() -> None:
    (golden,) = _golden(OLD, NEW, golden_ids=["g_1", "g_1"])
    assert golden["created_at"] == "2020-05-01"
    assert golden["updated_at"] == "2024-03-01T10:20:00"
    assert golden["last_activity_at"] == "2023-01-01"


def test_every_other_email_and_phone_becomes_an_alternate() -> None:
    (golden,) = _golden(OLD, NEW, golden_ids=["g_1", "g_1"])
    assert golden["email_alt"] == ["ana@old.com", "ana@home.com"]
    assert golden["phone_alt"] == ["+551130001000"]


def test_undated_records_follow_source_order() -> None:
    first = {"job_title": "Diretora", "email": "a@x.com"}
    second = {"job_title": "Analista", "email": "b@x.com", "mobile": "+5511922220000"}
    (golden,) = _golden(first, second, golden_ids=["g_1", "g_1"])
    assert (golden["job_title"], golden["email"]) == ("Diretora", "a@x.com")
    assert golden["email_alt"] == ["b@x.com"]
    assert (golden["mobile"], golden["phone_alt"]) == ("+5511922220000", [])


def test_one_row_per_golden_id_with_empty_alternates() -> None:
    rows = _golden({"first_name": "Ana"}, {"first_name": "Bia"}, golden_ids=["g_2", "g_1"])
    assert [(row["golden_id"], row["first_name"]) for row in rows] == [
        ("g_1", "Bia"),
        ("g_2", "Ana"),
    ]
    assert all(row["email_alt"] == [] and row["phone_alt"] == [] for row in rows)
    empty = golden_records(contacts().with_columns(golden_id=pl.lit("")), FIELDS)
    assert empty.columns == [
        "golden_id",
        *FIELDS,
        "email_alt",
        "phone_alt",
        "source_count",
    ]


def test_golden_records_come_in_id_order_whatever_the_ids_look_like() -> None:
    hexes = ["g_f000000000000001", "g_0fffffffffffffff", "g_f000000000000001", "g_00000000000000a0"]
    for ids in (hexes, [*hexes[:3], "G_1"], [*hexes[:3], "g_00000000000000A0"]):
        names = ["Ana", "Bia", "Caio", "Duda"]
        rows = _golden(*({"first_name": name} for name in names), golden_ids=ids)
        assert [row["golden_id"] for row in rows] == sorted(set(ids))
        assert [row["source_count"] for row in rows] == [
            2 if i == ids[0] else 1 for i in sorted(set(ids))
        ]


_TEXT = st.none() | st.sampled_from(["a", "b", "c"])
_TEXTS = st.none() | st.lists(_TEXT, max_size=3)
_RECORD = st.fixed_dictionaries(
    {"email": _TEXT, "phone": _TEXT, "mobile": _TEXT, "email_alt": _TEXTS, "phone_alt": _TEXTS}
)


@settings(max_examples=200, deadline=None)
@given(records=st.lists(_RECORD, max_size=8), keys=st.lists(st.integers(0, 3), min_size=8))
def test_values_are_those_of_every_record_listed_and_exploded(
    records: list[dict[str, object]], keys: list[int]
) -> None:
    """``_values`` (a frame per column, stacked and sorted by record) gives what
    ``concat_list`` of the columns and alternates, exploded, gave: the same rows in order."""
    schema = {"email": pl.String, "phone": pl.String, "mobile": pl.String}
    frame = pl.DataFrame(
        records, schema={**schema, "email_alt": pl.List(pl.String), "phone_alt": pl.List(pl.String)}
    ).with_columns(_id_key=pl.Series(keys[: len(records)], dtype=pl.UInt64))
    for columns, alternates in ((["email"], "email_alt"), (["phone", "mobile"], "phone_alt")):
        every = pl.concat_list(*columns, pl.col(alternates).fill_null([])).alias("_value")
        listed = frame.select("_id_key", every).explode("_value").drop_nulls("_value")
        assert merge._values(frame, columns, alternates).equals(listed)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 4), _TEXT), max_size=12))
def test_disagreeing_clusters_are_those_holding_two_values(
    rows: list[tuple[int, str | None]],
) -> None:
    """``written._disagreeing`` (each row against the one before, records grouped by cluster)
    keeps the rows a count of distinct values per cluster keeps."""
    from crmclean.dedupe.written import _disagreeing

    frame = pl.DataFrame(rows, schema={"g": pl.Int64, "v": pl.String}, orient="row")
    present = frame.sort("g", maintain_order=True).drop_nulls("v")
    expected = present.filter(pl.col("v").n_unique().over("g") > 1)
    assert _disagreeing(present, "v", "g").equals(expected)


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.sampled_from(["Araújo", "ARAUJO", "Araujo", "Souza", None]), max_size=8))
def test_best_forms_whatever_the_order_of_the_clusters_records(names: list[str | None]) -> None:
    """The clusters' records interleaved (as newest first leaves them) or one cluster after
    the other: the same golden records."""
    ids = [f"g{i % 3}" for i in range(len(names))]
    dates = [f"20{10 + i}-01-01" for i in range(len(names))]
    records = [{"last_name": n, "updated_at": d} for n, d in zip(names, dates, strict=True)]
    frame = contacts(*records).with_columns(golden_id=pl.Series(ids, dtype=pl.String))
    grouped = frame.sort("golden_id", maintain_order=True)
    assert golden_records(frame, FIELDS).equals(golden_records(grouped, FIELDS))


def test_alternates_of_clusters_and_lone_records_whatever_the_ids_look_like() -> None:
    """Lone records' own alternates, a cluster's other values in its records' order (newest
    first, the survivor left out), with hex ids (searched as numbers) and other ids."""
    records = [
        {"email": "a@x.com", "email_alt": ["b@x.com", "a@x.com"], "phone_alt": ["+1", None]},
        {"email": "c@x.com", "phone": "+2", "updated_at": "2024-01-01"},
        {"email": "d@x.com", "email_alt": ["a@x.com"], "mobile": "+2", "phone_alt": ["+3"]},
        {"email": None, "email_alt": ["e@x.com"], "phone": "+4", "mobile": "+5"},
    ]
    for ids in (["g_00000000000000f0", "g_00000000000000a0"], ["b", "a"]):
        frame = contacts(*records).with_columns(golden_id=pl.Series([ids[0], *ids[1:] * 3]))
        golden = golden_records(frame, FIELDS)
        rows = golden.select("golden_id", "email", "email_alt", "phone", "phone_alt").rows()
        assert rows == [
            (ids[1], "c@x.com", ["d@x.com", "a@x.com", "e@x.com"], "+2", ["+3", "+4", "+5"]),
            (ids[0], "a@x.com", ["b@x.com"], None, ["+1"]),
        ]


def test_golden_records_by_slices_are_those_of_one_pass_in_lineage_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Several slices (two records each), undated records whose survivors follow the
    lineage order, members given in any order: the golden records of one pass over the
    members sorted by lineage, each slice in id order."""
    titles = ["Diretora", "Analista", "Gerente", None, "Estagiária", "Sócia"] * 2
    records = [{"job_title": title, "email": f"p{i % 5}@x.com"} for i, title in enumerate(titles)]
    frame = contacts(*records).with_columns(golden_id=pl.format("g_{}", pl.int_range(12) % 5))
    one_pass = golden_records(frame.sort("_source", "_source_id"), FIELDS).sort("golden_id")
    monkeypatch.setattr(merge, "GOLDEN_SLICE", 2)
    for members in (frame, frame.reverse(), frame.sample(fraction=1.0, shuffle=True, seed=3)):
        sliced = golden_by_slices(members, FIELDS, Survivorship())
        assert sliced.sort("golden_id").equals(one_pass)
        assert sliced.height == 5


def _with(strategy: str, **extra: object) -> Survivorship:
    return Survivorship(fields={"job_title": strategy, "company": strategy}, **extra)


def test_most_complete_takes_the_longest_value() -> None:
    frame = contacts(OLD, NEW, {"job_title": "Gerente de Vendas"}).with_columns(
        golden_id=pl.lit("g")
    )
    (golden,) = golden_records(frame, FIELDS, _with("most_complete")).to_dicts()
    assert golden["job_title"] == "Gerente de Vendas"


def test_most_frequent_takes_the_value_most_records_agree_on() -> None:
    records = [{"job_title": "Analista"}, {"job_title": "Gerente"}, {"job_title": "Analista"}]
    frame = contacts({**NEW, "job_title": None}, *records).with_columns(golden_id=pl.lit("g"))
    (golden,) = golden_records(frame, FIELDS, _with("most_frequent")).to_dicts()
    assert golden["job_title"] == "Analista"


def test_source_priority_trusts_the_listed_source_first() -> None:
    crm = contacts(OLD, source="crm")
    sheet = contacts(NEW, source="planilha")
    frame = pl.concat([sheet, crm]).with_columns(golden_id=pl.lit("g"))
    rules = _with("source_priority", source_priority=["crm"])
    (golden,) = golden_records(frame, FIELDS, rules).to_dicts()
    assert (golden["job_title"], golden["company"]) == ("Analista", "Acme")


def test_the_merge_log_keeps_every_value_that_lost() -> None:
    frame = contacts(OLD, NEW).with_columns(golden_id=pl.lit("g"))
    golden = golden_records(frame, FIELDS)
    log = merge_log(frame, golden, FIELDS).filter(pl.col("field") == "job_title")
    assert log.select("_source_id", "value", "survived").rows() == [
        ("1", "Analista", False),
        ("2", "Gerente", True),
    ]
    agreeing = merge_log(frame, golden, FIELDS).filter(pl.col("field") == "first_name")
    assert agreeing.is_empty()  # both records say Ana: nothing to log


def test_a_field_empty_in_every_record_stays_empty_whatever_its_strategy() -> None:
    rules = Survivorship(fields={"job_title": "most_complete", "company": "source_priority"})
    empty = ("job_title", "company", "state")
    frame = contacts(OLD, NEW, {"first_name": "Bia", "email": "bia@x.com"}).with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in empty
    )
    frame = frame.with_columns(golden_id=pl.Series(["g_1", "g_1", "g_2"]))
    golden = golden_records(frame, FIELDS, rules)
    assert golden.schema == golden_records(frame.head(1), FIELDS, rules).schema
    assert golden.select(empty).null_count().row(0) == (2, 2, 2)
    assert golden["email"].to_list() == ["ana@new.com", "bia@x.com"]
    fields = set(merge_log(frame, golden, FIELDS)["field"])
    assert "email" in fields and fields.isdisjoint(empty)


def _finding(source_id: str, field: str, severity: str) -> dict[str, str]:
    return {"_source": "crm", "_source_id": source_id, "field": field, "severity": severity}


def test_valid_only_prefers_a_value_without_a_warning() -> None:
    older = {**OLD, "country": "BR"}
    newer = {**NEW, "country": "Brasill"}  # kept as typed, with a warning
    frame = contacts(older, newer).with_columns(golden_id=pl.lit("g"))
    findings = pl.DataFrame([_finding("2", "country", "warning"), _finding("1", "country", "info")])
    rules = Survivorship(fields={"country": "valid_only"})
    (golden,) = golden_records(frame, FIELDS, rules, findings).to_dicts()
    assert golden["country"] == "BR"
    (unflagged,) = golden_records(frame, FIELDS, rules).to_dicts()
    assert unflagged["country"] == "Brasill"  # without findings: the newest


def test_valid_only_takes_the_newest_when_every_value_was_flagged() -> None:
    frame = contacts({**OLD, "country": "Brazyl"}, {**NEW, "country": "Brasill"})
    findings = pl.DataFrame(
        [_finding("1", "country", "warning"), _finding("2", "country", "error")]
    )
    rules = Survivorship(fields={"country": "valid_only"})
    golden = golden_records(frame.with_columns(golden_id=pl.lit("g")), FIELDS, rules, findings)
    assert golden["country"].to_list() == ["Brasill"]


EMAILS = Survivorship(role_local_parts=["contato"], free_email_domains=["gmail.com"])


def test_the_best_written_form_survives_whatever_the_strategy() -> None:
    records = [
        {"last_name": "Araújo", "city": "São Paulo", "updated_at": "2020-01-01"},
        {"last_name": "ARAUJO", "city": "SAO PAULO", "updated_at": "2021-01-01"},
        {"last_name": "Araujo", "city": "Sao Paulo", "updated_at": "2022-01-01"},
    ]
    frame = contacts(*records).with_columns(golden_id=pl.lit("g"))
    for rules in (Survivorship(), _with("most_frequent"), Survivorship(default="most_complete")):
        (golden,) = golden_records(frame, FIELDS, rules).to_dicts()
        assert (golden["last_name"], golden["city"]) == ("Araújo", "São Paulo")


def test_a_different_value_is_not_a_better_spelling() -> None:
    records = [
        {"city": "São Paulo", "updated_at": "2020-01-01"},
        {"city": "Campinas", "updated_at": "2022-01-01"},
    ]
    frame = contacts(*records).with_columns(golden_id=pl.lit("g"))
    (golden,) = golden_records(frame, FIELDS).to_dicts()
    assert golden["city"] == "Campinas"  # most recent: the values do not fold alike


def test_mixed_case_beats_capitals_then_the_most_used_form() -> None:
    records = [
        {"company": "ACME LTDA", "updated_at": "2022-01-01"},
        {"company": "Acme Ltda", "updated_at": "2020-01-01"},
    ]
    frame = contacts(*records).with_columns(golden_id=pl.lit("g"))
    (golden,) = golden_records(frame, FIELDS).to_dicts()
    assert golden["company"] == "Acme Ltda"


def test_a_personal_email_beats_a_role_address_and_a_misspelled_free_mail() -> None:
    records = [
        {"email": "ana@gmial.com", "updated_at": "2024-01-01"},
        {"email": "contato@empresa.com.br", "updated_at": "2023-01-01"},
        {"email": "ana.souza@empresa.com.br", "updated_at": "2020-01-01"},
    ]
    frame = contacts(*records).with_columns(golden_id=pl.lit("g"))
    (golden,) = golden_records(frame, FIELDS, EMAILS).to_dicts()
    assert golden["email"] == "ana.souza@empresa.com.br"
    assert golden["email_alt"] == ["ana@gmial.com", "contato@empresa.com.br"]
    (no_personal,) = golden_records(frame[:2], FIELDS, EMAILS).to_dicts()
    assert no_personal["email"] == "contato@empresa.com.br"  # role beats the typo


def test_among_personal_addresses_the_strategy_decides() -> None:
    records = [
        {"email": "ana@old.com.br", "updated_at": "2020-01-01"},
        {"email": "contato@old.com.br", "updated_at": "2024-01-01"},
        {"email": "ana@new.com.br", "updated_at": "2023-01-01"},
    ]
    frame = contacts(*records).with_columns(golden_id=pl.lit("g"))
    (golden,) = golden_records(frame, FIELDS, EMAILS).to_dicts()
    assert golden["email"] == "ana@new.com.br"
    rules = EMAILS.model_copy(update={"fields": {"email": "source_priority"}})
    (first,) = golden_records(frame, FIELDS, rules).to_dicts()
    assert first["email"] == "ana@new.com.br"  # one source: the newest within it


def test_match_yaml_lists_reach_survivorship() -> None:
    rules = load_match_config(Rules()).survivorship
    assert "contato" in rules.role_local_parts and "gmail.com" in rules.free_email_domains
