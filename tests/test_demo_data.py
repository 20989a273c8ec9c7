"""The demo case generator: deterministic, messy in the promised ways, with a complete truth."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from random import Random

import fastexcel
import polars as pl
import pytest

from crmclean.demo import DemoCase, generate_demo, pairwise_scores, read_truth, true_pairs
from crmclean.demo.damage import phone_text, postal_text, strip_accents
from crmclean.demo.people import Person, Phone
from crmclean.demo.population import make_people
from crmclean.demo.sources import CRM_HEADERS, PLANILHA_HEADERS
from crmclean.demo.vocab import Weighted

PEOPLE = 400


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    return generate_demo(tmp_path_factory.mktemp("demo"), people=PEOPLE, seed=7)


@pytest.fixture(scope="module")
def truth(case: DemoCase) -> pl.DataFrame:
    return read_truth(case.truth)


@pytest.fixture(scope="module")
def population() -> list[Person]:
    return make_people(PEOPLE, Random(7))


def _planilha(case: DemoCase) -> pl.DataFrame:
    text = case.sources[0].read_bytes().decode("cp1252")
    return pl.read_csv(io.StringIO(text), separator=";", infer_schema=False)


def _crm(case: DemoCase) -> pl.DataFrame:
    return pl.read_csv(case.sources[1], infer_schema=False)


def _labelled(
    frame: pl.DataFrame, source: str, id_column: str, truth: pl.DataFrame
) -> pl.DataFrame:
    ids = truth.filter(pl.col("source") == source).rename({"source_id": id_column})
    return frame.join(ids, on=id_column)


def test_same_seed_gives_byte_identical_files(case: DemoCase, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", people=PEOPLE, seed=7)
    for first, second in zip(
        [*case.sources, case.truth], [*again.sources, again.truth], strict=True
    ):
        assert first.read_bytes() == second.read_bytes(), first.name
    other = generate_demo(tmp_path / "other", people=PEOPLE, seed=8)
    assert other.truth.read_bytes() != case.truth.read_bytes()


def test_case_layout(case: DemoCase) -> None:
    names = [p.name for p in case.sources]
    assert names == ["planilha_clientes.csv", "crm_export.csv", "evento_inscricoes.xlsx"]
    assert all(p.parent == case.directory and p.is_file() for p in [*case.sources, case.truth])
    assert case.people == PEOPLE


def test_planilha_is_cp1252_with_semicolons(case: DemoCase) -> None:
    raw = case.sources[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header, _, _ = raw.decode("cp1252").partition("\r\n")
    assert header == ";".join(PLANILHA_HEADERS)
    assert _planilha(case).columns == PLANILHA_HEADERS


def test_planilha_has_the_promised_damage(case: DemoCase) -> None:
    planilha = _planilha(case)
    phones = pl.concat([planilha["Telefone"], planilha["Celular"]]).drop_nulls()
    assert phones.str.contains(r"^\(\d\d\) \d{4,5}-\d{4}$").any()
    assert phones.str.contains(r"^5\.\d+E12$").any()
    assert phones.str.contains(r"^\d{4,5}-\d{4}$").any()
    assert planilha["CEP"].drop_nulls().str.contains(r"^\d{7}$").any()
    assert planilha["Nome completo"].str.contains(",").any()
    assert set(planilha["Aceita receber e-mails"].drop_nulls()) == {"Sim", "Não", "S", "N"}
    assert planilha["Data de cadastro"].str.contains(r"^\d\d/\d\d/\d{4}$").all()


def test_crm_export_headers_and_stages(case: DemoCase) -> None:
    crm = _crm(case)
    assert crm.columns == CRM_HEADERS
    assert {"lead", "customer", "marketingqualifiedlead"} <= set(crm["Lifecycle Stage"])
    assert crm["Mobile Phone Number"].drop_nulls().str.starts_with("+").all()


def test_xlsx_has_two_sheets_numeric_phones_and_date_cells(case: DemoCase) -> None:
    reader = fastexcel.read_excel(case.sources[2])
    assert reader.sheet_names == ["Inscrições", "Instruções"]
    sheet = reader.load_sheet(0).to_polars()
    assert sheet.columns == [
        "Nome",
        "Sobrenome",
        "Email",
        "WhatsApp",
        "Empresa",
        "Data de inscrição",
    ]
    assert sheet.schema["Data de inscrição"] == pl.Datetime("ms")
    xml = zipfile.ZipFile(case.sources[2]).read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="D\d+"><v>\d{10,13}</v>', xml)


def test_truth_covers_every_record_exactly_once(case: DemoCase, truth: pl.DataFrame) -> None:
    events = fastexcel.read_excel(case.sources[2]).load_sheet(0).height
    expected = sorted(
        [("planilha_clientes", i) for i in _planilha(case)["Código"]]
        + [("crm_export", i) for i in _crm(case)["Record ID"]]
        + [("evento_inscricoes", str(n)) for n in range(1, events + 1)]
    )
    assert sorted(truth.select("source", "source_id").iter_rows()) == expected
    assert truth.height == case.records
    assert truth["person_id"].n_unique() == PEOPLE


def test_records_per_person(case: DemoCase, truth: pl.DataFrame) -> None:
    assert 1.6 <= case.records / case.people <= 2.0
    per_source = truth.group_by("source", "person_id").len()
    assert (per_source["len"] > 1).any()


def test_population_has_hard_negatives(population: list[Person]) -> None:
    names = Counter(p.full_name for p in population)
    assert max(names.values()) >= 2
    switchboards = Counter(p.job.company.switchboard for p in population if p.job)
    assert max(switchboards.values()) >= 2
    homes = Counter(p.home_phone for p in population if p.home_phone)
    assert max(homes.values()) >= 2
    assert any(p.suffix for p in population)


def test_records_share_phones_and_mailboxes_across_people(
    case: DemoCase, truth: pl.DataFrame
) -> None:
    crm = _labelled(_crm(case), "crm_export", "Record ID", truth)
    digits = crm.select(pl.col("Phone Number").str.replace_all(r"\D", ""), "person_id")
    shared = digits.drop_nulls().group_by("Phone Number").agg(pl.col("person_id").n_unique())
    assert (shared["person_id"] >= 2).any()
    planilha = _labelled(_planilha(case), "planilha_clientes", "Código", truth)
    emails = [
        planilha.select("E-mail", "person_id"),
        crm.select(pl.col("Email").alias("E-mail"), "person_id"),
    ]
    records = pl.concat(emails)
    mailbox = records.filter(pl.col("E-mail").str.to_lowercase().str.starts_with("contato@"))
    assert mailbox["person_id"].n_unique() >= 2


def test_newer_crm_record_of_a_moved_person_is_modified_later(
    case: DemoCase, truth: pl.DataFrame
) -> None:
    crm = _labelled(_crm(case), "crm_export", "Record ID", truth).drop_nulls("Company Name")
    moved = crm.filter(pl.col("Company Name").n_unique().over("person_id") > 1)
    assert moved.height > 0
    for _, records in moved.sort("Create Date").group_by("person_id", maintain_order=True):
        modified = records["Last Modified Date"].to_list()
        assert modified[-1] > modified[0]


def test_pairwise_scores_perfect_and_singletons(truth: pl.DataFrame) -> None:
    perfect = truth.rename({"person_id": "golden_id"})
    scores = pairwise_scores(perfect, truth)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    assert scores["true_pairs"] == len(true_pairs(truth)) > 0
    singletons = truth.select(
        "source", "source_id", golden_id=pl.col("source") + pl.col("source_id")
    )
    assert pairwise_scores(singletons, truth)["recall"] == 0.0


def test_pairwise_scores_counts_wrong_merges(truth: pl.DataFrame) -> None:
    everything = truth.select("source", "source_id", golden_id=pl.lit("G1"))
    scores = pairwise_scores(everything, truth)
    assert scores["recall"] == 1.0
    assert 0 < scores["precision"] < 0.05
    missing = pairwise_scores(truth.rename({"person_id": "golden_id"}).head(0), truth)
    assert missing["recall"] == 0.0


def test_true_pairs_are_ordered() -> None:
    truth = pl.DataFrame(
        {
            "source": ["b", "a", "a", "c"],
            "source_id": ["1", "2", "1", "9"],
            "person_id": ["P"] * 3 + ["Q"],
        }
    )
    assert true_pairs(truth) == {
        (("a", "1"), ("a", "2")),
        (("a", "1"), ("b", "1")),
        (("a", "2"), ("b", "1")),
    }


def test_damage_formats() -> None:
    rng = Random(1)
    mobile = Phone("55", "11", "987654321")
    assert phone_text(rng, mobile, Weighted({"excel": 1})) == "5.511987654321E12"
    assert phone_text(rng, mobile, Weighted({"paren": 1})) == "(11) 98765-4321"
    assert phone_text(rng, mobile, Weighted({"intl": 1})) == "+55 11 98765 4321"
    assert {postal_text(Random(s), "01310-100") for s in range(60)} == {
        "01310-100",
        "01310100",
        "1310100",
    }
    assert strip_accents("João Conceição") == "Joao Conceicao"
