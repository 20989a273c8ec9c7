"""Undoing one merge: a record split back out of its golden record, as a run that rollback
undoes; cannot-link decisions keep the next runs from merging them again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_load import DATA_TABLES, make_batch, read, run_load, snapshot
from test_migrate import cli, golden_of, project

from crmclean.cli import main
from crmclean.dedupe.cluster import golden_id
from crmclean.errors import UserError
from crmclean.load.rollback import rollback, run_status
from crmclean.load.unmerge import keep_apart, unmerge
from crmclean.rules import Rules


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def contact(target: str, golden: str) -> tuple[object, ...]:
    sql = "select full_name, email, email_alt, updated_at, source_count from contacts"
    [row] = read(target, f"{sql} where golden_id = '{golden}'")
    return row


def test_split_record_gets_its_own_golden_record(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target, DATA_TABLES)
    split = unmerge(target, "g1", ("sheet", "7"), rules=rules)
    assert split.new_golden_id == golden_id("sheet", "7")
    assert (split.golden_id, split.apart_from, split.decisions) == ("g1", [("crm", "1")], None)
    # g1 keeps the values of the record that remains; the split record gets its own back
    assert contact(target, "g1") == (
        "José Silva", "ze@exemplo.com.br", '["o\\"q@x.com"]', "2024-05-01", 1
    )  # fmt: skip
    assert contact(target, split.new_golden_id) == (
        "Jose Silva", "jose@work.com", "[]", "2023-01-01", 1
    )  # fmt: skip
    moved = read(target, "select golden_id from contact_sources where source_id = '7'")
    assert moved == [(split.new_golden_id,)]
    assert read(target, "select count(*) from merges") == [(0,)]
    runs = run_status(target, rules)
    assert [r.run_id for r in runs][1] == split.run_id
    assert runs[1].counts is not None
    assert runs[1].counts["changes"]["contacts"] == {"insert": 1, "update": 1, "delete": 0}
    stats = read(target, f"select stats from runs where run_id = '{split.run_id}'")[0][0]
    assert json.loads(stats)["unmerge"]["new_golden_id"] == split.new_golden_id
    assert rollback(target, split.run_id, rules=rules) == [split.run_id]
    assert snapshot(target, DATA_TABLES) == before


def test_what_cannot_be_split_is_refused(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target)
    with pytest.raises(UserError, match="no golden record 'nope'"):
        unmerge(target, "nope", ("crm", "1"), rules=rules)
    with pytest.raises(UserError, match="crm:2 is not part of golden record g1: it belongs to g2"):
        unmerge(target, "g1", ("crm", "2"), rules=rules)
    with pytest.raises(UserError, match="no such record"):
        unmerge(target, "g1", ("crm", "404"), rules=rules)
    with pytest.raises(UserError, match="g2 holds only crm:2: nothing to split"):
        unmerge(target, "g2", ("crm", "2"), rules=rules)
    assert snapshot(target) == before


def with_decisions(path: Path) -> Path:
    path.write_text(path.read_text(encoding="utf-8") + "decisions: decisions.csv\n")
    return path


def test_decisions_keep_a_split_record_apart(target: str, tmp_path: Path) -> None:
    both = with_decisions(project(tmp_path, target, "crm.csv", "event.csv"))
    cli("migrate", "run", str(both))
    ana = golden_of(target, "crm", "1")
    assert golden_of(target, "event", "e1") == ana
    split = cli("migrate", "unmerge", ana, "event:e1", "--project", str(both))
    assert split["apart_from"] == [["crm", "1"]]
    decisions = (tmp_path / "decisions.csv").read_text(encoding="utf-8")
    assert decisions == (
        "source_a,source_id_a,source_b,source_id_b,decision\nevent,e1,crm,1,cannot-link\n"
    )
    after_split = snapshot(target, DATA_TABLES)
    # the same input again: dedupe and the target's records both keep them apart
    again = cli("migrate", "run", str(both))
    assert again["load"]["run_id"] is None
    assert snapshot(target, DATA_TABLES) == after_split
    # a changed export of the event alone is matched against the target, not merged back
    event_only = with_decisions(project(tmp_path, target, "event.csv"))  # rewrites event.csv
    (tmp_path / "event.csv").write_text(
        "id,Name,Email,Phone,Company,Updated\n"
        "e1,ANA SOUZA,ana@exemplo.com.br,+55 11 98765-4321,Acme Ltda,2024-07-01\n",
        encoding="utf-8",
    )
    changed = cli("migrate", "run", str(event_only))
    assert changed["plan"]["golden_merge"] == 0
    assert (
        golden_of(target, "event", "e1") == split["new_golden_id"] != golden_of(target, "crm", "1")
    )


def test_without_decisions_a_split_holds_until_a_record_changes(
    target: str, tmp_path: Path
) -> None:
    """Records the target holds with the same values are not matched again (incremental
    linking), so the next run of the same sources keeps the split."""
    both = project(tmp_path, target, "crm.csv", "event.csv")
    cli("migrate", "run", str(both))
    ana = golden_of(target, "crm", "1")
    result = CliRunner().invoke(main, ["migrate", "unmerge", ana, "event:e1", "--target", target])
    assert result.exit_code == 0, result.output
    assert "a run that changes either record may merge them again" in result.stdout
    split = golden_of(target, "event", "e1")
    assert split != ana
    cli("migrate", "run", str(both), "--full")
    assert golden_of(target, "event", "e1") == split and golden_of(target, "crm", "1") == ana


def test_record_argument_is_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["migrate", "unmerge", "g1", "crm", "--target", "x.db"])
    assert result.exit_code == 2 and "expected SOURCE:SOURCE_ID" in result.stderr


def test_keep_apart_appends_to_any_decisions_file(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "decisions.csv"
    keep_apart(fresh, ("crm", "1"), [("sheet", "7"), ("web", "a:b")])
    assert fresh.read_text(encoding="utf-8").splitlines() == [
        "source_a,source_id_a,source_b,source_id_b,decision",
        "crm,1,sheet,7,cannot-link",
        "crm,1,web,a:b,cannot-link",
    ]
    # a filled-in review file: extra columns left empty, no newline at the end
    review = tmp_path / "review.csv"
    review.write_text(
        "probability,source_a,source_id_a,source_b,source_id_b,decision\n0.9,crm,2,web,3,must-link",
        encoding="utf-8",
    )
    keep_apart(review, ("crm", "1"), [("sheet", "7")])
    assert review.read_text(encoding="utf-8").splitlines()[1:] == [
        "0.9,crm,2,web,3,must-link",
        ",crm,1,sheet,7,cannot-link",
    ]
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match="missing columns"):
        keep_apart(broken, ("crm", "1"), [("sheet", "7")])
    assert broken.read_text(encoding="utf-8") == "a,b\n1,2\n"
