"""The HTML audit report in real headless Chromium, driven over the DevTools protocol:
it renders with no console errors and no network requests, its charts are present, and a
full-page screenshot lands in the test's temp folder."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from crmclean.audit import audit
from crmclean.demo import generate_demo
from crmclean.report.html import write_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    "--window-size=1200,900",
]


class DevTools:
    """One page of a headless Chromium, with every protocol event it sent kept in ``events``."""

    def __init__(self, socket_url: str) -> None:
        self.socket = websocket.create_connection(socket_url, timeout=30)
        self.events: list[dict[str, Any]] = []
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            assert time.monotonic() < deadline, f"no {method} within {timeout}s"
            self.events.append(json.loads(self.socket.recv()))


def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not marker.exists() or not marker.read_text().strip():
        assert process.poll() is None, "chromium exited at start"
        assert time.monotonic() < deadline, "chromium did not open its DevTools port"
        time.sleep(0.1)
    return int(marker.read_text().split()[0])


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    profile = tmp_path / "profile"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = _devtools_port(profile, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        tools = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield tools
        tools.socket.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def report_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real audit of the demo case, run twice with history so the trend has two points."""
    base = tmp_path_factory.mktemp("html")
    case = generate_demo(base / "demo", people=150)
    history = base / "history"
    audit(case.sources, history=history, mask_pii=True)
    return audit(case.sources, history=history, mask_pii=True).to_dict()


def _open(browser: DevTools, page: Path) -> None:
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=page.as_uri())
    browser.wait_for("Page.loadEventFired")


def _evaluate(browser: DevTools, expression: str) -> Any:
    return browser.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"][
        "value"
    ]


def _screenshot(browser: DevTools, path: Path) -> None:
    size = browser.call("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = browser.call(
        "Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def page_problems(browser: DevTools) -> list[dict[str, Any]]:
    """Script exceptions, console calls and error log entries the page raised."""
    return [
        e
        for e in browser.events
        if e.get("method") in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]


def requested_urls(browser: DevTools) -> list[str]:
    """Every URL the page asked for."""
    return [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]


def test_report_renders_offline_without_errors(
    browser: DevTools, report_doc: dict[str, Any], tmp_path: Path
) -> None:
    page = write_html(report_doc, tmp_path / "audit.html")
    _open(browser, page)
    counts = _evaluate(
        browser,
        "({charts: document.querySelectorAll('svg.chart').length,"
        " ring: document.querySelectorAll('svg.ring').length,"
        " trendLines: document.querySelectorAll('svg.trend polyline').length,"
        " bars: document.querySelectorAll('svg.bars rect').length,"
        " cards: document.querySelectorAll('.card').length,"
        " findings: document.querySelectorAll('table.findings tbody tr').length,"
        " clusters: document.querySelectorAll('.cluster').length,"
        " title: document.querySelector('h1').textContent})",
    )
    assert counts["title"] == "Customer data health audit"
    assert counts["ring"] == 1 and counts["charts"] == 3
    assert counts["trendLines"] == 7  # overall + six dimensions, over two audits
    assert counts["bars"] >= 2 * len(report_doc["fields"])
    assert counts["cards"] == 6
    assert counts["findings"] == len(report_doc["findings"])
    assert counts["clusters"] >= 1
    assert page_problems(browser) == []
    assert requested_urls(browser) == [page.as_uri()]
    shot = tmp_path / "audit.png"
    _screenshot(browser, shot)
    assert shot.stat().st_size > 50_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
