"""A fair race: crmclean and Splink 5 deduplicate the same neutral files, in one run.

Each engine runs in a process of its own, back to back, on the same Parquet file of
``unique_id, first_name, last_name, dob, email, phone, street, city, postcode`` (the truth,
``entity_id``, is held back): crmclean as its CLI (``crmclean dedupe``: read, map, normalize,
match, merge); Splink as ``bench/race_splink.py`` (clean, train, predict, cluster). Prints per
engine the wall time of its whole process, its peak RSS (``wait4``), pairwise precision, recall
and F1 against ``entity_id``, and Splink's own time and the comparisons its blocking rules made
it score (counted after the timed work). Files: the public 100k file and sizes made by
``bench/neutral.py`` (``--generate``). crmclean's bytecode is written first, as pip writes an
installed package's (Splink's is). Heavy: run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/race.py --generate 1000000
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from neutral import contacts  # noqa: E402

PUBLIC = "shared/data/public/contacts_100k.parquet"  # ../shared beside the clone (or above)


def public_file() -> Path:
    """The public 100k file in the nearest ``shared`` folder above the project."""
    for parent in BENCH.parents:
        if (parent / PUBLIC).exists():
            return parent / PUBLIC
    raise SystemExit(f"{PUBLIC} not found above {BENCH}")


FIELDS = ["first_name", "last_name", "dob", "email", "phone", "street", "city", "postcode"]


@dataclass(frozen=True)
class Lap:
    """One engine's run: wall seconds of its process, its peak RSS in bytes, its output."""

    seconds: float
    peak: int
    stdout: str


def run(command: list[str]) -> Lap:
    """``command`` as a child process; its wall time and its own peak RSS (from ``wait4``)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{command[1]} failed ({child.returncode}): {err.read()[-800:]}")
        return Lap(seconds, usage.ru_maxrss * 1024, out.read())


def pairwise(predicted: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Pairwise precision, recall and F1 of clusters ``unique_id, cluster`` against
    ``unique_id, entity_id`` (pairs counted per group, never listed)."""
    joined = truth.join(predicted, on="unique_id", how="left").with_columns(
        pl.col("cluster").fill_null(pl.format("single-{}", "unique_id"))
    )

    def pairs(*keys: str) -> int:
        sizes = joined.group_by(*keys).len()["len"].cast(pl.Int64)
        return int((sizes * (sizes - 1) // 2).sum())

    both, guessed, actual = pairs("entity_id", "cluster"), pairs("cluster"), pairs("entity_id")
    precision = both / guessed if guessed else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": guessed, "true": actual}


def cache_for(records: Path, suffix: str) -> Path:
    """Where a bench keeps what it made of ``records`` (``suffix`` names what): a folder of
    the system's temporary directory, never beside the file (benches read ``../shared``; what
    they make must not land in it)."""
    folder = Path(tempfile.gettempdir()) / "crmclean-bench"
    folder.mkdir(exist_ok=True)
    place = hashlib.sha1(str(records.resolve()).encode(), usedforsecurity=False).hexdigest()[:8]
    return folder / f"{records.stem}-{place}{suffix}"


def _mapping(folder: Path) -> Path:
    """unique_id is the record id; dob goes to birth_date when the contact model has one."""
    from crmclean.rules import Rules

    dob = "birth_date" if "birth_date" in Rules().model.fields else "null"
    path = folder / "race.mapping.yaml"
    path.write_text(f"columns:\n  unique_id: record_id\n  dob: {dob}\n", encoding="utf-8")
    return path


def race_crmclean(records: Path, folder: Path) -> tuple[Lap, pl.DataFrame]:
    """``crmclean dedupe`` on the file, as a user would run it."""
    crosswalk = folder / "crosswalk.csv"
    cli = Path(sys.executable).parent / "crmclean"
    mapping = _mapping(folder)
    lap = run(
        [
            str(cli),
            "dedupe",
            str(records),
            "--mapping",
            str(mapping),
            "--crosswalk",
            str(crosswalk),
            "--json",
        ]
    )
    found = pl.read_csv(crosswalk, schema_overrides={"source_id": pl.Int64, "golden_id": pl.String})
    return lap, found.select(pl.col("source_id").alias("unique_id"), cluster="golden_id")


def race_splink(records: Path, folder: Path) -> tuple[Lap, pl.DataFrame, dict]:
    """Splink 5 through bench/race_splink.py."""
    clusters = folder / "splink_clusters.parquet"
    lap = run([sys.executable, str(BENCH / "race_splink.py"), str(records), str(clusters)])
    found = pl.read_parquet(clusters).select(
        pl.col("unique_id").cast(pl.Int64), pl.col("cluster_id").cast(pl.String).alias("cluster")
    )
    return lap, found, json.loads(lap.stdout.strip().splitlines()[-1])


def _line(name: str, lap: Lap, scores: dict[str, float], extra: str = "") -> str:
    return (
        f"  {name:<9} {lap.seconds:7.1f} s  peak {lap.peak / 1024**3:5.2f} GB  "
        f"P {scores['precision']:.4f}  R {scores['recall']:.4f}  F1 {scores['f1']:.4f}  "
        f"pairs {scores['pairs']:,}{extra}"
    )


def race(name: str, frame: pl.DataFrame, engines: list[str]) -> None:
    """Both engines on ``frame`` (its ``entity_id`` held back), one after the other."""
    truth = frame.select("unique_id", "entity_id")
    sizes = truth.group_by("entity_id").len()["len"].cast(pl.Int64)
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    print(f"{name}: {frame.height:,} records, {true_pairs:,} true pairs", flush=True)
    laps = {}
    with tempfile.TemporaryDirectory(prefix="crmclean-race-") as directory:
        folder = Path(directory)
        records = folder / f"{name}.parquet"
        frame.select("unique_id", *FIELDS).write_parquet(records)
        if "crmclean" in engines:
            lap, found = race_crmclean(records, folder)
            laps["crmclean"] = lap
            print(_line("crmclean", lap, pairwise(found, truth)), flush=True)
        if "splink" in engines:
            lap, found, report = race_splink(records, folder)
            laps["splink"] = lap
            extra = (
                f"  (own time {report['seconds']:.1f} s, {report['comparisons']:,} "
                f"comparisons scored)"
            )
            print(_line("splink", lap, pairwise(found, truth), extra), flush=True)
            for note in report["notes"]:
                print(f"    splink: {note}")
    if len(laps) == 2:
        ours, theirs = laps["crmclean"], laps["splink"]
        print(
            f"  crmclean/splink: time {ours.seconds / theirs.seconds:.2f}x, "
            f"peak memory {ours.peak / theirs.peak:.2f}x",
            flush=True,
        )


def compiled_as_installed() -> None:
    """crmclean's bytecode written, as pip writes it for every package it installs (Splink's
    included): an editable checkout run with PYTHONDONTWRITEBYTECODE set would otherwise
    compile its ~140 modules from source at every start (~0.1-0.2 s)."""
    import crmclean

    compileall.compile_dir(Path(crmclean.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--generate",
        type=int,
        nargs="*",
        default=[1_000_000],
        help="sizes to make with bench/neutral.py (default 1000000)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-public", action="store_true", help="skip contacts_100k.parquet")
    parser.add_argument("--engines", default="crmclean,splink")
    args = parser.parse_args()
    engines = args.engines.split(",")
    compiled_as_installed()
    if not args.no_public:
        race("contacts_100k", pl.read_parquet(public_file()), engines)
    for rows in args.generate:
        race(f"neutral_{rows}", contacts(rows, args.seed), engines)


if __name__ == "__main__":
    main()
