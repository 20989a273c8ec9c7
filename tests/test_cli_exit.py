"""``crmclean dedupe`` leaves the objects alive at exit to the operating system (no
collection of the interpreter's cyclic garbage then), and a fresh process still writes every
output whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from crmclean.cli import main

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = ROOT / "tests" / "data" / "person" / "person_like_150.csv"
# an exit handler registered before the command's runs after it (last in, first out)
FROZEN_AT_EXIT = """
import atexit, gc, sys
atexit.register(lambda: print(gc.get_freeze_count() > 0))
if sys.argv[1:] == ["dedupe"]:
    import crmclean.cli.dedupe
else:
    import crmclean.cli
"""


def _python(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, check=True, cwd=cwd
    )
    return done.stdout


def test_dedupe_freezes_what_is_alive_at_exit():
    """``crmclean dedupe`` only: the other commands (``migrate`` into a database) keep the
    interpreter's own teardown."""
    assert _python("-c", FROZEN_AT_EXIT, "dedupe").strip() == "True"
    assert _python("-c", FROZEN_AT_EXIT).strip() == "False"


def _outputs(folder: Path) -> list[str]:
    folder.mkdir()
    names = ("crosswalk.csv", "golden.parquet", "review.csv", "merges.csv")
    options = ("--crosswalk", "--golden", "--review", "--merges")
    return [
        a for option, name in zip(options, names, strict=True) for a in (option, str(folder / name))
    ]


def _summary(text: str) -> dict:
    summary = json.loads(text)
    summary.get("model", {}).pop("learned_at", None)
    summary.get("model", {}).pop("model_id", None)
    return summary


def test_a_fresh_process_writes_what_a_run_in_process_writes(tmp_path):
    """The outputs of ``python -m crmclean dedupe`` (exit handlers and teardown run) are
    those of the same command run inside this process, byte for byte."""
    inside, fresh = tmp_path / "inside", tmp_path / "fresh"
    args = ["dedupe", str(PEOPLE), "--json"]
    result = CliRunner().invoke(main, [*args, *_outputs(inside)])
    assert result.exit_code == 0, result.output
    printed = _python("-m", "crmclean", *args, *_outputs(fresh), cwd=ROOT)
    assert _summary(printed) == _summary(result.output)
    for name in ("crosswalk.csv", "review.csv", "merges.csv"):
        assert (fresh / name).read_bytes() == (inside / name).read_bytes()
    golden = pl.read_parquet(fresh / "golden.parquet")
    assert golden.equals(pl.read_parquet(inside / "golden.parquet"))
