"""Great Expectations imported in the background while the stages before the gate run.

Importing it (with pandas, pyarrow, altair, ...) takes seconds of one core; a run that will
reach the gate starts that import in a thread at its start, so it overlaps reading,
normalizing and matching (polars work that leaves the interpreter free much of the time). The
gate's own import then finds the modules loaded, or waits for the thread to finish loading
them (Python's import locks); an import that failed in the thread is tried again, and
reported, by the gate's.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

_ANALYTICS = "GX_ANALYTICS_ENABLED"
_started: list[threading.Thread] = []


def _import() -> None:
    # An error is left for the gate's own import to raise and report.
    with contextlib.suppress(Exception):
        import crmclean.validate.custom  # noqa: F401  (imports great_expectations)


def preload_gate() -> None:
    """Start importing Great Expectations in a daemon thread (once per process)."""
    if _started or "great_expectations" in sys.modules:
        return
    os.environ.setdefault(_ANALYTICS, "False")
    thread = threading.Thread(target=_import, name="crmclean-gx-import", daemon=True)
    _started.append(thread)
    thread.start()
