"""The review page in real headless Chromium (the DevTools driver of the HTML report tests):
answer pairs with the keyboard, undo one, split a cluster member, reload, then check the
decisions file and the next run's crosswalk; no token, no page; a script in a name is text.

Screenshots of each view land in the test's temp folder (and in $CRMCLEAN_SCREENSHOTS when
set)."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import test_report_html_browser as devtools
from test_report_html_browser import DevTools, _evaluate, _screenshot

from crmclean.api import dedupe_files
from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.demo import generate_demo
from crmclean.review import ReviewServer, open_review
from crmclean.review.relearn import due
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

CRM = """id,first_name,last_name,email,city,company
1,Ieda,Zanetti,,Recife,Acme <script>alert(1)</script>
2,Otavio,Brandao,,Natal,
3,Ana,Costa,ana.costa@acme.com.br,São Paulo,Acme
4,Lia,Queiroz,,Belem,
5,Rui,Valadares,,Manaus,
"""
PLANILHA = """id,first_name,last_name,email,city,postal_code
10,Ieda,Zanetti,,Recife,50000-000
11,Otávio,Brandão,,Natal,
12,Ana,Costa,ana.costa@acme.com.br,Campinas,
13,Lia,Queiroz,,Belém,
14,Ana,Costa,ana.costa@acme.com.br,,
15,Rui,Valadares,,Manaus,
"""
ROOT = Path(__file__).resolve().parent.parent
KEYS = {"ArrowRight": 39, "ArrowLeft": 37}
chromium = devtools.browser  # the HTML report tests' browser fixture
ROWS = "[...document.querySelectorAll('ROWS tbody tr')]"
# Per edge label: how far (px) the nearest corner of its box is from its own line, less half the
# line's width, negative when the line runs under the text; labels follow lines in edge order.
CLEARANCE = """[...document.querySelectorAll('svg.graph text.edge-label')].map((label, i) => {
  const line = document.querySelectorAll('svg.graph line')[i];
  const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((k) => Number(line.getAttribute(k)));
  const box = label.getBBox(), length = Math.hypot(x2 - x1, y2 - y1);
  const corners = [[box.x, box.y], [box.x + box.width, box.y], [box.x, box.y + box.height],
    [box.x + box.width, box.y + box.height]];
  const side = corners.map(([x, y]) => ((x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)) / length);
  const apart = side.every((d) => d > 0) || side.every((d) => d < 0);
  const near = Math.min(...side.map(Math.abs)) * (apart ? 1 : -1);
  return near - Number(line.getAttribute('stroke-width')) / 2;
})"""


@pytest.fixture
def sources(tmp_path: Path) -> list[SourceSpec]:
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    (tmp_path / "planilha.csv").write_text(PLANILHA, encoding="utf-8")
    return [SourceSpec(tmp_path / "crm.csv"), SourceSpec(tmp_path / "planilha.csv")]


@pytest.fixture
def server(sources: list[SourceSpec], tmp_path: Path) -> Iterator[ReviewServer]:
    running = open_review(sources, Rules(), tmp_path / "decisions.csv", who="tester")
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.server.started:
        assert time.monotonic() < deadline, "the review server did not start"
        time.sleep(0.05)
    yield running
    running.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait(browser: DevTools, expression: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := _evaluate(browser, expression)):
        assert time.monotonic() < deadline, f"never true: {expression}"
        time.sleep(0.05)
    return value


def _press(browser: DevTools, key: str) -> None:
    code = KEYS[key] if key in KEYS else ord(key.upper())
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key=key, windowsVirtualKeyCode=code)


def _answered(browser: DevTools, count: int) -> None:
    _wait(browser, f"document.getElementById('progress').textContent.startsWith('{count} of 4')")


def _shot(browser: DevTools, path: Path) -> None:
    _screenshot(browser, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if folder := os.environ.get("CRMCLEAN_SCREENSHOTS"):
        shutil.copy(path, Path(folder) / path.name)


def _pair(browser: DevTools) -> str:
    return _evaluate(browser, "document.querySelector('.fields thead').textContent")


def test_a_request_without_the_token_is_refused(server: ReviewServer) -> None:
    base = server.url.split("?")[0]
    assert _status(server.url) == 200
    assert _status(base) == 403
    assert _status(base + "api/state") == 403
    assert _status(base + "api/state?token=wrong") == 403
    assert _status(base + "static/review.js") == 403


def test_review_by_keyboard_undo_split_reload_and_the_next_run(
    chromium: DevTools,
    server: ReviewServer,
    sources: list[SourceSpec],
    tmp_path: Path,
) -> None:
    browser = chromium
    for domain in ("Page", "Runtime", "Network"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=server.url)
    _wait(browser, "document.querySelectorAll('.fields tbody tr').length > 0")
    assert "crm:1" in _pair(browser) and "planilha:10" in _pair(browser)
    company = ROWS.replace("ROWS", ".fields") + ".find(r => r.textContent.startsWith('company'))"
    shown = _evaluate(browser, f"{company}.children[1].textContent")
    assert shown == "Acme <script>alert(1)</script>"
    assert _evaluate(browser, "document.scripts.length") == 1  # the page's own script only
    assert _evaluate(browser, "document.querySelectorAll('#preview tr').length") > 3
    assert _evaluate(browser, "document.querySelectorAll('.fields mark').length") > 0
    assert re.search(r"merge at \d+(\.\d+)?%", _evaluate(browser, "pair.textContent"))
    shown = {  # never 100% (or 0%) for a share that is not
        "percent(0.9999, decimals(99.99, 2))": "99.99%",
        "percent(0.95, decimals(95, 2))": "95%",
        "percent(0.99999, decimals(99.999, 2))": "99.999%",
        "percent(0.99996, 1)": "99.996%",
        "percent(1, 1)": "100.0%",
        "percent(0.00001, 1)": "0.001%",
        "percent(0, 1)": "0.0%",
        "edgeLabel(0.996)": ">0.99",
        "edgeLabel(1)": "1.00",
        "edgeLabel(0.004)": "<0.01",
        "edgeLabel(0.5)": "0.50",
    }
    assert {js: _evaluate(browser, js) for js in shown} == shown
    _shot(browser, tmp_path / "review-pair.png")

    _press(browser, "y")  # crm:1 ~ planilha:10 same
    _answered(browser, 1)
    _press(browser, "n")  # crm:2 ~ planilha:11 different
    _answered(browser, 2)
    _press(browser, "u")
    _answered(browser, 3)
    _press(browser, "z")  # take the unsure back
    _answered(browser, 2)
    assert "crm:4" in _pair(browser)
    _press(browser, "ArrowRight")
    _wait(browser, "document.querySelector('.fields thead').textContent.includes('crm:5')")
    _press(browser, "ArrowLeft")
    _wait(browser, "document.querySelector('.fields thead').textContent.includes('crm:4')")

    _press(browser, "b")
    _wait(browser, "getComputedStyle(document.querySelector('.probability')).display === 'none'")
    _shot(browser, tmp_path / "review-pair-blind.png")
    _press(browser, "b")

    _evaluate(browser, "openCluster(document.querySelector('.clusters a').textContent) && true")
    _wait(browser, "document.querySelectorAll('.members tbody tr').length === 1")
    golden_id = _cluster_of(sources, tmp_path, "3")  # as `crmclean dedupe` names it
    _evaluate(browser, "document.getElementById('tab-cluster').click() ?? true")
    largest = "document.getElementById('cluster-form').elements.largest"
    _wait(browser, f"{largest}.options.length === 2")
    assert _evaluate(browser, f"{largest}.options[1].textContent") == f"{golden_id} (3)"
    pick = f"{largest}.value = '{golden_id}'; {largest}.dispatchEvent(new Event('change'))"
    _evaluate(browser, pick)
    _wait(browser, "document.querySelectorAll('.members tbody tr').length === 3")
    assert _evaluate(browser, "document.querySelectorAll('svg.graph line').length") == 3
    clearances = _evaluate(browser, CLEARANCE)
    assert len(clearances) == 3 and min(clearances) >= 2, clearances  # no label on its line
    texts = "[...document.querySelectorAll('svg.graph .edge-label')].map(t => t.firstChild.data)"
    assert all(re.fullmatch(r"[01]\.\d\d|>0\.99|<0\.01", t) for t in _evaluate(browser, texts))
    halo = "getComputedStyle(document.querySelector('svg.graph .edge-label'))"
    assert _evaluate(browser, f"{halo}.paintOrder").startswith("stroke")
    assert _evaluate(browser, f"{halo}.stroke") == "rgb(255, 255, 255)"
    last = "document.querySelector('svg.graph').lastElementChild.getAttribute('class')"
    assert _evaluate(browser, last) == "edge-label"  # labels on top of lines and nodes
    _shot(browser, tmp_path / "review-cluster.png")
    member = ROWS.replace("ROWS", ".members") + ".find(r => r.textContent.includes('planilha:14'))"
    _evaluate(browser, f"{member}.querySelector('button').click() ?? true")
    _wait(browser, "document.querySelector('#cluster .note') !== null")
    assert _evaluate(browser, "document.querySelectorAll('.members tbody tr').length") == 2
    _shot(browser, tmp_path / "review-cluster-split.png")

    browser.call("Page.reload")
    _wait(browser, "document.querySelectorAll('.fields tbody tr').length > 0")
    _answered(browser, 2)
    assert "crm:4" in _pair(browser)  # the first open pair, where the session stopped
    dialogs = [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert dialogs == [] and all(url.startswith(server.url.split("?")[0]) for url in requests)

    decisions = pl.read_csv(tmp_path / "decisions.csv", infer_schema=False)
    assert decisions.select("source_id_a", "source_id_b", "decision", "answer", "who").rows() == [
        ("1", "10", "must-link", "same", "tester"),
        ("2", "11", "cannot-link", "different", "tester"),
        ("14", "3", "cannot-link", "split", "tester"),
        ("14", "12", "cannot-link", "split", "tester"),
    ]
    crosswalk = _next_run(sources, tmp_path)
    assert crosswalk["crm:1"] == crosswalk["planilha:10"]
    assert crosswalk["crm:2"] != crosswalk["planilha:11"]
    assert crosswalk["crm:3"] == crosswalk["planilha:12"] != crosswalk["planilha:14"]


def _next_run(sources: list[SourceSpec], tmp_path: Path) -> dict[str, str]:
    """The crosswalk of the next dedupe run with the decisions file: record -> golden id."""
    out = tmp_path / "crosswalk.csv"
    result = dedupe_files(sources, crosswalk=out, decisions=tmp_path / "decisions.csv")
    assert result.batch.stats["dedupe"]["review_pairs"] == 2  # answered pairs never come back
    table = pl.read_csv(out, infer_schema=False)
    return {f"{s}:{i}": g for s, i, g in table.iter_rows()}


def _cluster_of(sources: list[SourceSpec], tmp_path: Path, crm_id: str) -> str:
    out = tmp_path / "before.csv"
    dedupe_files(sources, crosswalk=out)
    table = pl.read_csv(out, infer_schema=False)
    return table.filter((pl.col("source") == "crm") & (pl.col("source_id") == crm_id))["golden_id"][
        0
    ]


def test_the_page_shows_how_precision_and_recall_moved_after_re_learning(
    chromium: DevTools, tmp_path: Path
) -> None:
    """The demo with a wide review band: answers as the truth has them (all but the last
    through the session, the one that makes re-learning due with the keyboard), then the
    page shows precision and recall before and after."""
    case = generate_demo(tmp_path / "demo", people=200)
    (tmp_path / "rules").mkdir()
    text = (ROOT / "rules" / "match.yaml").read_text(encoding="utf-8")
    text = text.replace("review_threshold: 0.5", "review_threshold: 0.0001")
    (tmp_path / "rules" / "match.yaml").write_text(text, encoding="utf-8")
    sources = [SourceSpec(path) for path in case.sources]
    rules = Rules(directory=tmp_path / "rules")
    running = open_review(sources, rules, tmp_path / "decisions.csv", threshold=0.9999)
    session = running.session
    truth = pl.read_csv(tmp_path / "demo" / "truth.csv", infer_schema=False)
    truth = truth.rename({"source": SOURCE, "source_id": SOURCE_ID})
    records = session.run.frame.select(SOURCE, SOURCE_ID)
    person = records.join(truth, on=[SOURCE, SOURCE_ID], how="left")["person_id"].to_list()

    def answer() -> tuple[tuple[int, int], str]:
        key = session.state()["pair"]["key"]
        left, right = (int(side) for side in key.split("-"))
        return (left, right), "same" if person[left] == person[right] else "different"

    while True:
        pair, kind = answer()
        after = dict(session.learner.answered, **{kind: session.learner.answered[kind] + 1})
        if due(after, session.learner.learned_at):
            break
        session.answer(pair, kind)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        browser = chromium
        browser.call("Page.enable")
        browser.call("Runtime.enable")
        browser.call("Page.navigate", url=running.url)
        _wait(browser, "document.querySelectorAll('.fields tbody tr').length > 0")
        assert "re-learns at 20 each way" in _evaluate(browser, "learning.textContent")
        assert "(merge at 99.99%," in _evaluate(browser, "pair.textContent")
        _press(browser, "y" if kind == "same" else "n")
        moved = _wait(
            browser, "(document.querySelector('#learning .moved') || {}).textContent || ''", 180
        )
        assert "_" not in moved, moved  # words, not key names
        measures = "[...document.querySelectorAll('#learning .measure')].map(m => m.textContent)"
        words = ("precision", "recall", "estimated precision", "estimated recall")
        for name, text in zip(words, _evaluate(browser, measures), strict=True):
            assert re.fullmatch(rf"{name} (?:[0-9.]+%|n/a) → [0-9.]+%", text), moved
        assert "; at the merge threshold estimated precision" in moved, moved
        assert session.learning["after"]["recall"] is not None
        progress = _evaluate(browser, "document.getElementById('progress').textContent")
        answered, total = (int(n) for n in re.findall(r"\d+", progress)[:2])
        assert answered == sum(session.learner.answered.values()) <= total, progress
        _shot(browser, tmp_path / "review-relearned.png")
    finally:
        running.stop()
        thread.join(timeout=30)
