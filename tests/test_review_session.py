"""The review session behind the page: queue order and filters, answers on disk, unsure and
skip, undo, a restarted session, and re-learning ``m`` from the answers."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from test_review_browser import CRM, PLANILHA

from crmclean.api import dedupe_files
from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.demo import generate_demo
from crmclean.review.preview import survivors
from crmclean.review.queue import Filters
from crmclean.review.relearn import MIN_EACH
from crmclean.review.run import review_run
from crmclean.review.session import AHEAD, Session
from crmclean.review.store import DecisionStore
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

ROOT = Path(__file__).resolve().parent.parent


def _session(tmp_path: Path, who: str = "ana") -> Session:
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    (tmp_path / "planilha.csv").write_text(PLANILHA, encoding="utf-8")
    sources = [SourceSpec(tmp_path / "crm.csv"), SourceSpec(tmp_path / "planilha.csv")]
    decisions = tmp_path / "decisions.csv"
    run = review_run(sources, Rules(), decisions)
    return Session(run, DecisionStore(decisions, who))


def _shown(session: Session) -> str:
    pair = session.state()["pair"]
    return f"{pair['a']['_source_id']}~{pair['b']['_source_id']}"


def _key(session: Session) -> tuple[int, int]:
    left, right = session.state()["pair"]["key"].split("-")
    return int(left), int(right)


def test_the_queue_filters_and_explains(tmp_path: Path) -> None:
    session = _session(tmp_path)
    state = session.state()
    assert (state["total"], state["position"], _shown(session)) == (4, 1, "1~10")
    assert state["choices"]["sources"] == [{"value": "crm ~ planilha", "count": 4}]
    name_parts = {"name", "name_order", "first_name", "last_name"}
    assert {c["value"] for c in state["choices"]["reason"]} <= name_parts
    bits = {row["name"]: row for row in state["pair"]["contributions"]}
    assert bits["name"]["bits"] > 0 and bits["name"]["tf_bits"] is not None
    assert bits["email"]["sim"] is None and bits["email"]["bits"] == 0
    session.set_filters(Filters(band="0.0-0.1"))
    assert session.state()["pair"] is None and session.state()["in_queue"] == 0
    session.set_filters(Filters(sources="crm ~ planilha"))
    assert session.state()["in_queue"] == 4


def test_the_preview_follows_survivorship_and_the_picks(tmp_path: Path) -> None:
    session = _session(tmp_path)
    key = _key(session)
    preview = {row["field"]: row for row in session.preview(key, {})}
    assert preview["postal_code"]["value"] == "50000-000" and preview["postal_code"]["from"] == "b"
    picked = {row["field"]: row for row in session.preview(key, {"company": "b"})}
    assert picked["company"]["value"] is None and picked["company"]["picked"] == "b"


def test_answers_skip_unsure_undo_and_a_restart(tmp_path: Path) -> None:
    session = _session(tmp_path)
    session.answer(_key(session), "same", {"postal_code": "b"})
    session.answer(_key(session), "skip")
    session.answer(_key(session), "unsure")
    assert _shown(session) == "5~15"
    session.answer(_key(session), "different")
    session.undo()  # the cannot-link goes
    assert _shown(session) == "5~15" and session.state()["answered"] == 2
    table = pl.read_csv(tmp_path / "decisions.csv", infer_schema=False)
    assert table.select("source_id_a", "source_id_b", "answer", "field", "pick").rows() == [
        ("1", "10", "same", None, None),
        ("1", "10", "override", "postal_code", "planilha:10"),
        ("4", "13", "unsure", None, None),
    ]
    session.move(-1)  # back to the unsure pair: a new answer replaces it, undo restores it
    session.answer((3, 8), "different")
    assert session.learner.answered == {"same": 1, "different": 1}
    session.undo()
    assert session.status[(3, 8)] == "unsure" and session.learner.answered["different"] == 0
    again = _session(tmp_path, who="bia")  # the must-link left the band, unsure is not asked
    assert again.state()["total"] == 3 and again.state()["answered"] == 1
    assert _shown(again) == "2~11"


def _demo_session(tmp_path: Path) -> tuple[Session, dict[int, str]]:
    """The demo sources with a wide review band (false pairs too), and each record's person."""
    case = generate_demo(tmp_path / "demo", people=300)
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    text = (ROOT / "rules" / "match.yaml").read_text(encoding="utf-8")
    text = text.replace("review_threshold: 0.5", "review_threshold: 0.0001")
    (rules_dir / "match.yaml").write_text(text, encoding="utf-8")
    sources = [SourceSpec(path) for path in case.sources]
    decisions = tmp_path / "decisions.csv"
    run = review_run(sources, Rules(directory=rules_dir), decisions, threshold=0.9999)
    truth = pl.read_csv(tmp_path / "demo" / "truth.csv", infer_schema=False)
    truth = truth.rename({"source": SOURCE, "source_id": SOURCE_ID})
    people = run.frame.select(SOURCE, SOURCE_ID).join(truth, on=[SOURCE, SOURCE_ID], how="left")
    return Session(run, DecisionStore(decisions, "ana")), dict(enumerate(people["person_id"]))


def test_enough_answers_each_way_re_learn_and_re_rank(tmp_path: Path) -> None:
    session, person = _demo_session(tmp_path)
    before = session.run.pairs
    while min(session.learner.answered.values()) < MIN_EACH:
        left, right = _key(session)
        session.answer((left, right), "same" if person[left] == person[right] else "different")
    deadline = time.monotonic() + 60
    while session.learning["running"] or "after" not in session.learning:
        assert time.monotonic() < deadline, "re-learning did not finish"
        time.sleep(0.1)
    report = session.learning
    assert report["labelled"]["same"] >= MIN_EACH and report["labelled"]["different"] >= MIN_EACH
    for when in ("before", "after"):
        assert all(0.0 <= value <= 1.0 for value in report[when].values() if value is not None)
    assert report["after"]["recall"] is not None
    assert session.run.pairs is not before
    assert not session.run.pairs["probability"].equals(before["probability"])
    answered = {key for key, kind in session.status.items() if kind in ("same", "different")}
    assert answered.isdisjoint(session.order)  # decided pairs left the re-ranked queue


def test_previews_merged_together_are_each_pair_merged_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _ = _demo_session(tmp_path)
    run = session.run
    pairs = session.order[:40]
    together = survivors(run.frame, pairs, run.fields, run.config, run.findings)
    alone = {}
    for pair in pairs:
        alone |= survivors(run.frame, [pair], run.fields, run.config, run.findings)
    assert len(pairs) == 40 and together == alone
    assert len(session.order) > 2 * AHEAD + AHEAD // 2  # pairs enough to prefetch past skips
    shown = session.state()["pair"]
    assert shown is not None and len(session.survived) == AHEAD  # the next pairs' too
    assert session.preview(pairs[0], {}) == shown["preview"]
    for _ in range(AHEAD // 2 + 1):
        session.answer(_key(session), "skip")
    session.prefetch()  # fewer than half of the pairs ahead were ready
    assert len(session.survived) > AHEAD  # merged before they are shown
    monkeypatch.setattr("crmclean.review.session.KEPT", AHEAD)
    session._merge(pairs[:5])  # past KEPT, the older previews go
    assert set(session.survived) == set(pairs[:5])


@pytest.mark.parametrize("kind", ["same", "different"])
def test_every_answer_is_on_disk_before_the_next_pair(tmp_path: Path, kind: str) -> None:
    session = _session(tmp_path)
    session.answer(_key(session), kind)
    written = (tmp_path / "decisions.csv").read_text(encoding="utf-8")
    assert written.count("\n") == 2 and f",{kind}," in written


@pytest.mark.parametrize(("side", "expected"), [("a", "Otavio"), ("b", "Otávio")])
def test_a_field_pick_overrides_survivorship_in_the_next_run(
    tmp_path: Path, side: str, expected: str
) -> None:
    session = _session(tmp_path)
    session.answer(_key(session), "skip")
    assert _shown(session) == "2~11"
    session.answer(_key(session), "same", {"first_name": side, "last_name": side})
    golden = tmp_path / "golden.csv"
    sources = [SourceSpec(tmp_path / "crm.csv"), SourceSpec(tmp_path / "planilha.csv")]
    dedupe_files(
        sources, crosswalk=tmp_path / "c.csv", golden=golden, decisions=tmp_path / "decisions.csv"
    )
    merged = pl.read_csv(golden, infer_schema=False).filter(pl.col("source_count") == "2")
    names = merged.filter(pl.col("first_name").str.starts_with("Ot"))
    assert names.select("first_name", "last_name").rows() == [
        (expected, "Brandao" if side == "a" else "Brandão")
    ]
