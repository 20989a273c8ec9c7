"""Benchmark: ``crmclean audit`` of one large CSV file; prints time per stage (wall, and CPU of
all threads: steadier on a shared machine) and peak memory.

The file is the neutral generator's (bench/neutral.py, seeded): independent people, ~13% of
rows corrupted duplicates, written by neither matcher. It is cached in ``--data`` and reused.

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/audit.py --rows 1000000

``--tiled`` audits a stress case instead: the demo's CRM export (HubSpot-style headers,
realistic damage and duplicates) tiled until it has ``--rows`` rows, each copy with its own
ids, e-mails, phones and surnames, but each person's first name, city and postcode kept, so
every copy of a person meets every other as a candidate pair (a company re-importing the same
list looks like that). It measures the dedupe's bounds, not a typical audit. ``--file``
audits another CSV.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import polars as pl

from crmclean.audit import audit
from crmclean.demo import generate_demo
from crmclean.normalize.emails.vocabulary import load as load_email_spec
from crmclean.normalize.emails.vocabulary import role_pattern
from crmclean.report.html import write_html
from crmclean.rules import Rules

sys.path.insert(0, str(Path(__file__).parent))
BASE_PEOPLE = 20_000
ROLE = role_pattern(load_email_spec(Rules()))


def _digits(frame: pl.DataFrame, k: int) -> pl.Expr:
    """Four digits unique to each row of copy ``k`` (the copy's phone number endings)."""
    row = pl.int_range(frame.height, dtype=pl.Int64)
    return ((row * 7919 + k * 104_729) % 10_000).cast(pl.String).str.zfill(4)


def _mailbox(k: int) -> pl.Expr:
    """The e-mail of copy ``k``: a personal mailbox of its own (domain kept; spellings of one
    mailbox stay one mailbox), and a shared one (``contato@``) at the copy's own company domain.
    A prefix such as ``c1.`` would leave every copy's address one edit from the original's, and
    one hashed address for a shared mailbox would read as a personal one held by colleagues."""
    lower = pl.col("Email").str.to_lowercase()
    token = lower.str.replace_all(r"\.|\+[^@]*", "").hash(seed=k).cast(pl.String).str.slice(0, 9)
    domain = lower.str.extract(r"(@.*)$")
    company_domain = domain.str.replace(r"^@([^.]+)", f"@${{1}}-c{k}")
    personal = pl.format("u{}{}", token, domain)
    shared = pl.format("{}{}", lower.str.extract(r"^([^@]*)"), company_domain)
    return (
        pl.when(domain.is_null())
        .then(pl.col("Email"))
        .when(lower.str.contains(ROLE))
        .then(shared)
        .otherwise(personal)
    )


def _copy(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """Copy ``k`` of the export: new ids, e-mails, phone endings, companies and surnames."""
    if k == 0:
        return frame
    ending = _digits(frame, k)
    return frame.with_columns(
        pl.format("{}-{}", "Record ID", pl.lit(k)).alias("Record ID"),
        _mailbox(k).alias("Email"),
        pl.col("Last Name").shift(k * 7919 % frame.height).fill_null(pl.col("Last Name")),
        pl.col("Phone Number").str.replace(r"\d{4}$", "") + ending,
        pl.col("Mobile Phone Number").str.replace(r"\d{4}$", "") + ending,
        pl.format("{} {}", "Company Name", pl.lit(k)).alias("Company Name"),
    )


def neutral(rows: int, data: Path, seed: int) -> Path:
    """The cached ``rows``-row neutral CSV in ``data`` (generated on first use)."""
    from neutral import contacts

    path = data / f"neutral_{rows}_s{seed}.csv"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        contacts(rows, seed).drop("entity_id").write_csv(path)
    return path


def tiled(rows: int, data: Path) -> Path:
    """The cached ``rows``-row tiled CSV in ``data`` (generated on first use)."""
    path = data / f"crm_export_v4_{rows}.csv"
    if path.exists():
        return path
    data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        case = generate_demo(Path(tmp), people=BASE_PEOPLE)
        export = pl.read_csv(case.directory / "crm_export.csv", infer_schema=False)
    copies = -(-rows // export.height)
    pl.concat([_copy(export, k) for k in range(copies)]).head(rows).write_csv(path)
    return path


def _memory() -> str:
    """Current and peak resident memory of this process."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    mib = {key: int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}
    return f"(rss {mib['VmRSS']:,.0f} MiB, peak {mib['VmHWM']:,.0f} MiB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "crmclean-bench")
    parser.add_argument("--seed", type=int, default=7, help="the neutral file's seed")
    parser.add_argument(
        "--tiled", action="store_true", help="the stress case: the demo export tiled (see above)"
    )
    parser.add_argument("--file", type=Path, help="audit this CSV instead")
    args = parser.parse_args()
    path = args.file
    if path is None:
        path = (
            tiled(args.rows, args.data) if args.tiled else neutral(args.rows, args.data, args.seed)
        )
    args.data.mkdir(parents=True, exist_ok=True)  # the HTML report goes there
    marks: list[tuple[str, float, float]] = []
    start = time.perf_counter()

    def progress(stage: str) -> None:
        marks.append((stage, time.perf_counter(), time.process_time()))
        print(f"  {time.perf_counter() - start:7.1f} s  {stage:<10} {_memory()}", flush=True)

    result = audit([path], progress=progress)
    doc = result.to_dict()
    measured, measured_cpu = time.perf_counter(), time.process_time()
    html = write_html(doc, args.data / "audit.html")
    end = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file: {path} ({doc['records']['read']:,} rows)")
    stamps = [*marks, ("html", measured, measured_cpu)]
    for (stage, at, cpu), (_, after, cpu_after) in pairwise(stamps):
        print(f"  {stage:<10} {after - at:8.1f} s  (CPU of all threads {cpu_after - cpu:6.1f} s)")
    print(f"  {'html':<10} {end - measured:8.1f} s  ({html.stat().st_size / 1024:,.0f} KiB)")
    print(f"total: {end - start:.1f} s; peak memory (max RSS): {peak_mb:,.0f} MiB")
    print(f"score: {doc['score']['overall']} ({doc['score']['grade']})")


if __name__ == "__main__":
    main()
