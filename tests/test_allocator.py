"""The ``crmclean`` command gives polars' jemalloc its options before polars loads and glibc's
malloc its thresholds, and a user's own ``_RJEM_MALLOC_CONF`` or ``MALLOC_*_`` wins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crmclean.allocator import (
    GLIBC_MMAP,
    GLIBC_TRIM,
    GLIBC_VARIABLES,
    OPTIONS,
    VARIABLE,
    _on_glibc,
    tune_allocator,
    tune_glibc,
)

ROOT = Path(__file__).resolve().parent.parent
# Loads the command's module then polars, as `crmclean dedupe` does; jemalloc prints the
# options it runs with at exit (`stats_print`, added to whatever the variable holds then).
PROBE = f"""
import os
import crmclean.cli
os.environ[{VARIABLE!r}] += ",stats_print:true"
import polars
"""


def _options_in_effect(environ: dict[str, str]) -> dict[str, str]:
    """jemalloc's ``opt.*`` settings in a fresh interpreter that ran the probe."""
    env = {**environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
    )
    found = re.findall(r"^\s+opt\.(\w+): \"?([^\"\s]+)", done.stderr, flags=re.MULTILINE)
    return dict(found)


def _expected(options: str) -> dict[str, str]:
    return dict(option.split(":", 1) for option in options.split(","))


def test_the_default_is_set_when_the_user_set_none():
    environ: dict[str, str] = {}
    tune_allocator(environ)
    assert environ == {VARIABLE: OPTIONS}


def test_a_users_own_setting_wins():
    for own in ("dirty_decay_ms:0", ""):
        environ = {VARIABLE: own}
        tune_allocator(environ)
        assert environ == {VARIABLE: own}


def test_jemalloc_runs_with_the_commands_options():
    environ = {name: value for name, value in os.environ.items() if name != VARIABLE}
    in_effect = _options_in_effect(environ)
    assert _expected(OPTIONS).items() <= in_effect.items()


def test_jemalloc_runs_with_the_users_options():
    in_effect = _options_in_effect({**os.environ, VARIABLE: "dirty_decay_ms:700"})
    assert in_effect["dirty_decay_ms"] == "700"


# Takes and frees 16 MiB twice, as NumPy does with a large array, then prints the bytes glibc
# keeps free in its heaps: glibc's own thresholds keep the second block's pages (the first
# is mapped apart and raises them), the command's give them back.
GLIBC_PROBE = """
import ctypes
import crmclean.cli
from crmclean.allocator import GLIBC_VARIABLES

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.malloc.restype, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
libc.mallinfo2.restype = MallInfo2
for _ in range(2):
    block = libc.malloc(16 << 20)
    ctypes.memset(block, 1, 16 << 20)
    libc.free(block)
print(libc.mallinfo2().fordblks)
"""


def _glibc_free_bytes(own: dict[str, str]) -> int:
    """The bytes glibc keeps free after the probe, in a fresh interpreter whose glibc
    variables are ``own``."""
    env = {name: value for name, value in os.environ.items() if name not in GLIBC_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", GLIBC_PROBE],
        capture_output=True,
        text=True,
        env={**env, **own, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return int(done.stdout)


def test_a_users_own_glibc_setting_wins():
    for name in GLIBC_VARIABLES:
        assert not tune_glibc({name: "1"})


@pytest.mark.skipif(not _on_glibc(), reason="glibc's malloc only")
def test_glibc_gives_freed_blocks_back_under_the_command():
    assert _glibc_free_bytes({}) < GLIBC_TRIM


@pytest.mark.skipif(not _on_glibc(), reason="glibc's malloc only")
def test_glibc_keeps_them_with_the_users_thresholds():
    own = {"MALLOC_MMAP_THRESHOLD_": str(GLIBC_MMAP), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}
    assert _glibc_free_bytes(own) >= 16 << 20
