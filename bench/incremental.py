"""Incremental linking: ``migrate run`` of N contacts into a new SQLite file, then again with 1%
more (new people and new records of known people), against one run of all of them at once.

Contacts come from bench/neutral.py (seeded, shuffled, ~13% corrupted duplicates, an
``entity_id`` truth), not from crmclean's demo generator. The second run's file is the first's
rows plus the next 1% of the generated rows. Prints, per run (each a process of its own, as the
CLI runs): wall time, peak RSS, seconds per stage, the dedupe stage's counts (records matched
again or not, pairs scored, records linked into existing golden records) and the plan; then
pairwise precision/recall/F1 of both targets' clusters against the truth, and how many golden
ids of the first run the second changed. Each run quarantines what fails the gate (the
neutral file holds a few bad values) and stops the bench if nothing loads (a second run into
an empty target would not be incremental). Heavy: run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/incremental.py --rows 100000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from itertools import pairwise as consecutive
from pathlib import Path

import polars as pl

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from race import pairwise, run  # noqa: E402

NEW_SHARE = 0.01


def child(project: str) -> None:
    """One ``migrate run`` in this process; prints its stage seconds and counts as JSON."""
    from crmclean.api import migrate
    from crmclean.project import load_project

    marks: list[tuple[str, float]] = [("start", time.perf_counter())]
    loaded = load_project(Path(project))
    result = migrate(
        loaded.sources,
        loaded.rules,
        target=loaded.target,
        on_fail="quarantine",  # the neutral file holds a few bad values: load what passes
        progress=lambda stage: marks.append((stage, time.perf_counter())),
    )
    if result.loaded is None or result.loaded.run_id is None:
        raise SystemExit(f"nothing loaded: {result.gate and result.gate.to_dict()}")
    marks.append(("end", time.perf_counter()))
    stages = {a: round(t2 - t1, 1) for (a, t1), (_, t2) in consecutive(marks)}
    plan = None if result.plan is None else result.plan.summary()
    dedupe = result.batch.stats.get("dedupe", {})
    quarantined = result.batch.stats.get("validate", {}).get("quarantined", 0)
    print(
        json.dumps({"stages": stages, "dedupe": dedupe, "plan": plan, "quarantined": quarantined})
    )


def project(folder: Path, rows: pl.DataFrame) -> Path:
    """The CSV (without the truth), its mapping and ``crmclean.yml`` into ``crm.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows.drop("entity_id").write_csv(folder / "contacts.csv")
    (folder / "contacts.mapping.yaml").write_text("columns:\n  unique_id: record_id\n")
    path = folder / "crmclean.yml"
    path.write_text(
        "sources:\n  - path: contacts.csv\n    mapping: contacts.mapping.yaml\ntarget: crm.db\n"
    )
    return path


def timed_run(label: str, path: Path) -> dict:
    lap = run([sys.executable, __file__, "--child", str(path)])
    report = json.loads(lap.stdout.strip().splitlines()[-1])
    print(f"{label:<36} {lap.seconds:7.1f} s  peak {lap.peak / 1024**3:5.2f} GB", flush=True)
    print(f"  stages (s): {report['stages']}")
    keys = ("records", "fresh_records", "known_records", "candidate_pairs", "linked_records")
    print(f"  dedupe: { {k: report['dedupe'].get(k) for k in keys} }")
    print(f"  plan: {report['plan']}, quarantined: {report['quarantined']}", flush=True)
    return report


def clusters(database: Path) -> pl.DataFrame:
    """``unique_id, cluster`` of a target's crosswalk."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("select source_id, golden_id from contact_sources").fetchall()
    frame = pl.DataFrame(rows, schema=["unique_id", "cluster"], orient="row")
    return frame.with_columns(pl.col("unique_id").cast(pl.Int64))


def groups(found: pl.DataFrame) -> pl.DataFrame:
    """``members``: each cluster's record ids, sorted (one row per cluster)."""
    return found.group_by("cluster").agg(pl.col("unique_id").sort().alias("members"))


def differences(before: pl.DataFrame, after: pl.DataFrame, once: pl.DataFrame) -> None:
    """The clusters of the incremental target and of the run of everything that differ: how
    many records they hold, how many of those the first run already held, and whether the
    first run had grouped those exactly as the incremental target does (its decisions kept)."""
    inc, all_once = groups(after), groups(once)
    only = pl.concat(
        [inc.join(all_once, on="members", how="anti"), all_once.join(inc, on="members", how="anti")]
    )
    records = only["members"].explode().unique().to_frame("unique_id")
    old = records.join(before, on="unique_id", how="semi")
    kept = groups(before.join(old, on="unique_id", how="semi")).join(
        groups(after.join(old, on="unique_id", how="semi")), on="members", how="anti"
    )
    print(
        f"clusters differing from the run of everything: {only.height} "
        f"({records.height} records, {old.height} held by the first run; the first run's "
        f"grouping of those kept by the incremental run: {kept.is_empty()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from neutral import contacts

    every = contacts(int(args.rows * (1 + NEW_SHARE)), args.seed)
    first_rows = every.head(args.rows)
    truth = every.select("unique_id", "entity_id")
    with tempfile.TemporaryDirectory(prefix="crmclean-incremental-") as directory:
        folder = Path(directory)
        incremental = project(folder / "incremental", first_rows)
        print(f"{args.rows:,} contacts, then {every.height - args.rows:,} more", flush=True)
        timed_run("migrate run (new SQLite file)", incremental)
        before = clusters(folder / "incremental" / "crm.db")
        project(folder / "incremental", every)
        timed_run("migrate run with 1% new records", incremental)
        after = clusters(folder / "incremental" / "crm.db")
        timed_run("one run of all records at once", project(folder / "once", every))
        once = clusters(folder / "once" / "crm.db")
    differences(before, after, once)
    moved = before.join(after, on="unique_id", suffix="_after")
    moved = moved.filter(pl.col("cluster") != pl.col("cluster_after")).height
    print(f"golden ids of the first run's records changed by the second: {moved:,}")
    for label, found in (("incremental", after), ("all at once", once)):
        scores = pairwise(found, truth)
        print(
            f"  {label:<12} P {scores['precision']:.4f}  R {scores['recall']:.4f}  "
            f"F1 {scores['f1']:.4f}  pairs {scores['pairs']:,}/{scores['true']:,}"
        )
    new = truth.join(first_rows.select("unique_id"), on="unique_id", how="anti")
    for label, found in (("incremental", after), ("all at once", once)):
        scores = pairwise(found, truth.join(new, on="entity_id", how="semi"))
        print(f"  new people's records only, {label:<12} F1 {scores['f1']:.4f}")


if __name__ == "__main__":
    main()
