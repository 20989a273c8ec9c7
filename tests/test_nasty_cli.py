"""Issue #17 through the command line: inputs never overwritten, a full disk leaves nothing
behind, passwords never printed, mistakes are one line with exit 2."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import crmclean.load.target as target_module
from crmclean.cli import main
from crmclean.load.unmerge import keep_apart

PEOPLE = (
    "id,first_name,last_name,email,phone\n"
    "1,Ana,Souza,ana@example.com,+5511987654321\n"
    "2,Ana,Souza,ana@example.com,+5511987654321\n"
    '3,"=HYPERLINK(""http://evil.example/x"",""Clique aqui"")",Lima,b@example.com,\n'
)
SECRET = "S3cretPw"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with people.csv, its project and the target a first ``migrate run`` made."""
    folder = tmp_path_factory.mktemp("migrated")
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    project = folder / "crmclean.yml"
    project.write_text("sources:\n  - path: people.csv\ntarget: crm.db\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["migrate", "run", str(project)]).exit_code == 0
    return folder


@pytest.fixture()
def target(tmp_path: Path, people: Path, migrated: Path) -> Path:
    """A copy of the migrated folder beside ``people``: the target is each test's own."""
    shutil.copytree(migrated, tmp_path, dirs_exist_ok=True)
    return tmp_path / "crm.db"


def _fails(runner: CliRunner, args: list[str], text: str) -> str:
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert text in result.output and "Traceback" not in result.output
    return result.output


# --- an output is never an input --------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["clean", "{src}", "--out", "{src}"],
        ["clean", "{src}", "--out", "{tmp}/ok.csv", "--findings", "{src}"],
        ["dedupe", "{src}", "--crosswalk", "{src}"],
        ["dedupe", "{src}", "--crosswalk", "{tmp}/cw.csv", "--golden", "{link}"],
        ["map", "suggest", "{src}", "--out", "{src}"],
        ["validate", "{src}", "--html", "{src}"],
        ["audit", "{src}", "--html", "{link}"],
    ],
)
def test_no_command_overwrites_its_input(runner, people, tmp_path, args):
    link = tmp_path / "hard-link.csv"
    os.link(people, link)
    given = [a.format(src=people, tmp=tmp_path, link=link) for a in args]
    _fails(runner, given, "output is one of the inputs")
    assert people.read_text(encoding="utf-8") == PEOPLE


def test_export_refuses_to_write_over_a_source_of_the_project(runner, target, people):
    project = target.parent / "crmclean.yml"
    args = ["export", "--to", "hubspot", str(people), "--project", str(project)]
    _fails(runner, args, "output is one of the inputs")
    assert people.read_text(encoding="utf-8") == PEOPLE


# --- a full disk ------------------------------------------------------------------------


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file write puts a few bytes down, then fails as a full disk does."""

    def fail(target: object, *_args: object, **_kwargs: object) -> None:
        Path(str(target)).write_bytes(b"half a fi")
        raise OSError(errno.ENOSPC, "No space left on device")

    for name in ("write_csv", "write_parquet", "write_json", "write_ndjson"):
        monkeypatch.setattr(pl.DataFrame, name, lambda self, target, *a, **k: fail(target))
    monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: fail(self))


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (["clean", "{src}", "--out", "{out}"], "clean.csv"),
        (["clean", "{src}", "--out", "{out}"], "clean.parquet"),
        (["clean", "{src}", "--out", "{out}"], "clean.ndjson"),
        (["dedupe", "{src}", "--crosswalk", "{out}"], "crosswalk.csv"),
        (["dedupe", "{src}", "--crosswalk", "{out}"], "crosswalk.json"),
        (["map", "suggest", "{src}", "--out", "{out}"], "people.mapping.yaml"),
        (["validate", "{db}", "--html", "{out}"], "gate.html"),
        (["audit", "{src}", "--html", "{out}"], "audit.html"),
        (["export", "--to", "hubspot", "{out}", "--target", "{db}"], "hubspot-import.csv"),
    ],
)
def test_a_full_disk_is_one_line_leaves_no_partial_file_and_the_old_file_intact(
    runner, people, target, tmp_path, monkeypatch, args, out
):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / out).write_text("the old file\n", encoding="utf-8")
    given = [a.format(src=people, out=folder / out, db=target) for a in args]
    _disk_full(monkeypatch)
    _fails(runner, given, f"Error: no space left writing {folder / out}")
    monkeypatch.undo()
    assert [p.name for p in folder.iterdir()] == [out]
    assert (folder / out).read_text(encoding="utf-8") == "the old file\n"


def test_a_full_disk_writes_no_empty_audit_history_document(runner, people, tmp_path, monkeypatch):
    history = tmp_path / "audits"
    assert runner.invoke(main, ["audit", str(people), "--history", str(history)]).exit_code == 0
    before = sorted(p.name for p in history.iterdir())
    _disk_full(monkeypatch)
    _fails(runner, ["audit", str(people), "--history", str(history)], "no space left writing")
    monkeypatch.undo()
    assert sorted(p.name for p in history.iterdir()) == before
    assert runner.invoke(main, ["audit", str(people), "--history", str(history)]).exit_code == 0


def test_a_full_disk_leaves_the_decisions_file_as_it_was(tmp_path, monkeypatch):
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("source_a,source_id_a,source_b,source_id_b,decision\n", "utf-8")
    _disk_full(monkeypatch)
    with pytest.raises(Exception, match="no space left writing"):
        keep_apart(decisions, ("a", "1"), [("b", "2")])
    monkeypatch.undo()
    assert decisions.read_text("utf-8") == "source_a,source_id_a,source_b,source_id_b,decision\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.csv"]


def test_an_unreadable_history_document_is_skipped_with_a_warning(runner, people, tmp_path):
    history = tmp_path / "audits"
    history.mkdir()
    (history / "audit-20260101T000000.json").write_bytes(b"")
    result = runner.invoke(main, ["audit", str(people), "--history", str(history)])
    assert result.exit_code == 0, result.output
    assert "audit-20260101T000000.json" in result.output and "skipped" in result.output


# --- project files, targets and URLs ----------------------------------------------------


@pytest.mark.parametrize("key", ["rules", "connectors"])
def test_a_project_naming_a_missing_rules_folder_is_refused(runner, people, tmp_path, key):
    project = tmp_path / "crmclean.yml"
    project.write_text(f"{key}: nodir\nsources:\n  - path: people.csv\n", encoding="utf-8")
    _fails(runner, ["migrate", "plan", str(project)], f"{key}: folder")


@pytest.mark.parametrize(
    "args",
    [
        ["migrate", "status", "--target", "{db}"],
        ["migrate", "rollback", "abc", "--target", "{db}"],
        ["migrate", "unmerge", "g1", "a:1", "--target", "{db}"],
        ["validate", "{db}"],
        ["export", "--to", "csv", "{tmp}/x.csv", "--target", "{db}"],
        ["audit", "{db}"],
    ],
)
def test_a_mistyped_target_is_refused_and_never_created(runner, tmp_path, args):
    db = tmp_path / "typo.db"
    _fails(runner, [a.format(db=db, tmp=tmp_path) for a in args], "not found")
    assert not db.exists()


def test_audit_and_validate_take_a_sqlite_target_by_its_path_alike(runner, target):
    assert runner.invoke(main, ["validate", str(target)]).exit_code == 0
    result = runner.invoke(main, ["audit", str(target)])
    assert result.exit_code == 0, result.output


BAD_URLS = [
    f"postgresql+psycopg://crm:{SECRET}@127.0.0.1:5432/test",  # wrong login
    f"postgresql+psycopg://crm:{SECRET}@127.0.0.1:abc/test",  # port not a number
    f"postgresql+psycopg://crm:{SECRET}@no-such-host.invalid/test",
    f"postgresql+psycopg://crm:S3c@{SECRET}@127.0.0.1/test",  # an @ in the password
    f"mysql+pymysql://crm:{SECRET}@127.0.0.1:3306/test",
    f"mysql+pymysql://crm:{SECRET}@127.0.0.1:99999/test",
    f"nosuchdb://crm:{SECRET}@host/db",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_no_command_prints_a_database_password(runner, tmp_path, url):
    project = tmp_path / "crmclean.yml"
    project.write_text(f'sources:\n  - url: "{url}"\n    table: t\ntarget: "{url}"\n', "utf-8")
    commands = [
        ["audit", url],
        ["audit", url, "--connector", "suitecrm"],
        ["validate", url],
        ["migrate", "status", "--target", url],
        ["migrate", "rollback", "abc", "--target", url],
        ["migrate", "unmerge", "g1", "a:1", "--target", url],
        ["export", "--to", "csv", str(tmp_path / "x.csv"), "--target", url],
        ["migrate", "plan", str(project)],
        ["migrate", "run", str(project)],
    ]
    for args in commands:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert SECRET not in result.output and "S3c@" not in result.output, args
        assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize(
    "command", [["export", "--to", "csv", "{tmp}/x.csv"], ["migrate", "status"], ["validate"]]
)
def test_a_file_that_is_not_a_database_is_one_line_exit_2(runner, tmp_path, command):
    fake = tmp_path / "notes.db"
    fake.write_text("not a database, just notes\n" * 100, encoding="utf-8")
    given = [a.format(tmp=tmp_path) for a in command]
    args = [*given, str(fake)] if given == ["validate"] else [*given, "--target", str(fake)]
    _fails(runner, args, "not a database")


def test_invalid_utf8_in_the_project_file_is_one_line_exit_2(runner, tmp_path):
    project = tmp_path / "crmclean.yml"
    project.write_bytes(b"name: S\xe3o Paulo\nsources:\n  - path: a.csv\n")
    _fails(runner, ["migrate", "plan", str(project)], "crmclean.yml")


PII = (
    "id,first_name,last_name,email,phone,postal_code,state,tax_id\n"
    "1,Ana,Souza,ana.souza@example.com,+5511987654321,01310-100,,529.982.247-25\n"
    "2,Bruno,Lima,bruno.lima@example.com,(11) 98765-4321,,,\n"
    "3,Carla,Dias,carla.dias@example.com,,04538-133,,\n"
    "4,Duda,Reis,duda.reis@example.com,+55 21 3456-7890,,SP,\n"
)
PLANTED = [
    "Souza",
    "Lima",
    "Dias",
    "ana.souza",
    "bruno.lima",
    "987654321",
    "98765-43",
    "01310",
    "04538",
    "3456-78",
    "529.982",
    "247-25",
]


def test_mask_pii_leaves_no_planted_value_in_any_report_format(runner, tmp_path):
    source = tmp_path / "pii.csv"
    source.write_text(PII, encoding="utf-8")
    html = tmp_path / "audit.html"
    text = runner.invoke(main, ["audit", str(source), "--mask-pii", "--html", str(html)])
    as_json = runner.invoke(main, ["audit", str(source), "--mask-pii", "--json"])
    assert text.exit_code == 0 and as_json.exit_code == 0, text.output
    assert "CO03" in as_json.output
    for output in (text.output, as_json.output, html.read_text(encoding="utf-8")):
        assert [value for value in PLANTED if value in output] == []


def test_a_run_prints_its_id_once_and_a_no_op_rerun_none(runner, people, tmp_path):
    project = tmp_path / "crmclean.yml"
    project.write_text(f"sources:\n  - path: {people.name}\ntarget: crm.db\n", encoding="utf-8")
    first = runner.invoke(main, ["migrate", "run", str(project)])
    again = runner.invoke(main, ["migrate", "run", str(project)])
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert first.output.count("Run id:") == 1
    assert "Run id" not in again.output and "Nothing changed" in again.output


def test_a_connector_none_of_whose_columns_fit_is_refused(runner, tmp_path):
    source = tmp_path / "pt.csv"
    source.write_text("Codigo,Nome completo,Celular\n1,Ana Souza,11987654321\n", "utf-8")
    args = [
        "clean",
        str(source),
        "--connector",
        "hubspot_contacts",
        "--out",
        str(tmp_path / "o.csv"),
    ]
    _fails(runner, args, "connector 'hubspot_contacts' does not fit")


def _small_disk(monkeypatch: pytest.MonkeyPatch, pages: int) -> None:
    """SQLite targets opened from now on may grow to ``pages`` pages: past that SQLite itself
    fails with SQLITE_FULL ("database or disk is full"), as on a full disk."""
    usual = target_module._sqlite_transactions

    def capped(engine):
        usual(engine)
        sa.event.listen(
            engine, "connect", lambda conn, _r: conn.execute(f"PRAGMA max_page_count = {pages}")
        )

    monkeypatch.setattr(target_module, "_sqlite_transactions", capped)


def test_a_full_disk_during_a_first_load_leaves_no_target_file(
    runner, people, tmp_path, monkeypatch
):
    project = tmp_path / "crmclean.yml"
    project.write_text(f"sources:\n  - path: {people.name}\ntarget: crm.db\n", encoding="utf-8")
    _small_disk(monkeypatch, pages=3)
    _fails(runner, ["migrate", "run", str(project)], "no space left writing sqlite:///")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crmclean.yml", "people.csv"]


def test_a_full_disk_during_a_load_leaves_the_target_as_it_was(runner, target, monkeypatch):
    project = target.parent / "crmclean.yml"
    more = "".join(f"{n},Nome{n},Sobrenome{n},p{n}@example.com,\n" for n in range(10, 3000))
    (target.parent / "people.csv").write_text(PEOPLE + more, encoding="utf-8")
    pages = target.stat().st_size // 4096 + 1
    before = runner.invoke(main, ["migrate", "status", "--target", str(target), "--json"]).output
    _small_disk(monkeypatch, pages=pages)
    _fails(runner, ["migrate", "run", str(project)], "no space left writing")
    monkeypatch.undo()
    after = runner.invoke(main, ["migrate", "status", "--target", str(target), "--json"])
    assert after.output == before


def test_no_csv_a_person_opens_holds_a_live_formula(runner, people, tmp_path):
    out = {n: tmp_path / f"{n}.csv" for n in ("cw", "golden", "rejects", "review", "merges")}
    dedupe = [
        "dedupe",
        str(people),
        "--crosswalk",
        str(out["cw"]),
        "--golden",
        str(out["golden"]),
        "--rejects",
        str(out["rejects"]),
        "--review",
        str(out["review"]),
        "--merges",
        str(out["merges"]),
    ]
    clean = ["clean", str(people), "--out", str(tmp_path / "clean.csv")]
    clean += ["--findings", str(tmp_path / "findings.csv")]
    assert runner.invoke(main, dedupe).exit_code == 0
    assert runner.invoke(main, clean).exit_code == 0
    for path in tmp_path.glob("*.csv"):
        if path.name == people.name:
            continue
        table = pl.read_csv(path, infer_schema=False)
        cells = pl.concat([table.get_column(c) for c in table.columns]).drop_nulls()
        live = cells.filter(cells.str.contains(r"^[=+\-@\t\r＝＋－＠]"))
        assert live.filter(~live.str.contains(r"^\+[1-9]\d{6,14}$|^-?\d[\d.]*$")).is_empty(), path
    assert "'=HYPERLINK" in (tmp_path / "golden.csv").read_text(encoding="utf-8")
