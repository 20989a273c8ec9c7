"""``bench/neutral.py`` is a function of its seed: two processes with different PYTHONHASHSEED
write the same file (race figures from two runs must be on the same data) (#12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "bench" / "neutral.py"


def _generate(out: Path, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, str(BENCH), "--rows", "3000", "--seed", "11", "--out", str(out)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return out.read_bytes()


def test_same_file_whatever_the_hash_seed(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a.csv", "1")
    second = _generate(tmp_path / "b.csv", "2")
    assert first.count(b"\n") == 3001
    assert first == second
