"""The ``crmclean`` command gives polars' jemalloc its options before polars loads, and a
user's own ``_RJEM_MALLOC_CONF`` wins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from crmclean.allocator import OPTIONS, VARIABLE, tune_allocator

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
