"""Every spec in connectors/ against its acceptance sample and expected canonical output.

A file spec needs ``tests/data/connectors/<name>/`` with one or more ``sample.*`` files (the
system's real headers, ugly values) and ``expected.csv`` (the canonical fields of every input
row; ``_status`` says whether it was kept or which rule rejected it). A sql spec needs
``tests/sql/<name>.sql`` and ``tests/test_sql_<name>.py``. A spec without them fails here.
Regenerate an expected file after a deliberate change with ``CRMCLEAN_REGEN_CONNECTORS=1``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crmclean.batch import SOURCE_ID
from crmclean.connectors import detect
from crmclean.read import read_file
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

HERE = Path(__file__).parent
SAMPLES = HERE / "data" / "connectors"
SPECS = sorted(Rules().connectors, key=lambda spec: spec.name)


def _outcome(path: Path, connector: str, rules: Rules) -> pl.DataFrame:
    """Kept rows with their canonical fields, then rejected rows with the rule, by source id."""
    batch = read_all([SourceSpec(path=path, connector=connector, name="sample")], rules)
    kept = batch.frame.select(
        SOURCE_ID, pl.lit("kept").alias("_status"), *rules.model.names, "extra"
    )
    rejected = batch.rejects.select(SOURCE_ID, ("rejected:" + pl.col("rule")).alias("_status"))
    return pl.concat([kept, rejected], how="diagonal").sort(SOURCE_ID)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.kind == "file"], ids=lambda s: s.name)
def test_file_spec_reads_its_sample(spec, rules):
    folder = SAMPLES / spec.name
    samples = sorted(folder.glob("sample.*"))
    assert samples, f"connector {spec.name} has no acceptance sample in {folder}"
    expected_file = folder / "expected.csv"
    for sample in samples:
        headers = [c for c in read_file(sample).frame.columns if c != "_row"]
        assert detect(headers, rules.connectors).name == spec.name, sample.name
        got = _outcome(sample, spec.name, rules)
        if os.environ.get("CRMCLEAN_REGEN_CONNECTORS"):
            filled = [c for c in got.columns if got.get_column(c).null_count() < got.height]
            got.select(filled).write_csv(expected_file)
        expected = pl.read_csv(expected_file, infer_schema=False)
        assert_frame_equal(got.select(expected.columns), expected, check_dtypes=False)
        empty = set(got.columns) - set(expected.columns)
        assert got.select(pl.col(sorted(empty)).is_null().all()).row(0) == (True,) * len(empty)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.kind == "sql"], ids=lambda s: s.name)
def test_sql_spec_has_schema_rows_and_a_database_test(spec):
    system = spec.name.split("_")[0]  # one CRM's database holds its contacts and its accounts
    scripts = [HERE / "sql" / f"{name}.sql" for name in (spec.name, system)]
    assert any(script.is_file() for script in scripts), f"no tests/sql/{spec.name}.sql"
    assert (HERE / f"test_sql_{spec.name}.py").is_file(), f"no tests/test_sql_{spec.name}.py"
