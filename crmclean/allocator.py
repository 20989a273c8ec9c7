"""The memory allocator options the ``crmclean`` command gives polars before polars loads.

Polars allocates through its own jemalloc, which reads ``_RJEM_MALLOC_CONF`` once, when polars
is imported (polars puts its defaults in front: ``dirty_decay_ms:500,muzzy_decay_ms:1000``, the
later options win). With those, jemalloc hands pages freed between the dedupe phases back to
the kernel within a second or two and faults them in again for the next phase: allocator and
page-fault churn, system CPU. The command keeps freed pages longer (docs/dedupe.md, "The
allocator"); a user's own ``_RJEM_MALLOC_CONF`` (an empty one for polars' defaults) wins.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

VARIABLE = "_RJEM_MALLOC_CONF"
OPTIONS = "dirty_decay_ms:5000"


def tune_allocator(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set crmclean's jemalloc options for polars, unless ``environ`` has the user's own.

    Takes effect only when polars has not been imported yet in this process (the command
    calls it first); child processes inherit it either way."""
    environ.setdefault(VARIABLE, OPTIONS)
