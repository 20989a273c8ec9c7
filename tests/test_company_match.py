"""Matching companies: the legal-form key, acronyms, the CNPJ root, and a precision/recall
floor on the public Fodor's/Zagat restaurants set (tests/data/public, MIT, dedupeio/dedupe).

Measured when the floors were set: restaurants (864 records, 112 true pairs, name + address +
city) -> precision 1.0, recall 0.9464 (F1 0.9725; Splink 5 on the same file: F1 0.76, see
bench/accuracy.py --sets restaurants).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crmclean.companies import dedupe_companies, normalize_companies
from crmclean.companies.keys import name_keys
from crmclean.demo import pairwise_scores
from crmclean.normalize.companies.vocabulary import load, suffix_pattern
from crmclean.rules import Rules

RESTAURANTS = Path(__file__).parent / "data" / "public" / "restaurants_fodors_zagat.csv"
PRECISION_FLOOR, RECALL_FLOOR = 0.98, 0.93


def _keys(*names: str) -> list[str | None]:
    rules = Rules()
    return name_keys(
        pl.Series(names, dtype=pl.String), load(rules), suffix_pattern(rules)
    ).to_list()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Padaria da Esquina Ltda ME", "padaria esquina"),
        ("Acme Comércio EIRELI", "acme comercio"),
        ("Vale S/A", "vale"),
        ("Vale S.A.", "vale"),
        ("Grupo Bimbo, S.A.B. de C.V.", "group bimbo"),
        ("Telefónica S.L.", "telefonica"),
        ("Siemens AG", "siemens"),
        ("Bosch GmbH & Co. KG", "bosch"),
        ("Acme Widgets, LLC", "acme widgets"),
        ("Acme Inc.", "acme"),
        ("Initech Corp", "initech"),
        ("Tesco PLC", "tesco"),
        ("Dupont SARL", "dupont"),
        ("Ferrari S.r.l.", "ferrari"),
        ("Silva & Cia Ltda", "silva"),
        ("Silva e Companhia", "silva"),
        ("Ltda", "ltda"),
    ],
)
def test_legal_forms_are_left_out_of_the_key(name: str, key: str) -> None:
    assert _keys(name) == [key]


def test_abbreviations_and_connectors_are_written_one_way() -> None:
    assert (
        _keys("Cia. Brasileira de Distribuição", "Companhia Brasileira Distribuicao")
        == ["cia brasileira distribuicao"] * 2
    )
    assert _keys("Smith & Wesson", "Smith and Wesson")[0] == _keys("Smith and Wesson")[0]


def _companies(rows: list[dict[str, str]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows).with_columns(source=pl.lit("crm"))
    return frame.with_columns(source_id=pl.int_range(pl.len()).cast(pl.String))


def _matched(rows: list[dict[str, str]]) -> pl.DataFrame:
    normalized, _, rejects = normalize_companies(_companies(rows), Rules())
    assert rejects.is_empty()
    return dedupe_companies(normalized, Rules()).frame


def test_an_acronym_matches_the_name_it_stands_for() -> None:
    frame = _matched(
        [
            {"name": "IBM", "city": "Armonk", "domain": "ibm.com"},
            {"name": "International Business Machines Corp.", "city": "Armonk",
             "domain": "https://www.ibm.com/"},
            {"name": "Initech", "city": "Austin"},
        ]
    )  # fmt: skip
    ids = frame["company_id"].to_list()
    assert ids[0] == ids[1] != ids[2]


def test_a_branch_is_a_child_of_its_head_office_not_a_duplicate() -> None:
    rows = [
        {"name": "Padaria Esquina Ltda", "cnpj": "11.222.333/0001-81", "city": "São Paulo"},
        {"name": "Padaria Esquina", "cnpj": "11222333000181", "city": "Sao Paulo"},
        {"name": "Padaria Esquina Ltda", "cnpj": "11.222.333/0002-62", "city": "Campinas"},
    ]
    normalized, _, _ = normalize_companies(_companies(rows), Rules())
    matches = dedupe_companies(normalized, Rules())
    ids = matches.frame["company_id"].to_list()
    assert ids[0] == ids[1] != ids[2]
    assert matches.parents.select("company_id", "parent_id", "cnpj_root").rows() == [
        (ids[2], ids[0], "11222333")
    ]
    golden = matches.golden.filter(pl.col("company_id") == ids[0])
    assert golden["name"].to_list() == ["Padaria Esquina Ltda"]
    assert golden["source_count"].to_list() == [2]


def _family() -> list[dict[str, str | None]]:
    """A head office and its branch (one name, one website) and records without a CNPJ."""
    site = "padariaesquina.com.br"
    return [
        {"name": "Padaria Esquina Ltda", "cnpj": "11.222.333/0001-81", "domain": site,
         "street": "Rua Augusta 100", "city": "São Paulo", "phone": "(11) 3030-1000"},
        {"name": "Padaria Esquina Ltda", "cnpj": "11.222.333/0002-62", "domain": "www." + site,
         "street": "Av. Brasil 50", "city": "Campinas", "phone": "(19) 3232-2000"},
        {"name": "PADARIA ESQUINA", "cnpj": None, "domain": "contato@" + site,
         "street": "Avenida Brasil, 50", "city": "Campinas", "phone": None},
        {"name": "Padaria Esquina ME", "cnpj": None, "domain": site,
         "street": None, "city": None, "phone": "19 3232 2000"},
        {"name": "Padaria Esquina", "cnpj": None, "domain": site,
         "street": None, "city": "Sao Paulo", "phone": None},
    ]  # fmt: skip


def test_a_record_without_cnpj_joins_the_establishment_its_place_matches() -> None:
    frame = pl.DataFrame(_family(), schema={k: pl.String for k in _family()[0]})
    normalized, _, _ = normalize_companies(_companies(frame.to_dicts()), Rules())
    matches = dedupe_companies(normalized, Rules())
    head, branch, by_address, by_phone, by_name = matches.frame["company_id"].to_list()
    assert head != branch  # two establishments: parent and child, whatever the name says
    assert by_address == branch and by_phone == branch  # the branch's street, the branch's phone
    assert by_name not in (head, branch)  # the name and the shared website alone: not merged
    assert matches.parents.select("company_id", "parent_id").rows() == [(branch, head)]
    held = matches.pairs.filter(pl.col("right") == 4, pl.col("left") == 0)
    assert held["review"].to_list() == [True]  # left for a person to decide


def test_two_establishments_never_merge_whatever_the_name_says() -> None:
    rows = [
        {"name": "Padaria Esquina Ltda", "cnpj": "11.222.333/0002-62", "street": "Av. Brasil 50",
         "city": "Campinas", "phone": "(19) 3232-2000"},
        {"name": "Padaria Esquina Ltda", "cnpj": "11.222.333/0003-43", "street": "Av. Brasil 50",
         "city": "Campinas", "phone": "(19) 3232-2000"},
    ]  # fmt: skip
    assert _matched(rows)["company_id"].n_unique() == 2


def test_free_mail_domains_never_count() -> None:
    frame = _matched(
        [
            {"name": "Padaria Aurora", "domain": "aurora@gmail.com", "city": "Recife"},
            {"name": "Oficina Boa Vista", "domain": "boavista@gmail.com", "city": "Natal"},
        ]
    )
    assert frame["company_id"].n_unique() == 2


def test_a_record_with_nothing_to_identify_it_is_rejected() -> None:
    rows = [{"name": "Acme", "city": "Lima"}, {"name": "", "city": "Lima"}]
    normalized, _, rejects = normalize_companies(_companies(rows), Rules())
    assert normalized.height + rejects.height == 2
    assert rejects["rule"].to_list() == ["company.unidentifiable"]


def test_restaurants_accuracy_floor() -> None:
    raw = pl.read_csv(RESTAURANTS, infer_schema=False)
    frame = raw.select(
        source=pl.lit("restaurants"),
        source_id="record_id",
        name="name",
        street="address",
        city="city",
        country=pl.lit("US"),
    )
    normalized, _, rejects = normalize_companies(frame, Rules())
    matches = dedupe_companies(normalized, Rules())
    predicted = matches.frame.select("source", "source_id", golden_id="company_id")
    truth = raw.select(source=pl.lit("restaurants"), source_id="record_id", person_id="cluster")
    scores = pairwise_scores(predicted, truth)
    assert rejects.is_empty()
    assert scores["precision"] >= PRECISION_FLOOR
    assert scores["recall"] >= RECALL_FLOOR
    explained = matches.explain()
    assert {"source_a", "source_id_a", "probability", "why"} <= set(explained.columns)


def test_the_golden_company_keeps_every_domain_and_phone() -> None:
    rows = [
        {"name": "Aurora Tecnologia Ltda", "domain": "https://www.aurora.com.br",
         "phone": "(11) 3333-4444", "street": "Rua Augusta, 100", "city": "São Paulo"},
        {"name": "AURORA TECNOLOGIA", "domain": "vendas@aurora-tec.com.br",
         "phone": "+55 11 3333-5555", "street": "R. Augusta 100", "city": "Sao Paulo"},
    ]  # fmt: skip
    normalized, _, _ = normalize_companies(_companies(rows), Rules())
    matches = dedupe_companies(normalized, Rules())
    assert matches.frame["company_id"].n_unique() == 1
    golden = matches.golden.row(0, named=True)
    assert {golden["domain"], *golden["domain_alt"]} == {"aurora.com.br", "aurora-tec.com.br"}
    assert {golden["phone"], *golden["phone_alt"]} == {"+551133334444", "+551133335555"}
    assert golden["name"] == "Aurora Tecnologia Ltda"
