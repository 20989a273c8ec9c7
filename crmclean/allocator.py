"""The memory allocator options the ``crmclean`` command sets before polars loads.

Polars allocates through its own jemalloc, which reads ``_RJEM_MALLOC_CONF`` once, when polars
is imported (polars puts its defaults in front: ``dirty_decay_ms:500,muzzy_decay_ms:1000``, the
later options win). With those, jemalloc hands pages freed between the dedupe phases back to
the kernel within a second or two and faults them in again for the next phase: allocator and
page-fault churn, system CPU. The command keeps freed pages longer and serves blocks of 8 MiB
and more from the ordinary arenas (``oversize_threshold:0``: jemalloc's own arena for them
hands each freed one back at once, whatever ``dirty_decay_ms`` says) (docs/dedupe.md, "The
allocator"); a user's own ``_RJEM_MALLOC_CONF`` (an empty one for polars' defaults) wins.

NumPy, rapidfuzz and Python allocate through the C library's malloc. On glibc the command
gives the free top of its heaps back past :data:`GLIBC_TRIM` bytes (glibc's own threshold
climbs to 64 MiB once a large block is freed), keeps blocks under :data:`GLIBC_MMAP` in the
heaps (the largest threshold glibc would climb to) and lets threads share
:data:`GLIBC_ARENAS` heaps; a user's own ``MALLOC_*`` variables or ``GLIBC_TUNABLES`` win.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping, MutableMapping

VARIABLE = "_RJEM_MALLOC_CONF"
OPTIONS = "dirty_decay_ms:5000,oversize_threshold:0"
GLIBC_TRIM = 8 << 20  # free heap top past this goes back to the kernel (docs/dedupe.md)
GLIBC_MMAP = 32 << 20  # blocks this large or more are mapped apart (glibc's dynamic maximum)
GLIBC_ARENAS = 2  # heaps threads share (glibc's own: eight per core)
GLIBC_VARIABLES = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_ARENA_MAX",
    "GLIBC_TUNABLES",
)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8  # glibc's malloc.h


def tune_allocator(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set crmclean's jemalloc options for polars, unless ``environ`` has the user's own, and
    glibc's thresholds (:func:`tune_glibc`).

    The jemalloc options take effect only when polars has not been imported yet in this
    process (the command calls it first); child processes inherit them either way."""
    environ.setdefault(VARIABLE, OPTIONS)
    tune_glibc(environ)


def tune_glibc(environ: Mapping[str, str] = os.environ) -> bool:
    """Set glibc malloc's trim and mmap thresholds and its arenas (:data:`GLIBC_TRIM`,
    :data:`GLIBC_MMAP`, :data:`GLIBC_ARENAS`) unless ``environ`` sets glibc's malloc itself;
    whether they were set (never off glibc)."""
    if any(name in environ for name in GLIBC_VARIABLES) or not _on_glibc():
        return False
    libc = ctypes.CDLL(None)
    options = {
        _M_TRIM_THRESHOLD: GLIBC_TRIM,
        _M_MMAP_THRESHOLD: GLIBC_MMAP,
        _M_ARENA_MAX: GLIBC_ARENAS,
    }
    return all([libc.mallopt(option, value) for option, value in options.items()])


def _on_glibc() -> bool:
    """Whether this process runs on GNU libc (whose ``mallopt`` takes the thresholds)."""
    if "CS_GNU_LIBC_VERSION" not in getattr(os, "confstr_names", {}):
        return False
    return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
