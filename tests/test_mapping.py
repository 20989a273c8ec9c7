from pathlib import Path

import pytest

from crmclean.errors import UserError
from crmclean.mapping import load_mapping, suggest

PT_SHEET = [
    "Código",
    "Nome completo",
    "E-mail",
    "Telefone",
    "Celular",
    "Empresa",
    "Cargo",
    "Cidade",
    "UF",
    "CEP",
    "Data de cadastro",
    "Observações internas",
]


def fields_of(mapping):
    return {c.header: c.field for c in mapping.columns}


def test_portuguese_headers_map_by_alias(rules):
    got = fields_of(suggest(PT_SHEET, rules.model))
    assert got == {
        "Código": "record_id",
        "Nome completo": "full_name",
        "E-mail": "email",
        "Telefone": "phone",
        "Celular": "mobile",
        "Empresa": "company",
        "Cargo": "job_title",
        "Cidade": "city",
        "UF": "state",
        "CEP": "postal_code",
        "Data de cadastro": "created_at",
        "Observações internas": None,
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Correo electrónico", "email"),
        ("Apellidos", "last_name"),
        ("Teléfono", "phone"),
        ("MailingPostalCode", "postal_code"),
        ("FIRSTNAME", "first_name"),
        ("  e-mail  ", "email"),
        ("Sobre nome", "last_name"),
        ("Telefone celular", "mobile"),
        ("Emial", "email"),
        ("Compnay Name", "company"),
    ],
)
def test_spanish_api_names_and_near_misses(rules, header, field):
    assert fields_of(suggest([header], rules.model))[header] == field


def test_near_miss_has_lower_confidence_than_alias(rules):
    cols = {c.header: c for c in suggest(["Emial", "Email"], rules.model).columns}
    assert cols["Email"].confidence == 1.0 and cols["Email"].method == "alias"
    assert cols["Emial"].method == "fuzzy" and 0.7 < cols["Emial"].confidence < 1.0


@pytest.mark.parametrize("header", ["Idade", "Obs", "UF2", "Nota fiscal"])
def test_unrelated_headers_stay_unmapped(rules, header):
    assert fields_of(suggest([header], rules.model))[header] is None


def test_nome_beside_sobrenome_is_the_given_name(rules):
    got = fields_of(suggest(["Nome", "Sobrenome", "Email"], rules.model))
    assert got["Nome"] == "first_name" and got["Sobrenome"] == "last_name"


def test_single_valued_field_keeps_one_header_and_multi_keeps_all(rules):
    got = fields_of(suggest(["City", "Cidade", "Email", "E-mail 2"], rules.model))
    assert got["City"] == "city" and got["Cidade"] is None
    assert got["Email"] == "email" and got["E-mail 2"] == "email"


def test_yaml_round_trip_through_user_mapping(rules, tmp_path: Path):
    mapping = suggest(PT_SHEET, rules.model)
    path = tmp_path / "m.yaml"
    text = mapping.to_yaml("planilha.csv").replace("field: job_title", "field: null")
    path.write_text(text, encoding="utf-8")
    loaded = load_mapping(path, PT_SHEET, rules.model)
    assert fields_of(loaded)["Cargo"] is None
    assert fields_of(loaded)["E-mail"] == "email"


def test_user_choice_beats_alias(rules, tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  Observações internas: first_name\n", encoding="utf-8")
    got = fields_of(load_mapping(path, [*PT_SHEET, "Nome"], rules.model))
    assert got["Observações internas"] == "first_name"


def test_user_mapping_reports_every_problem_at_once(rules, tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  E-mail: emale\n  Fax: phone\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_mapping(path, PT_SHEET, rules.model)
    message = str(err.value)
    assert "unknown field 'emale'" in message and "no column 'Fax'" in message
    assert str(path) in message


def test_bad_yaml_names_file_and_line(rules, tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  E-mail: [email\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"m\.yaml:\d+: invalid YAML"):
        load_mapping(path, PT_SHEET, rules.model)


# The columns of a person benchmark shaped like Splink's historical_50k (bench/person_like.py).
PERSON_SHEET = [
    "unique_id",
    "cluster",
    "full_name",
    "first_and_surname",
    "first_name",
    "surname",
    "dob",
    "birth_place",
    "postcode_fake",
    "gender",
    "occupation",
]


def test_person_benchmark_headers_map_by_alias_and_qualifier(rules):
    got = fields_of(suggest(PERSON_SHEET, rules.model))
    assert got == {
        "unique_id": None,
        "cluster": None,
        "full_name": "full_name",
        "first_and_surname": None,
        "first_name": "first_name",
        "surname": "last_name",
        "dob": "birth_date",
        "birth_place": "birth_place",
        "postcode_fake": "postal_code",
        "gender": "gender",
        "occupation": "job_title",
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Place of birth", "birth_place"),
        ("Naturalidade", "birth_place"),
        ("Lugar de nacimiento", "birth_place"),
        ("Profession", "job_title"),
        ("Ocupação", "job_title"),
        ("email_clean", "email"),
        ("raw phone", "phone"),
        ("DOB std", "birth_date"),
        ("phone type", None),  # a qualifier is only a word like fake/raw/clean, never "type"
    ],
)
def test_person_field_headers(rules, header, field):
    assert fields_of(suggest([header], rules.model))[header] == field
