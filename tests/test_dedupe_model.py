"""The saved match model: written, read back, deciding alike; stored per run in a target
(SQLite and PostgreSQL), reused by incremental runs unless relearned; refused when the
match rules changed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_load import read
from test_migrate import cli, project

from crmclean.api import dedupe_files, explain_golden_record
from crmclean.cli import main
from crmclean.dedupe.model import FORMAT, VERSION, MatchModel, model_of_json
from crmclean.errors import UserError
from crmclean.sources import SourceSpec

FAKE_1000 = Path(__file__).parent / "data" / "public" / "splink_fake_1000.csv"


def partition(crosswalk: pl.DataFrame) -> set[frozenset[str]]:
    """The clusters as sets of source ids (golden ids aside)."""
    groups = crosswalk.group_by("golden_id").agg("source_id")["source_id"].to_list()
    return {frozenset(group) for group in groups}


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    """The model learned on splink's fake 1000 (``unique_id`` as the id) and its crosswalk."""
    folder = tmp_path_factory.mktemp("model")
    source = folder / "people.csv"
    pl.read_csv(FAKE_1000, infer_schema=False).rename({"unique_id": "id"}).write_csv(source)
    model, crosswalk = folder / "model.json", folder / "crosswalk.csv"
    dedupe_files([SourceSpec(source)], crosswalk=crosswalk, save_model=model)
    return model, pl.read_csv(crosswalk, infer_schema=False)


def test_a_saved_model_is_a_versioned_file(learned: tuple[Path, pl.DataFrame]) -> None:
    data = json.loads(learned[0].read_text(encoding="utf-8"))
    matched = learned[1]["golden_id"].drop_nulls().len()  # the records that reached dedupe
    assert (data["format"], data["version"], data["records"]) == (FORMAT, 1, matched)
    assert set(data["u"]) == set(data["m"]) and data["tf"] and 0 < data["prior"] < 1
    assert len(data["model_id"]) == 12 and data["auto_merge_threshold"] > 0


def test_the_same_data_with_the_same_model_gives_the_same_clusters(
    learned: tuple[Path, pl.DataFrame], tmp_path: Path
) -> None:
    model, first = learned
    people = model.parent / "people.csv"
    shuffled = tmp_path / "people.csv"  # the same source name, its rows in another order
    pl.read_csv(people, infer_schema=False).sample(fraction=1.0, shuffle=True, seed=7).write_csv(
        shuffled
    )
    again = tmp_path / "again.csv"
    result = dedupe_files([SourceSpec(shuffled)], crosswalk=again, model=model)
    assert result.batch.model is not None
    assert result.batch.model.model_id == json.loads(model.read_text())["model_id"]
    assert partition(pl.read_csv(again, infer_schema=False)) == partition(first)


def test_a_model_of_other_rules_or_no_model_is_refused(
    learned: tuple[Path, pl.DataFrame], tmp_path: Path
) -> None:
    data = json.loads(learned[0].read_text(encoding="utf-8"))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**data, "rules_hash": "0" * 16}), encoding="utf-8")
    with pytest.raises(UserError, match="learned under other match rules"):
        dedupe_files([SourceSpec(FAKE_1000)], crosswalk=tmp_path / "c.csv", model=other)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(UserError, match="not a crmclean model file"):
        dedupe_files([SourceSpec(FAKE_1000)], crosswalk=tmp_path / "c.csv", model=broken)


def test_the_cli_saves_and_uses_a_model_and_explain_names_it(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text(
        "id,Nome,E-mail\n1,Ana Souza,ana@x.com.br\n2,ANA SOUZA,ana@x.com.br\n3,Rui Sá,r@y.com\n",
        encoding="utf-8",
    )
    model, walk = tmp_path / "m.json", tmp_path / "w.csv"
    runner = CliRunner()
    first = runner.invoke(
        main, ["dedupe", str(csv), "--crosswalk", str(walk), "--save-model", str(model)]
    )
    assert first.exit_code == 0, first.output
    again = runner.invoke(
        main, ["dedupe", str(csv), "--crosswalk", str(walk), "--model", str(model), "--json"]
    )
    model_id = json.loads(model.read_text())["model_id"]
    assert json.loads(again.stdout)["model"]["model_id"] == model_id
    golden = pl.read_csv(walk, infer_schema=False)["golden_id"][0]
    explained = explain_golden_record([SourceSpec(csv)], golden, model=model)
    assert explained.model is not None and explained.model["model_id"] == model_id
    shown = runner.invoke(main, ["dedupe", "explain", golden, str(csv), "--model", str(model)])
    assert f"Matched by model {model_id}" in shown.output


def test_incremental_runs_reuse_the_targets_model(target: str, tmp_path: Path) -> None:
    first = cli("migrate", "run", str(project(tmp_path, target, "crm.csv")))
    learned = first["model"]["model_id"]
    both = project(tmp_path, target, "crm.csv", "event.csv")
    second = cli("migrate", "run", str(both))
    assert second["model"]["model_id"] == learned
    rows = read(target, "select model_id, packed is null from models order by records, run_id")
    assert [row[0] for row in rows] == [learned, learned]
    assert sorted(bool(row[1]) for row in rows) == [False, True]  # stored once
    status = CliRunner().invoke(main, ["migrate", "status", "--project", str(both)])
    assert f"model {learned}: learned" in status.output
    runs = cli("migrate", "status", "--project", str(both))["runs"]
    assert [run["model"]["model_id"] for run in runs] == [learned, learned]


def test_changed_rules_need_relearn(target: str, tmp_path: Path) -> None:
    cli("migrate", "run", str(project(tmp_path, target, "crm.csv")))
    read(target, "select 1")  # the target exists
    import sqlalchemy as sa

    from crmclean.load.packed import packed, unpacked
    from crmclean.load.target import target_url

    engine = sa.create_engine(target_url(target))
    with engine.begin() as conn:
        conn.execute(sa.text("update models set rules_hash = 'other'"))
        blob = conn.execute(sa.text("select packed from models")).scalar()
        changed = packed(replace(unpacked(blob, "models"), rules_hash="other"))
        conn.execute(sa.text("update models set packed = :b"), {"b": changed})
    engine.dispose()
    both = project(tmp_path, target, "crm.csv", "event.csv")
    refused = CliRunner().invoke(main, ["migrate", "run", str(both)])
    assert refused.exit_code == 2 and "pass --relearn" in refused.output
    relearned = cli(
        "migrate", "run", str(both), "--relearn", "--save-model", str(tmp_path / "m.json")
    )
    saved = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert relearned["model"]["model_id"] == saved["model_id"] and saved["records"] == 5


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def test_the_json_is_every_field_as_dataclasses_would_give_it() -> None:
    """``as_dict`` (no deep copy of the frequency tables) is ``dataclasses.asdict``."""
    import dataclasses
    import json

    from crmclean.dedupe.model import MatchModel

    model = MatchModel(
        model_id="m", learned_at="2026-01-01", records=3, rules_hash="r",
        auto_merge_threshold=0.9, review_threshold=0.5, prior=0.01,
        u={"email": [0.9, 0.1]}, m={"email": [0.1, 0.9]}, tf={"email": {"a@b.co": 0.5}},
    )  # fmt: skip
    assert model.as_dict() == dataclasses.asdict(model)
    assert json.loads(model.to_json())["tf"] == {"email": {"a@b.co": 0.5}}


def test_the_model_id_hashes_the_frequency_tables_by_value_not_by_order() -> None:
    """The id of a model is the same whatever order its term-frequency tables come in, and
    changes with any value or frequency in them."""
    from crmclean.dedupe.model import MatchModel, _digest

    model = MatchModel(
        model_id="", learned_at="2026-01-01", records=3, rules_hash="r",
        auto_merge_threshold=0.9, review_threshold=0.5, prior=0.01,
        u={"email": [0.9, 0.1]}, m={"email": [0.1, 0.9]}, tf={},
    )  # fmt: skip
    table = pl.DataFrame({"value": ["a@b.co", "c@d.co", "ab"], "tf": [0.5, 0.25, 0.25]})
    same = _digest(model, {"email": table})
    assert _digest(model, {"email": table.reverse()}) == same
    assert len(same) == 12
    changed = table.with_columns(pl.Series("tf", [0.5, 0.25, 0.125]))
    assert _digest(model, {"email": changed}) != same
    split = pl.DataFrame({"value": ["a@b.coc", "@d.co", "ab"], "tf": [0.5, 0.25, 0.25]})
    assert _digest(model, {"email": split}) != same
    assert _digest(model, {"phone": table}) != same


def test_the_model_id_of_tables_with_prefixes_zeros_and_nulls_is_the_one_of_a_text_sort() -> None:
    """The id of tables sorted by their values' first 16 bytes as numbers first, values
    sharing them, ending in zero bytes, empty or null: that of the tables sorted by text
    (``sort("value")``, before)."""
    from crmclean.dedupe.model import MatchModel, _digest

    model = MatchModel(
        model_id="", learned_at="2026-01-01", records=3, rules_hash="r",
        auto_merge_threshold=0.9, review_threshold=0.5, prior=0.01,
        u={"email": [0.9, 0.1]}, m={"email": [0.1, 0.9]}, tf={},
    )  # fmt: skip
    values = ["a@b.co", "a@b.co\x00", "a", "a\x00b", "abcdefgh", "abcdefghi", "abcdefgh\x00"]
    values += ["abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnoo", "ção", "😀", "", None]
    table = pl.DataFrame({"value": values, "tf": [float(i) for i in range(len(values))]})
    assert _digest(model, {"email": table}) == "6d5e236da033"
    with patch("crmclean.dedupe.model.NUMBERED_SORT", 0):  # sorted by numbers first
        assert _digest(model, {"email": table}) == "6d5e236da033"


@settings(max_examples=300, deadline=None)
@given(st.sets(st.text(st.sampled_from("\x00ab\xe7\U0001f600"), max_size=20), max_size=30))
def test_values_in_order_by_their_first_bytes_as_by_their_text(values: set[str]) -> None:
    from crmclean.dedupe.model import _in_value_order

    table = pl.DataFrame(
        {"value": [*values, None], "tf": [float(i) for i in range(len(values) + 1)]}
    )
    table = table.sample(fraction=1.0, shuffle=True, seed=len(values))
    with patch("crmclean.dedupe.model.NUMBERED_SORT", 0):
        assert _in_value_order(table).equals(table.sort("value"))


def test_the_json_text_reads_back_as_python_would_write_it() -> None:
    values = ["a", 'quote"s', "back\\slash", "ção ünï", "ctrl\x01\n\t", "", "😀", "\u2028"]
    numbers = [0.5, 1e-5, 1 / 3, 2.5e-300, 0.1, 1.0, 123456.789, 0.0]
    tf = {"email": dict(zip(values, numbers, strict=True)), "phone": {}, 'x"y': {"k": 0.25}}
    model = MatchModel("id", "now", 3, "hash", 0.9, 0.5, 1e-4, {"a": [0.1]}, {"a": [0.3]}, tf)
    written = json.loads(model.to_json())
    assert written == json.loads(
        json.dumps({"format": FORMAT, "version": VERSION, **model.as_dict()})
    )
    assert model_of_json(model.to_json(), "model.json") == model


def test_a_learned_models_frequencies_read_as_the_saved_ones() -> None:
    """A learned model keeps each frequency table as a frame: it reads, compares and writes as
    the dict a saved model holds."""
    from crmclean.dedupe.model import Frequencies

    frame = pl.DataFrame({"value": ["a@b.co", "c@d.co"], "tf": [0.5, 0.25]})
    table = Frequencies(frame)
    assert table == {"a@b.co": 0.5, "c@d.co": 0.25} and table["c@d.co"] == 0.25
    assert list(table) == ["a@b.co", "c@d.co"] and len(table) == 2
    head = ("m", "now", 3, "r", 0.9, 0.5, 0.01, {"email": [0.9, 0.1]}, {"email": [0.1, 0.9]})
    learned = MatchModel(*head, {"email": table, "phone": Frequencies(frame.clear())})
    saved = MatchModel(*head, {"email": dict(table), "phone": {}})
    assert learned == saved and learned.to_json() == saved.to_json()
    assert model_of_json(learned.to_json(), "model.json") == learned


def test_the_learned_model_is_built_on_a_thread_and_given_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``model_of`` builds the learned model on a thread of its own (its id's hashing runs
    beside the cluster check) and gives that model; a saved model is given as it is, and none
    when no one reads it."""
    import threading

    from crmclean.dedupe.matching import DedupeOptions, model_of

    built: list[str] = []

    def learned(params: object, table: object, config: object) -> str:
        built.append(threading.current_thread().name)
        return f"model of {params}, {table}, {config}"

    monkeypatch.setattr(MatchModel, "learned", staticmethod(learned))
    scorer = type("Scorer", (), {"params": "p", "table": "t"})()
    give = model_of(scorer, "c", DedupeOptions())  # type: ignore[arg-type]
    assert give() == "model of p, t, c" and give() == "model of p, t, c"
    assert len(built) == 1 and built[0].startswith("crmclean-model")
    saved = MatchModel(*("m", "now", 3, "r", 0.9, 0.5, 0.01, {}, {}, {}))
    assert model_of(scorer, "c", DedupeOptions(model=saved))() is saved  # type: ignore[arg-type]
    assert model_of(scorer, "c", DedupeOptions(learned_model=False))() is None  # type: ignore[arg-type]
    assert len(built) == 1
