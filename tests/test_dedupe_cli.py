"""``crmclean dedupe`` with its review, explain, merge-log, decisions and threshold options."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from click.testing import CliRunner

from crmclean.cli import main

HEADER = "id,first_name,last_name,email,city,updated_at\n"
ROWS = [
    "1,Ieda,Zanetti,,Recife,2024-01-01",
    "2,Ieda,Zanetti,,Recife,2023-01-01",
    "3,Ana,Costa,ana@acme.com,,2024-01-01",
    "4,Ana Maria,Costa,ana@acme.com,,2020-01-01",
]


def _run(tmp_path: Path, *options: str) -> pl.DataFrame:
    source = tmp_path / "contatos.csv"
    source.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    crosswalk = tmp_path / "cw.csv"
    result = CliRunner().invoke(
        main, ["dedupe", str(source), "--crosswalk", str(crosswalk), *options]
    )
    assert result.exit_code == 0, result.output
    return pl.read_csv(crosswalk, infer_schema=False)


def _together(crosswalk: pl.DataFrame, a: str, b: str) -> bool:
    ids = dict(zip(crosswalk["source_id"], crosswalk["golden_id"], strict=True))
    return ids[a] == ids[b]


def test_review_explain_and_merge_log_are_written(tmp_path: Path) -> None:
    review, explain, merges = (tmp_path / name for name in ("r.csv", "e.csv", "m.csv"))
    crosswalk = _run(
        tmp_path, "--review", str(review), "--explain", str(explain), "--merges", str(merges)
    )
    assert _together(crosswalk, "3", "4") and not _together(crosswalk, "1", "2")
    pending = pl.read_csv(review, infer_schema=False)
    assert pending.select("source_id_a", "source_id_b").row(0) == ("1", "2")
    assert "city +" in pending["why"][0]
    assert pl.read_csv(explain).height >= 2
    log = pl.read_csv(merges, infer_schema=False).filter(pl.col("field") == "first_name")
    assert log.select("value", "survived").rows() == [("Ana", "false"), ("Ana Maria", "true")]


def test_answered_review_goes_back_as_decisions(tmp_path: Path) -> None:
    review = tmp_path / "r.csv"
    _run(tmp_path, "--review", str(review))
    answered = pl.read_csv(review, infer_schema=False).with_columns(decision=pl.lit("must-link"))
    answered.write_csv(tmp_path / "answers.csv")
    crosswalk = _run(tmp_path, "--decisions", str(tmp_path / "answers.csv"))
    assert _together(crosswalk, "1", "2")


def test_a_bad_threshold_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["dedupe", "x.csv", "--crosswalk", "c.csv", "--threshold", "1.5"]
    )
    assert result.exit_code == 2
    assert "--threshold" in result.output


def test_a_low_threshold_merges_the_review_band(tmp_path: Path) -> None:
    assert _together(_run(tmp_path, "--threshold", "0.3"), "1", "2")


def test_training_pairs_teach_the_model(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "source_a,source_id_a,source_b,source_id_b,match\ncontatos,1,contatos,2,1\n",
        encoding="utf-8",
    )

    def probability(*options: str) -> float:
        explain = tmp_path / "e.csv"
        _run(tmp_path, "--explain", str(explain), *options)
        pairs = pl.read_csv(explain, infer_schema=False)
        pair = pairs.filter((pl.col("source_id_a") == "1") & (pl.col("source_id_b") == "2"))
        return float(pair["probability"].item())

    assert probability("--training-pairs", str(labels)) > probability()


def test_blocking_report_counts_pairs_and_recall_per_rule(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "source_a,source_id_a,source_b,source_id_b,match\n"
        "contatos,1,contatos,2,1\ncontatos,3,contatos,4,1\n",
        encoding="utf-8",
    )
    report = tmp_path / "blocking.csv"
    _run(tmp_path, "--blocking-report", str(report), "--training-pairs", str(labels))
    rows = {row["rule"]: row for row in pl.read_csv(report).to_dicts()}
    assert rows["emails"]["pairs"] == 1 and rows["emails"]["recall"] == 0.5  # Ana's pair only
    assert rows["all rules"]["true_pairs_reached"] == 2
    assert rows["all rules"]["recall"] == 1.0


def test_a_file_without_companies_prints_no_company_lines(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "first_name,surname,dob,birth_place\nJohn,Smith,1801-02-03,Leeds\n"
        "Jon,Smith,1801-02-03,Leeds\nMary,Jones,1799-11-30,York\n",
        encoding="utf-8",
    )
    args = ["dedupe", str(source), "--crosswalk", str(tmp_path / "cw.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Golden records:" in result.output
    assert "Companies:" not in result.output and "Contacts linked:" not in result.output
