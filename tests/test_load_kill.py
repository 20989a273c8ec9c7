"""Atomicity under a real kill: SIGKILL a load inside its transaction, the target is unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_load import DATA_TABLES, changed_batch, make_batch, run_load, snapshot

from crmclean.rules import Rules

# Loads the changed batch, pausing for a minute after the first table is written.
CHILD = """
import sys, time
sys.path.insert(0, sys.argv[2])
import crmclean.load.apply as stage
from crmclean.rules import Rules
from test_load import changed_batch, run_load

write = stage.insert_frame

def write_then_wait(conn, table, frame, *side):
    written = write(conn, table, frame, *side)
    print("inside the transaction", flush=True)
    time.sleep(60)
    return written

stage.insert_frame = write_then_wait
run_load(changed_batch(Rules()), sys.argv[1], Rules())
"""


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crm.db")
    return request.getfixturevalue("postgres_url")


def kill_mid_load(target: str) -> None:
    tests = str(Path(__file__).parent)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, target, tests], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert line.strip() == "inside the transaction"
    assert child.returncode == -signal.SIGKILL


def test_kill_mid_load_leaves_target_as_before(target: str, rules: Rules) -> None:
    run_load(make_batch(rules), target, rules)
    before = snapshot(target)
    kill_mid_load(target)
    assert snapshot(target) == before
    # nothing is left locked or half-written: the same load now goes through
    result = run_load(changed_batch(rules), target, rules)
    assert result.changes["contacts"]["update"] == 2
    assert snapshot(target, DATA_TABLES) != {t: before[t] for t in DATA_TABLES}
