"""Re-learning from the reviewer's answers: once the decisions file holds ``MIN_EACH``
answers each way (and again each time the answers grew by half), ``m`` is learned from the labelled
pairs (:func:`crmclean.dedupe.find_matches` with them, the ``--training-pairs`` path), the
pairs are scored again, decisions re-applied, and the queue re-ranked.

The work runs in a worker process of its own (:class:`Worker`), at the lowest priority and
with one polars thread, on a snapshot of the run: answers given meanwhile never wait for it (a
thread would share the interpreter and the thread pool); the re-ranked queue is built before
the session's lock is taken, and only swapped in under it.

How well the model does is measured twice, before and after: on the labelled pairs
(precision and recall against the answers of "probability at least one half") and as the
model expects it from its own probabilities (expected precision: the mean probability of the
pairs it merges; expected recall: their share of the probability mass of every candidate
pair).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from crmclean.dedupe import find_matches
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.decisions import DECISION, MUST, apply_decisions, decided_pairs
from crmclean.dedupe.decisions import read_decisions as read_decided
from crmclean.dedupe.training import MATCH
from crmclean.review import snapshot
from crmclean.review.evidence import tf_bits
from crmclean.review.queue import band_table
from crmclean.review.run import ReviewRun

MIN_EACH = 20
GROWTH = 1.5
WORKER = "crmclean.review.worker"
EVEN_ODDS = 0.5
SHARED_MEMORY = "/dev/shm"
STATIC = "run"  # the snapshot of what no re-learning changes


def labelled(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """``left, right, match`` for every decided pair of the decisions file."""
    decided = decided_pairs(read_decided(path), frame)
    return decided.select(LEFT, RIGHT, (pl.col(DECISION) == MUST).alias(MATCH))


def counts(pairs: pl.DataFrame) -> dict[str, int]:
    same = int(pairs[MATCH].sum())
    return {"same": same, "different": pairs.height - same}


def due(answered: dict[str, int], learned_at: int) -> bool:
    """Enough answers each way, and half again as many as at the last re-learning (at least
    ``MIN_EACH`` more): each re-learning costs a scoring of every pair, and a few more labels
    move ``m`` less the more there are."""
    total = answered["same"] + answered["different"]
    grown = total >= max(learned_at + MIN_EACH, learned_at * GROWTH)
    return min(answered.values()) >= MIN_EACH and grown


def quality(pairs: pl.DataFrame, labels: pl.DataFrame, threshold: float) -> dict[str, float | None]:
    """Precision and recall of the model's own verdict (before decisions override it) on the
    labelled pairs, at even odds (the answered pairs sit below the merge threshold by
    construction); and as the model expects them at the merge ``threshold``. Pairs only a
    decision added (never scored) do not count."""
    scored = pairs.filter(pl.col("veto").is_not_null())
    likely = (pl.col("probability") >= EVEN_ODDS) & ~pl.col("veto")
    merged = (pl.col("probability") >= threshold) & ~pl.col("veto")
    scored = scored.select(LEFT, RIGHT, "probability", likely.alias("_likely"), merged.alias("_m"))
    both = labels.join(scored, on=[LEFT, RIGHT], how="left").with_columns(
        pl.col("_likely").fill_null(False)
    )
    hit = (both[MATCH] & both["_likely"]).sum()
    probability = scored["probability"]
    kept = probability.filter(scored["_m"])
    return {
        "precision": _ratio(hit, both["_likely"].sum()),
        "recall": _ratio(hit, both[MATCH].sum()),
        "expected_precision": _ratio(kept.sum(), kept.len()),
        "expected_recall": _ratio(kept.sum(), probability.sum()),
    }


def _ratio(part: Any, whole: Any) -> float | None:
    return float(part) / float(whole) if whole else None


def rescored(run: ReviewRun, path: Path) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The run's pairs scored with ``m`` learned from the answers in ``path`` (and the run's
    ``--training-pairs``; decisions applied), and the quality, on the answers, before and
    after."""
    frame = run.indexed()
    labels = labelled(path, frame)
    threshold = run.config.auto_merge_threshold
    before = quality(run.pairs, labels, threshold)
    learned = labels
    if run.training is not None:  # the answers win over a --training-pairs label
        both = pl.concat([run.training.select(labels.columns), labels])
        learned = both.unique([LEFT, RIGHT], keep="last", maintain_order=True)
    scored, _ = find_matches(frame, run.config, learned)
    after = quality(scored, labels, threshold)
    scored = apply_decisions(scored, decided_pairs(read_decided(path), frame))
    return scored, {"labelled": counts(labels), "before": before, "after": after}


Band = tuple[pl.DataFrame, pl.DataFrame]  # the review band in queue order, its tf bits
Relearned = tuple[pl.DataFrame, dict[str, Any], Band]


def band(run: ReviewRun, pairs: pl.DataFrame) -> Band:
    """The review band of ``pairs`` in queue order and its term-frequency bits."""
    table = band_table(pairs, run.frame, run.config)
    return table, tf_bits(table, run.table, run.config, run.params)


def relearned(run: ReviewRun, path: Path) -> Relearned:
    """:func:`rescored`, plus the new band: all a session swaps in (run in the worker)."""
    scored, report = rescored(run, path)
    return scored, report, band(run, scored)


class Worker:
    """Re-learning in a child process of its own (``python -m crmclean.review.worker``, at the
    lowest priority), fed a snapshot of the run (:mod:`~crmclean.review.snapshot`) through a
    private temporary folder (in memory when the system has one). A child started this way
    never re-runs the caller's script, as a multiprocessing spawn would when the script has
    no ``if __name__ == "__main__"`` guard.

    What a re-learning never changes (the records, findings, keys, parameters, rules) is
    written once, by :meth:`prepare` when the session starts; each re-learning writes only the
    scored pairs and the decisions path. Writing the records took 0.45 s at 100,000 records,
    and answers given meanwhile waited for the interpreter. (A cluster split changes only
    the records' golden ids, which re-learning does not read.)"""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def prepare(self, run: ReviewRun) -> None:
        """Write the parts of ``run`` every re-learning reads and none changes."""
        self._folder = tempfile.TemporaryDirectory(prefix="crmclean-relearn-", dir=_memory())
        snapshot.dump(replace(run, pairs=run.pairs.clear()), Path(self._folder.name) / STATIC)

    def submit(
        self, run: ReviewRun, path: Path, done: Callable[[Relearned | Exception], None]
    ) -> None:
        """Re-learn from ``path`` on a snapshot of ``run``; ``done`` gets the result (or the
        error) in a thread of its own."""
        if self._folder is None:
            self.prepare(run)
        threading.Thread(
            target=self._work, args=(run.pairs, path, done), name="crmclean-relearn", daemon=True
        ).start()

    def _work(
        self, pairs: pl.DataFrame, path: Path, done: Callable[[Relearned | Exception], None]
    ) -> None:
        assert self._folder is not None
        static = Path(self._folder.name) / STATIC
        try:
            with tempfile.TemporaryDirectory(prefix="crmclean-relearn-", dir=_memory()) as folder:
                job, result = Path(folder) / "job", Path(folder) / "result"
                snapshot.dump((pairs, path), job)
                command = [sys.executable, "-m", WORKER, str(static), str(job), str(result)]
                self._process = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_environment()
                )
                _, error = self._process.communicate()
                if self._process.returncode != 0:
                    lines = error.decode(errors="replace").strip().splitlines()
                    raise RuntimeError(lines[-1] if lines else "the re-learning process failed")
                outcome: Relearned = snapshot.load(result)
        except Exception as error:  # reported on the page; the queue stays as it was
            done(error)
        else:
            done(outcome)

    def close(self) -> None:
        """Stop a re-learning under way (its result is dropped); remove the snapshot."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
        if self._folder is not None:
            self._folder.cleanup()


def _memory() -> str | None:
    """A folder in memory for the snapshots when there is one (Linux ``/dev/shm``), else the
    default temporary folder: writing a snapshot to disk would make the ``fsync`` of each
    answer wait behind it."""
    return SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK | os.X_OK) else None


def _environment() -> dict[str, str]:
    """This environment, with the folder this crmclean is imported from first on the path,
    and one polars thread: the worker never takes more than one core from the page."""
    home = str(Path(__file__).resolve().parents[2])
    paths = [home, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "POLARS_MAX_THREADS": "1"}


@dataclass
class Learner:
    """When to re-learn and what the last re-learning did (shown on the page)."""

    answered: dict[str, int]
    learned_at: int = 0
    running: bool = False
    report: dict[str, Any] = field(default_factory=dict)

    def count(self, kind: str, step: int) -> None:
        if kind in self.answered:
            self.answered[kind] += step

    def due(self) -> bool:
        return not self.running and due(self.answered, self.learned_at)

    def status(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "answered": dict(self.answered),
            "needed_each": MIN_EACH,
            **self.report,
        }
