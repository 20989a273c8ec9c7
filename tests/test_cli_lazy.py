"""``crmclean --help`` lists the commands without importing them; each listed help is the
command's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.utils import make_default_short_help

from crmclean.cli import COMMANDS, load_command

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
from click.testing import CliRunner
from crmclean.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
heavy = ["polars", "sqlalchemy", "crmclean.api", "crmclean.pipeline", "great_expectations"]
print(json.dumps({"code": result.exit_code, "out": result.output,
                  "loaded": [m for m in heavy if m in sys.modules],
                  "libraries": sorted({m.split(".")[0] for m in sys.modules}),
                  "modules": sorted(m for m in sys.modules if m.startswith("crmclean."))}))
"""
# what only a run into a target imports (a run without one reads RunInfo from crmclean.load.run)
LOAD_STAGE = (
    "crmclean.load.apply",
    "crmclean.load.existing",
    "crmclean.load.schema",
    "crmclean.into_target",
)
# what a run of contacts from files to a crosswalk never reads: the gate, the company stage,
# the other commands' outputs, a project file, and the libraries of other paths
NOT_FOR_DEDUPE = (
    "crmclean.validate",
    "crmclean.accounts",
    "crmclean.companies",
    "crmclean.export",
    "crmclean.outofcore_run",
    "crmclean.dedupe.outofcore",
    "crmclean.dedupe.review",
    "crmclean.dedupe.why",
    "crmclean.dedupe.blocking_report",
    "crmclean.project",
)
LIBRARIES_NOT_FOR_DEDUPE = {"scipy", "stdnum", "charset_normalizer", "fastexcel", "rich"}


def _probe(*args: str) -> dict:
    """Run the CLI in a fresh interpreter; its exit code, output and heavy modules loaded."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout)


def test_help_imports_no_command_module():
    probe = _probe("--help")
    assert probe["code"] == 0
    assert probe["loaded"] == []
    for name in COMMANDS:
        assert f"  {name} " in probe["out"]


def test_dedupe_imports_neither_the_load_nor_the_gate(tmp_path):
    """``crmclean dedupe`` runs no load and no gate: SQLAlchemy, Great Expectations and the
    load stage's modules stay out of the process."""
    people = ROOT / "tests" / "data" / "person" / "person_like_150.csv"
    crosswalk = tmp_path / "crosswalk.csv"
    probe = _probe("dedupe", str(people), "--crosswalk", str(crosswalk), "--json")
    assert probe["code"] == 0, probe["out"]
    assert json.loads(probe["out"])["records"] > 0 and crosswalk.is_file()
    assert probe["loaded"] == ["polars", "crmclean.api", "crmclean.pipeline"]
    assert not [name for name in probe["modules"] if name.startswith(LOAD_STAGE)]


def test_dedupe_imports_only_what_its_run_reads(tmp_path):
    """``crmclean dedupe`` of contacts files: no gate, no company stage, no scipy (its own
    connected components), no tax-id, encoding-guess or spreadsheet library for a CSV in
    UTF-8 without tax ids, no rich with ``--json``."""
    people = ROOT / "tests" / "data" / "person" / "person_like_150.csv"
    crosswalk = tmp_path / "crosswalk.csv"
    probe = _probe("dedupe", str(people), "--crosswalk", str(crosswalk), "--json")
    assert probe["code"] == 0, probe["out"]
    assert not [name for name in probe["modules"] if name.startswith(NOT_FOR_DEDUPE)]
    assert not LIBRARIES_NOT_FOR_DEDUPE & set(probe["libraries"])


def test_an_audit_of_files_imports_no_database_library():
    """``crmclean audit`` on files reads no database: no SQLAlchemy, no load stage."""
    people = ROOT / "tests" / "data" / "person" / "person_like_150.csv"
    probe = _probe("audit", str(people), "--json")
    assert probe["code"] == 0, probe["out"]
    assert json.loads(probe["out"])["records"]
    assert "sqlalchemy" not in probe["loaded"] and "great_expectations" not in probe["loaded"]
    assert not [name for name in probe["modules"] if name.startswith(LOAD_STAGE)]


def test_a_command_still_loads_when_asked_for():
    probe = _probe("connectors", "list")
    assert probe["code"] == 0
    assert "salesforce" in probe["out"].lower()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_help_is_the_commands_own(name):
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(500) == make_default_short_help(COMMANDS[name][1], 500)


def test_an_unknown_command_is_a_usage_error():
    probe = _probe("nosuchcommand")
    assert probe["code"] == 2
    assert "No such command" in probe["out"]


def test_python_dash_m_runs_the_command_under_its_own_name():
    """``python -m crmclean`` is the ``crmclean`` command: same help, same exit codes."""
    help_run = subprocess.run(
        [sys.executable, "-m", "crmclean", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert help_run.returncode == 0
    assert help_run.stdout.startswith("Usage: crmclean ")
    wrong = subprocess.run(
        [sys.executable, "-m", "crmclean", "no-such-command"], capture_output=True, text=True
    )
    assert wrong.returncode == 2
    assert "No such command" in wrong.stderr


def test_the_api_gives_audit_when_asked_for():
    """``crmclean.api.audit`` is :func:`crmclean.audit.audit`, imported on first use."""
    import crmclean.api as api
    from crmclean.audit import audit

    assert api.audit is audit
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        api.nothing  # noqa: B018
