"""The re-learning process a review session starts: ``python -m crmclean.review.worker JOB
RESULT``, where the folder ``JOB`` holds a snapshot (:mod:`~crmclean.review.snapshot`) of
``(ReviewRun, decisions path)`` and the folder ``RESULT`` gets one of
:func:`~crmclean.review.relearn.relearned` of it (see :class:`~crmclean.review.relearn.Worker`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from crmclean.review import snapshot
from crmclean.review.relearn import relearned


def main(arguments: list[str]) -> None:
    """Re-learn at the lowest priority (the page the reviewer answers on comes first)."""
    os.nice(19)
    job, result = (Path(argument) for argument in arguments)
    run, path = snapshot.load(job)
    snapshot.dump(relearned(run, path), result)


if __name__ == "__main__":
    main(sys.argv[1:])
