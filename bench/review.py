"""Review page speed: with 10,000+ pairs in the review band, how long the first pair takes
and each answer (appended and synced to the decisions file) until the next pair is ready,
measured through HTTP against the real server.

The band is widened on outside data (contacts_100k.parquet, see ../shared/data/public) by a
rules folder whose match.yaml lowers ``review_threshold`` and by ``--threshold``. Heavy: run
it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/review.py --rows 100000
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import polars as pl

from crmclean.review import open_review
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "public" / "contacts_100k.parquet"
if not DATA.exists():
    DATA = Path("/work/shared/data/public/contacts_100k.parquet")


def _rules(folder: Path, review_threshold: float) -> Rules:
    text = (ROOT / "rules" / "match.yaml").read_text(encoding="utf-8")
    text = text.replace("review_threshold: 0.5", f"review_threshold: {review_threshold}")
    (folder / "match.yaml").write_text(text, encoding="utf-8")
    return Rules(directory=folder)


def _call(url: str, token: str, path: str, body: dict | None = None) -> tuple[float, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method="POST" if data else "GET")
    request.add_header("X-Review-Token", token)
    request.add_header("Content-Type", "application/json")
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        document = json.load(response)
    return time.perf_counter() - start, document


def _figures(times: list[float]) -> str:
    cut = sorted(times)
    return (
        f"{len(cut)} answers: median {statistics.median(cut) * 1000:.0f} ms, "
        f"p95 {cut[int(len(cut) * 0.95)] * 1000:.0f} ms, max {cut[-1] * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--review-threshold", type=float, default=0.0001)
    parser.add_argument("--threshold", type=float, default=0.9999)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = folder / "contacts.parquet"
        pl.read_parquet(DATA).head(args.rows).write_parquet(source)
        (folder / "rules").mkdir()
        rules = _rules(folder / "rules", args.review_threshold)
        start = time.perf_counter()
        server = open_review(
            [SourceSpec(source)], rules, folder / "decisions.csv", threshold=args.threshold
        )
        built = time.perf_counter() - start
        serving = threading.Thread(target=server.run, daemon=True)
        serving.start()
        base, token = server.url.split("/?token=")
        first, state = _call(base, token, "/api/state")
        print(f"records {args.rows:,}; pairs in the review band: {state['total']:,}")
        print(f"dedupe run + session (once, before the URL): {built:.1f} s")
        print(f"first pair: {first * 1000:.0f} ms")
        answers: list[float] = []
        learning: list[float] = []
        for index in range(args.answers):
            kind = ("same", "different", "unsure", "skip")[index % 4]
            body = {"key": state["pair"]["key"], "answer": kind}
            took, state = _call(base, token, "/api/answer", body)
            (learning if state["learning"]["running"] else answers).append(took)
        undo = [_call(base, token, "/api/undo", {})[0] for _ in range(20)]
        print(f"answer -> next pair, {_figures(answers)}")
        if learning:
            print(f"answer -> next pair while re-learning in the background, {_figures(learning)}")
        print(f"undo: median {statistics.median(undo) * 1000:.0f} ms")
        print(f"re-learned: {'after' in state['learning']}")
        server.stop()
        serving.join()  # the session stops its re-learning worker and removes its snapshot


if __name__ == "__main__":
    main()
