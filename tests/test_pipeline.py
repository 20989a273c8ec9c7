"""Pipeline invariants: nothing is lost, whatever the input."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmclean import pipeline
from crmclean.batch import Batch
from crmclean.conservation import ConservationError, check_conservation
from crmclean.sources import SourceSpec

HEADERS = ["Nome", "Sobrenome", "E-mail", "Telefone", "Empresa", "Cidade", "Data de cadastro"]
REALISTIC = st.sampled_from(
    [
        "", " ", "Maria", "MARIA DA SILVA", "José", "Zé", "Silva", "maria@x.com.br",
        "MARIA@X.COM.BR", "contato@empresa.com.br", "(11) 98765-4321", "5.511987654321E12",
        "98765-4321", "Acme Ltda", "São Paulo", "31/12/2023", "2024-02-30", "45000", "n/a",
    ]
)  # fmt: skip
CELL = st.one_of(REALISTIC, st.text(max_size=12))
ROW = st.lists(CELL, min_size=len(HEADERS), max_size=len(HEADERS))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


# A run's cost hardly grows with its rows: fewer examples of up to twice the rows.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=50))
def test_every_input_row_is_golden_or_rejected(rules, rows):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contatos.csv"
        write_csv(path, rows)
        result = pipeline.run([SourceSpec(path)], rules, stop_before="validate")
    crosswalk = result.crosswalk()
    assert crosswalk.height == result.inputs.height
    kept = crosswalk.filter(pl.col("golden_id").is_not_null())
    assert kept.height + result.batch.rejects.select("_source", "_source_id").n_unique() == (
        crosswalk.height
    )
    assert set(kept["golden_id"]) == set(result.batch.golden["golden_id"])


def test_conservation_check_catches_a_lost_record():
    inputs = pl.DataFrame({"_source": ["a", "a"], "_source_id": ["1", "2"]})
    batch = Batch(pl.DataFrame({"_source": ["a"], "_source_id": ["1"]}))
    with pytest.raises(ConservationError, match="2 records read but 1 kept"):
        check_conservation(inputs, batch)


def test_stop_before_normalize_returns_the_mapped_frame(rules, tmp_path):
    path = tmp_path / "c.csv"
    write_csv(path, [["Ana", "Souza", "ANA@X.COM", "", "", "", ""]])
    result = pipeline.run([SourceSpec(path)], rules, stop_before="normalize")
    assert result.batch.frame["email"].to_list() == ["ANA@X.COM"]
    assert result.batch.golden is None and result.gate is None


def test_stop_before_merge_clusters_without_golden_records(rules, tmp_path):
    path = tmp_path / "c.csv"
    rows = [
        ["Ana", "Souza", "ana@x.com", "", "", "", ""],
        ["ANA", "SOUZA", "Ana@X.com", "", "", "", ""],
        ["Rui", "Lima", "rui@y.com", "", "", "", ""],
    ]
    write_csv(path, rows)
    merged = pipeline.run([SourceSpec(path)], rules, stop_before="validate").batch
    clusters_only = pipeline.RunOptions(merge=False)
    clustered = pipeline.run([SourceSpec(path)], rules, clusters_only, stop_before="validate").batch
    assert clustered.golden is None and clustered.merges is None
    assert clustered.frame["golden_id"].to_list() == merged.frame["golden_id"].to_list()
    assert clustered.frame["golden_id"].n_unique() == 2
    assert clustered.stats["dedupe"] == merged.stats["dedupe"]


def test_deleted_export_rows_are_accounted_for_in_rejects(rules, tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text(
        "Id,FirstName,LastName,AccountId,Email,IsDeleted\n"
        "003A,Ana,Souza,001X,ana@x.com,false\n"
        "003B,Rui,Lima,001X,rui@x.com,true\n",
        encoding="utf-8",
    )
    result = pipeline.run([SourceSpec(path)], rules, stop_before="validate")
    crosswalk = result.crosswalk()
    assert crosswalk["source_id"].to_list() == ["003A", "003B"]
    assert crosswalk["golden_id"].null_count() == 1
    assert result.batch.rejects.filter(pl.col("_source_id") == "003B")["rule"].to_list() == [
        "source.deleted"
    ]


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 0, 1]])
def test_crosswalk_gives_each_input_its_golden_id_in_input_order(order):
    inputs = pl.DataFrame({"_source": ["a", "a", "b", "a"], "_source_id": ["1", "2", "1", "3"]})
    kept = inputs.head(3).with_columns(golden_id=pl.Series(["g1", "g1", "g2"]))[order]
    crosswalk = pipeline.RunResult(Batch(kept), inputs).crosswalk()
    assert crosswalk.rows() == [
        ("a", "1", "g1"),
        ("a", "2", "g1"),
        ("b", "1", "g2"),
        ("a", "3", None),
    ]
    assert crosswalk.columns == ["source", "source_id", "golden_id"]
