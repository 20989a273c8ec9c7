"""Reviewing uncertain matches in the browser: ``crmclean review``.

    review_run (the dedupe run, decisions applied) -> Session (queue, answers, undo, re-learn)
        -> ClusterView (members, pair graph, split) -> app (Starlette, token) -> server

Answers go to the project's decisions file (:mod:`crmclean.review.store`) before the next pair
shows; the next ``dedupe`` or ``migrate`` run applies them. See ``docs/review.md``.
"""

from __future__ import annotations

from getpass import getuser
from pathlib import Path

from crmclean.review.clusters import ClusterView
from crmclean.review.run import ReviewRun, review_run
from crmclean.review.server import ReviewServer, review_server
from crmclean.review.session import Session
from crmclean.review.store import DecisionStore
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

__all__ = ["ReviewRun", "ReviewServer", "Session", "open_review"]


def open_review(
    sources: list[SourceSpec],
    rules: Rules,
    decisions: Path,
    *,
    threshold: float | None = None,
    training_pairs: Path | None = None,
    target: str | None = None,
    who: str | None = None,
    port: int = 0,
) -> ReviewServer:
    """Run the dedupe stage over ``sources`` (``m`` learned from ``training_pairs`` when
    given) and build the review server (not started): answers go to ``decisions`` as
    ``who``; splits also unmerge in ``target``."""
    run = review_run(sources, rules, decisions, threshold, training_pairs)
    store = DecisionStore(decisions, who or getuser())
    session = Session(run, store)
    return review_server(session, ClusterView(run, store, target), port)
