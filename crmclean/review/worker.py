"""The re-learning process a review session starts: ``python -m crmclean.review.worker RUN
JOB RESULT``, where the folder ``RUN`` holds a snapshot (:mod:`~crmclean.review.snapshot`) of
the session's :class:`~crmclean.review.run.ReviewRun` without its pairs, ``JOB`` one of
``(scored pairs, decisions path)``, and the folder ``RESULT`` gets one of
:func:`~crmclean.review.relearn.relearned` of them (see
:class:`~crmclean.review.relearn.Worker`).
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from crmclean.review import snapshot
from crmclean.review.relearn import relearned


def main(arguments: list[str]) -> None:
    """Re-learn at the lowest priority (the page the reviewer answers on comes first)."""
    os.nice(19)
    static, job, result = (Path(argument) for argument in arguments)
    pairs, path = snapshot.load(job)
    run = replace(snapshot.load(static), pairs=pairs)
    snapshot.dump(relearned(run, path), result)


if __name__ == "__main__":
    main(sys.argv[1:])
