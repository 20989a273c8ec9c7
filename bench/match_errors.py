"""False merges and missed pairs of the outside CRM set, by kind, with examples.

    PYTHONPATH=$PWD:bench python bench/match_errors.py --people 5000 [--examples 15]
        [--cache DIR] [--save DIR] [--threshold P] [--set crm|probe]

``--set probe`` classifies the errors on bench/probe_set.py's households instead.

``--cache`` keeps the normalized set (building it is the slow part: run that under the shared
lock), so later runs take seconds; ``--save`` writes the pairs and records as parquet.

A false merge is *direct* (the pair itself scored over the threshold) or a *chain* (joined
through other records). A missed pair was never compared (blocking), compared and found far
below (under the floor of pairs kept in full: only its indices are kept), vetoed, scored below
the threshold, or matched and then cut (chain protection).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl
from outside_crm import outside_crm_case
from probe_set import probe_case

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe import DedupeOptions, add_keys, dedupe
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.cohesion import CHECKED
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.matching import match_config
from crmclean.rules import Rules

SHOWN = ["first_name", "last_name", "email", "phone", "mobile", "company", "city", "birth_date",
         "street", "postal_code"]  # fmt: skip


def _records(frame: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    columns = [c for c in SHOWN if c in frame.columns]
    return (
        frame.with_row_index("record")
        .join(truth.cast(pl.String), left_on=[SOURCE, SOURCE_ID], right_on=["source", "source_id"])
        .select("record", "person_id", GOLDEN_ID, *columns)
    )


def _pairs(records: pl.DataFrame, by: str) -> pl.DataFrame:
    slim = records.select("record", by)
    return (
        slim.join(slim, on=by, suffix="_r")
        .filter(pl.col("record") < pl.col("record_r"))
        .select(left="record", right="record_r")
    )


def _show(pairs: pl.DataFrame, records: pl.DataFrame, count: int, weights: list[str]) -> None:
    shown = records.select("record", *[c for c in SHOWN if c in records.columns])
    for row in pairs.head(count).iter_rows(named=True):
        a = shown.row(by_predicate=pl.col("record") == row["left"], named=True)
        b = shown.row(by_predicate=pl.col("record") == row["right"], named=True)
        evidence = " ".join(
            f"{w[2:]}={row[w]:+.1f}" for w in weights if row.get(w) not in (None, 0.0)
        )
        print(f"    p={row.get('probability') or 0:.3f} veto={row.get('veto')} {evidence}")
        for side in (a, b):
            print("      " + " | ".join(str(side[c]) for c in SHOWN if c in side))


def _candidates(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``left, right`` of every candidate pair blocking makes (records in ``frame`` order)."""
    config = match_config(rules, DedupeOptions())
    keyed = add_keys(frame, rules).with_row_index(RECORD)
    pairs, _ = candidate_pairs(key_table(keyed, config.key_names, config), config)
    return pairs.with_columns(candidate=pl.lit(True))


def _case(
    people: int, seed: int, cache: Path | None, name: str = "crm"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The normalized records and the truth, from ``cache`` when it holds them."""
    stem = f"{name}{people}_{seed}"
    if cache is not None and (cache / f"{stem}.parquet").exists():
        frame = pl.read_parquet(cache / f"{stem}.parquet")
        return frame, pl.read_parquet(cache / f"{stem}_truth.parquet")
    build = probe_case if name == "probe" else outside_crm_case
    with tempfile.TemporaryDirectory(prefix="crmclean-errors-") as directory:
        case = build(people, seed, Path(directory))
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        case.batch.frame.write_parquet(cache / f"{stem}.parquet")
        case.truth.write_parquet(cache / f"{stem}_truth.parquet")
    return case.batch.frame, case.truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--save", type=Path, help="a folder for the pairs and records (parquet)")
    parser.add_argument("--threshold", type=float, help="override auto_merge_threshold")
    parser.add_argument(
        "--cache", type=Path, help="a folder keeping the normalized set between runs"
    )
    parser.add_argument("--set", choices=["crm", "probe"], default="crm", dest="name")
    args = parser.parse_args()
    frame, truth = _case(args.people, args.seed, args.cache, args.name)
    started = time.perf_counter()
    batch = dedupe(Batch(frame), Rules(), DedupeOptions(threshold=args.threshold))
    print(f"dedupe {time.perf_counter() - started:.1f} s")
    assert batch.pairs is not None
    records = _records(batch.frame, truth)
    scored = batch.pairs.filter(~pl.col(CHECKED).fill_null(False))
    weights = [c for c in scored.columns if c.startswith("w_")]
    scored = scored.select("left", "right", "probability", "match", "veto", *weights)
    truth, predicted = _pairs(records, "person_id"), _pairs(records, GOLDEN_ID)
    false_merges = predicted.join(truth, on=["left", "right"], how="anti")
    missed = truth.join(predicted, on=["left", "right"], how="anti")
    hits = predicted.height - false_merges.height
    precision, recall = hits / max(predicted.height, 1), hits / max(truth.height, 1)
    print(
        f"pairs: predicted {predicted.height}, true {truth.height}, false merges "
        f"{false_merges.height}, missed {missed.height}; P {precision:.4f} R {recall:.4f}"
    )
    fp = false_merges.join(scored, on=["left", "right"], how="left")
    fp = fp.with_columns(
        kind=pl.when(pl.col("match")).then(pl.lit("direct")).otherwise(pl.lit("chain"))
    )
    fn = missed.join(scored, on=["left", "right"], how="left")
    fn = fn.join(_candidates(frame, Rules()), on=["left", "right"], how="left").with_columns(
        kind=pl.when(pl.col("probability").is_null() & pl.col("candidate").is_null())
        .then(pl.lit("not compared"))
        .when(pl.col("probability").is_null())
        .then(pl.lit("far below"))
        .when(pl.col("veto"))
        .then(pl.lit("vetoed"))
        .when(~pl.col("match"))
        .then(pl.lit("below threshold"))
        .otherwise(pl.lit("cut"))
    )
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for name, frame in (("false_merges", fp), ("missed", fn), ("scored", scored)):
            frame.write_parquet(args.save / f"{name}.parquet")
        records.write_parquet(args.save / "records.parquet")  # fmt: skip
    for title, frame in (("false merges", fp), ("missed pairs", fn)):
        print(f"{title}:")
        for kind, group in frame.group_by("kind", maintain_order=True):
            print(f"  {kind[0]}: {group.height}")
            _show(group.sample(min(args.examples, group.height), seed=1), records,
                  args.examples, weights)  # fmt: skip


if __name__ == "__main__":
    main()
