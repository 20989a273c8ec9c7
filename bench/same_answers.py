"""Does a change to the target's storage change anything a user reads? Runs one migration
story through the CLI with the crmclean of ``--code`` (a source tree, default this one) and
writes every answer to ``--out``: each command's JSON output, and after each step every
table and view a user queries, rows sorted, as CSV (the match model in ``models`` as its JSON,
however it is stored). Run ids become ``run#<sequence>`` and clock times are left out, so two
trees' folders compare file by file (``--compare A B``).

The story: N neutral contacts (bench/neutral.py) in K CSV files, ``migrate run --on-fail
quarantine``; the same again (nothing changed); the first file changed and run again; one
record unmerged; ``migrate status``; ``export``; ``audit`` of the target; the unmerge rolled
back, then the second run with ``--cascade``. With ``--target DB`` the story starts from a
copy of that target (a first run's file written by another version, which the first command
that writes upgrades) instead of the first run::

    flock /tmp/crmclean-bench.lock python bench/same_answers.py --rows 200000 --out /tmp/a
    python bench/same_answers.py --compare /tmp/a /tmp/b
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

# What a user reads: the data tables (findings through its view), their before-images, the
# bookkeeping tables; columns that hold clock time, the machine or the user are left out.
TABLES = (
    "contacts", "contact_sources", "merges", "rejects", "findings", "companies",
    "company_sources", "contacts_before", "contact_sources_before", "merges_before",
    "rejects_before", "findings_before", "companies_before", "company_sources_before",
    "runs", "models", "segment_history", "segment_runs", "schema_version",
)  # fmt: skip
CLOCK = {"started_at", "finished_at", "rolled_back_at", "learned_at", "assigned_at", "host",
         "user_name", "at", "ran_at", "generated_at"}  # fmt: skip
WORK = [Path()]  # the story's work folder, named WORK in the answers
RUNNER = "import sys; from crmclean.cli import main; sys.argv[0] = 'crmclean'; sys.exit(main())"


def cli(code: Path, folder: Path, *args: str) -> str:
    """One crmclean command with the tree at ``code``, in ``folder``; its stdout."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args], cwd=folder, env=env, capture_output=True, text=True
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"crmclean {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def labels(database: Path) -> dict[str, str]:
    """Each run id of the target -> ``run#<sequence>``."""
    with sqlite3.connect(database) as conn:
        return {r: f"run#{s}" for r, s in conn.execute("select run_id, sequence from runs")}


def relabel(text: str, runs: dict[str, str]) -> str:
    """``text`` with run ids as labels and times of day (a model's ``learned_at``) as TIME."""
    for run_id, label in runs.items():
        text = text.replace(run_id, label)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?", "TIME", text)


def dump(database: Path, out: Path, step: str) -> None:
    """Every table and view of :data:`TABLES` the target has, rows sorted, as one CSV each."""
    import polars as pl

    runs = labels(database)
    with sqlite3.connect(database) as conn:
        names = {r[0] for r in conn.execute("select name from sqlite_master")}
        for name in TABLES:
            if name not in names:
                continue
            cursor = conn.execute(f"select * from {name}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if name == "models":  # the model as its JSON, however it is stored
                rows, columns = _models_as_json(rows, columns)
            frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
            frame = frame.select(c for c in columns if c not in CLOCK)
            header, *lines = relabel(frame.write_csv(), runs).splitlines()
            (out / f"{step}.{name}.csv").write_text("\n".join([header, *sorted(lines)]))


def _models_as_json(rows: list[Any], columns: list[str]) -> tuple[list[Any], list[str]]:
    """``models`` rows with the model as JSON text in ``body`` (a packed one unpacked by the
    crmclean this script runs with), no ``packed`` column."""
    if "packed" not in columns:
        return rows, columns
    from crmclean.load.packed import unpacked

    at = columns.index("packed")
    body = columns.index("body")
    unpacked_rows = []
    for row in rows:
        values = list(row)
        if values[at] is not None:
            values[body] = unpacked(values[at], "models").to_json()
        unpacked_rows.append(values[:at] + values[at + 1 :])
    return unpacked_rows, columns[:at] + columns[at + 1 :]


def answer(out: Path, step: str, text: str, runs: dict[str, str]) -> None:
    """A command's JSON output, run ids relabelled (and the work folder named ``WORK``),
    clock fields dropped."""
    runs = {**runs, str(WORK[0]): "WORK"}
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        (out / f"{step}.txt").write_text(relabel(text, runs))
        return
    (out / f"{step}.json").write_text(relabel(json.dumps(_unclocked(document), indent=1), runs))


def _unclocked(value: object) -> object:
    if isinstance(value, dict):
        return {k: _unclocked(v) for k, v in value.items() if k not in CLOCK and "second" not in k}
    if isinstance(value, list):
        return [_unclocked(v) for v in value]
    return value


def story(code: Path, work: Path, out: Path, rows: int, sources: int, target: Path | None) -> None:
    from migrate import change_first_source, project_file

    project = project_file(work, rows, 7, sources)
    WORK[0] = work
    database = work / "crm.db"
    run = ("migrate", "run", str(project), "--on-fail", "quarantine", "--json")
    if target is None:
        first = cli(code, work, *run)
        answer(out, "1-run", first, labels(database))
    else:
        shutil.copy(target, database)
    dump(database, out, "1")
    shutil.copy(database, work / "first.db")  # for --target: the first run's file
    answer(out, "2-again", cli(code, work, *run), labels(database))
    dump(database, out, "2")
    change_first_source(work)
    answer(out, "3-changed", cli(code, work, *run), labels(database))
    dump(database, out, "3")
    with sqlite3.connect(database) as conn:
        golden, source, source_id = conn.execute(
            "select golden_id, source, source_id from contact_sources where golden_id in "
            "(select golden_id from contact_sources group by 1 having count(*) > 1) "
            "order by 1, 2, 3 limit 1"
        ).fetchone()
    unmerged = cli(code, work, "migrate", "unmerge", golden, f"{source}:{source_id}",
                   "--project", str(project), "--json")  # fmt: skip
    answer(out, "4-unmerge", unmerged, labels(database))
    dump(database, out, "4")
    status = cli(code, work, "migrate", "status", "--project", str(project), "--json")
    answer(out, "5-status", status, labels(database))
    cli(code, work, "export", "--project", str(project), "--to", "csv", str(work / "out.csv"))
    exported = relabel((work / "out.csv").read_text(encoding="utf-8-sig"), labels(database))
    (out / "5-export.csv").write_text(exported)
    audited = cli(code, work, "audit", f"sqlite:///{database}", "--json")
    answer(out, "5-audit", audited, labels(database))
    runs = labels(database)
    by_label = {label: run_id for run_id, label in runs.items()}
    last, second = max(runs.values(), key=lambda s: int(s[4:])), "run#2"
    rollback = ("migrate", "rollback", "--project", str(project), "--json")
    answer(out, "6-rollback", cli(code, work, *rollback[:2], by_label[last], *rollback[2:]), runs)
    dump(database, out, "6")
    cascade = cli(code, work, *rollback[:2], by_label[second], "--cascade", *rollback[2:])
    answer(out, "7-cascade", cascade, runs)
    dump(database, out, "7")


def compare(a: Path, b: Path) -> None:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differing = 0
    for name in names:
        one, two = a / name, b / name
        digest = [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
                  for p in (one, two)]  # fmt: skip
        same = digest[0] == digest[1]
        differing += not same
        size = one.stat().st_size if one.exists() else 0
        print(f"{'same' if same else 'DIFFERENT':<9} {name:<42} {size:>12,} bytes")
    print(f"{len(names)} answers, {differing} different")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--code", type=Path, default=BENCH.parent)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--work", type=Path, help="keep the project and target here")
    parser.add_argument("--target", type=Path, help="start from a copy of this first-run target")
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    assert args.out is not None and args.work is not None
    for folder in (args.out, args.work):
        folder.mkdir(parents=True, exist_ok=True)
    story(args.code.resolve(), args.work, args.out, args.rows, args.sources, args.target)


if __name__ == "__main__":
    main()
