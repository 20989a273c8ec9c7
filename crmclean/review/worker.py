"""The re-learning process a review session starts: ``python -m crmclean.review.worker JOB
RESULT``, where ``JOB`` holds a pickled ``(ReviewRun, decisions path)`` and ``RESULT`` gets
:func:`~crmclean.review.relearn.relearned` of it (see :class:`~crmclean.review.relearn.Worker`).
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from crmclean.review.relearn import relearned


def main(arguments: list[str]) -> None:
    """Re-learn at a lower priority than the page the reviewer is answering on."""
    os.nice(10)
    job, result = (Path(argument) for argument in arguments)
    run, path = pickle.loads(job.read_bytes())
    result.write_bytes(pickle.dumps(relearned(run, path)))


if __name__ == "__main__":
    main(sys.argv[1:])
