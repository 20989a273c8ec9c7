"""The match model in the target's ``models`` table: packed (a Parquet table of its term
frequencies, the rest as JSON in its metadata) reads back as the same model; a target whose
models are JSON text (before ``packed``) still gives its model, and its next load adds the
column."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from test_load import read
from test_migrate import cli, project

from crmclean.dedupe.model import Frequencies, MatchModel
from crmclean.errors import UserError
from crmclean.load.models import stored_model
from crmclean.load.packed import packed, unpacked
from crmclean.load.schema import build_tables
from crmclean.load.target import target_url
from crmclean.rules import Rules

HEAD = ("m", "now", 3, "hash", 0.9, 0.5, 1e-4, {"a": [0.1, 0.9]}, {"a": [0.3, 0.7]})


def test_a_packed_model_reads_back_as_the_same_model() -> None:
    values = ["a", 'quote"s', "back\\slash", "ção ünï", "ctrl\x01\n\t", "", "😀", "\u2028"]
    numbers = [0.5, 1e-5, 1 / 3, 2.5e-300, 0.1, 1.0, 123456.789, 0.0]
    tf = {"email": dict(zip(values, numbers, strict=True)), "phone": {}, 'x"y': {"k": 0.25}}
    model = MatchModel(*HEAD, tf)
    back = unpacked(packed(model), "models")
    assert back == model and list(back.tf) == ["email", "phone", 'x"y']
    assert list(back.tf["email"]) == values  # each table in its order
    assert back.to_json() == model.to_json()
    empty = MatchModel(*HEAD, {})
    assert unpacked(packed(empty), "models") == empty


def test_a_learned_models_frames_pack_bit_for_bit() -> None:
    frame = pl.DataFrame({"value": ["b", "a", "c"], "tf": [0.1 + 0.2, 1e-300, 5e-8]})
    model = MatchModel(*HEAD, {"name": Frequencies(frame)})
    back = unpacked(packed(model), "models").tf["name"]
    assert isinstance(back, Frequencies) and back.frame.equals(frame)


def test_a_damaged_packed_model_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="damaged packed model"):
        unpacked(b"not parquet", "models table, model m")
    blob = packed(MatchModel(*HEAD, {}))
    with pytest.raises(UserError, match="damaged packed model"):
        unpacked(blob[: len(blob) // 2], "models table, model m")


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue(f"{request.param}_url")


def test_a_target_of_json_models_still_gives_its_model(target: str, tmp_path: Path) -> None:
    """A target written before ``packed``: its model as JSON text in ``body`` and no
    ``packed`` column. The model reads back the same; the next load reuses it and adds the
    column (its own rows hold no new model: that one is stored)."""
    first = cli("migrate", "run", str(project(tmp_path, target, "crm.csv")))
    tables = build_tables(Rules().model.names)
    model = stored_model(target, tables)
    assert model is not None and model.model_id == first["model"]["model_id"]
    engine = sa.create_engine(target_url(target))
    with engine.begin() as conn:
        conn.execute(sa.text("update models set body = :b"), {"b": model.to_json()})
        conn.execute(sa.text("alter table models drop column packed"))
    engine.dispose()
    assert stored_model(target, tables) == model
    second = cli("migrate", "run", str(project(tmp_path, target, "crm.csv", "event.csv")))
    assert second["model"]["model_id"] == model.model_id
    rows = read(
        target,
        "select m.body is null, m.packed is null from models m"
        " join runs r on r.run_id = m.run_id order by r.sequence",
    )
    assert [tuple(map(bool, row)) for row in rows] == [(False, True), (True, True)]
    assert stored_model(target, tables) == model
