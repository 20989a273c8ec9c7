"""``crmclean dedupe --out-of-core`` writes the crosswalk, golden records, merge log and rejects
of the in-memory run, on part of the public contacts sample split over two CSV files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from crmclean.cli import main

CONTACTS = Path(__file__).parent / "data" / "public" / "contacts_10k_sample.csv"
ROWS = 3_000
OUTPUTS = ("crosswalk.csv", "golden.parquet", "merges.parquet", "rejects.csv")


def _sources(folder: Path) -> list[str]:
    """The sample's first rows as two files, the second with a row identifying nobody."""
    rows = pl.read_csv(CONTACTS, infer_schema=False).head(ROWS)
    first, second = folder / "crm.csv", folder / "event.csv"
    rows.head(ROWS // 2).write_csv(first)
    nobody = pl.DataFrame({"unique_id": ["0"], "city": ["Recife"]})  # identifies nobody
    pl.concat([rows.tail(ROWS - ROWS // 2), nobody], how="diagonal").write_csv(second)
    return [str(first), str(second)]


def _dedupe(folder: Path, sources: list[str], *options: str) -> dict[str, pl.DataFrame]:
    folder.mkdir()
    paths = [folder / name for name in OUTPUTS]
    arguments = ["dedupe", *sources, *options]
    for flag, path in zip(("--crosswalk", "--golden", "--merges", "--rejects"), paths, strict=True):
        arguments += [flag, str(path)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    read = {".csv": lambda p: pl.read_csv(p, infer_schema=False), ".parquet": pl.read_parquet}
    return {path.name: read[path.suffix](path) for path in paths}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    folder = tmp_path_factory.mktemp("ooc")
    sources = _sources(folder)
    in_memory = _dedupe(folder / "memory", sources)
    out_of_core = _dedupe(folder / "spilled", sources, "--out-of-core", str(folder / "work"))
    return in_memory, out_of_core


def test_same_crosswalk_and_rejects(runs: tuple[dict, dict]) -> None:
    in_memory, out_of_core = runs
    crosswalk = out_of_core["crosswalk.csv"]
    assert_frame_equal(crosswalk, in_memory["crosswalk.csv"])
    assert crosswalk["golden_id"].n_unique() < crosswalk.height - 1  # some records merged
    assert_frame_equal(out_of_core["rejects.csv"], in_memory["rejects.csv"])
    assert out_of_core["rejects.csv"].height >= 1  # the row that identifies nobody


def test_same_golden_records_and_merge_log(runs: tuple[dict, dict]) -> None:
    in_memory, out_of_core = runs
    golden = out_of_core["golden.parquet"].sort("golden_id")
    assert_frame_equal(golden, in_memory["golden.parquet"].sort("golden_id"))
    order = ["golden_id", "field", "_source", "_source_id"]
    merges = out_of_core["merges.parquet"]
    assert merges.height > 0
    assert_frame_equal(merges.sort(order), in_memory["merges.parquet"].sort(order))


def test_refuses_what_needs_every_pair(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("id,first_name,last_name\n1,Ana,Costa\n", encoding="utf-8")
    arguments = ["dedupe", str(source), "--crosswalk", str(tmp_path / "c.csv")]
    arguments += ["--out-of-core", str(tmp_path / "work"), "--review", str(tmp_path / "r.csv")]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2 and "--review" in result.output
