"""What each blocking rule brings: its pairs, those no other rule makes, and how many of those
are true pairs and scored matches (or in review).

Per labelled set, per rule of rules/match.yaml: ``pairs`` (distinct), ``unique`` (pairs no
other rule makes), ``true`` (true pairs it reaches), ``u_true`` (true pairs only it reaches),
``u_match`` / ``u_review`` (its unique pairs the dedupe stage's scoring puts at
auto_merge_threshold or in the review band) and ``u_true_match`` (unique true pairs scored a
match); a last row, ``all rules``: every candidate pair, the true pairs among them, and the
matches and review pairs among them (``u_match``, ``u_review``). A rule with blocks past its
cap has a line per part: its whole blocks, then ``rule / key`` per split key (``unique``: no
other part of any rule makes the pair). Sets: a neutral file of bench/neutral.py
(``--neutral FILE``, normalized and cached by bench/phases.py), and the sets of
bench/accuracy.py by name (``--sets``). Run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/block_yield.py \\
        --neutral /tmp/neutral_1m.parquet --sets febrl3 fake1000 crm5000 --people 5000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from accuracy import _cases, _true_pairs
from block_caps import true_pairs
from phases import normalized

from crmclean.dedupe.blocking import rule_blocks
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config, rule_name
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.dedupe.matching import matched
from crmclean.rules import Rules

PAIR = "pair"


def _code(pairs: pl.DataFrame) -> pl.Series:
    """Each pair as one integer, ``left << 32 | right``."""
    return pairs.select((pl.col(LEFT).cast(pl.UInt64) * 2**32 + pl.col(RIGHT)).alias(PAIR))[PAIR]


def _parts(table: KeyTable, rule: list[str], config: MatchConfig) -> list[str]:
    """The name of each part of a rule's blocks (:func:`rule_blocks`): its blocks up to its cap,
    then those of each split key."""
    found, _ = rule_blocks(table, rule, config)  # caps for the table's records (not twice)
    cap = config.rule_caps.get(rule_name(rule))
    split_keys = cap.split_keys if cap else config.split_keys
    keys = [key for key in split_keys if key not in rule and key in table.codes]
    parts = [rule_name(rule), *(f"{rule_name(rule)} / {key}" for key in keys)]
    return parts[: len(found)]


def rule_yield(frame: pl.DataFrame, truth: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """The table of the module docstring for ``frame`` (records with keys, in record order) and
    its true pairs (``left < right``)."""
    keyed = frame.with_row_index(RECORD)
    table = key_table(keyed, config.key_names, config)
    names = [name for rule in config.blocking for name in _parts(table, rule, config)]
    blocks = [blocks for rule in config.blocking for blocks in rule_blocks(table, rule, config)[0]]
    found = pl.concat(
        _code(one.pairs()).unique().to_frame().with_columns(rule=pl.lit(i))
        for i, one in enumerate(blocks)
    )
    counts = found.group_by(PAIR).agg(rules=pl.len())
    scored = matched(keyed, config, None).scored
    marks = pl.DataFrame(
        {PAIR: _code(scored), "match": scored["match"], "review": scored["review"]}
    )
    truth = pl.DataFrame({PAIR: _code(truth.cast({LEFT: pl.UInt32, RIGHT: pl.UInt32}))})
    rows = (
        found.join(counts, on=PAIR)
        .join(marks, on=PAIR, how="left")
        .with_columns(
            true=pl.col(PAIR).is_in(truth[PAIR].implode()),
            unique=pl.col("rules") == 1,
            match=pl.col("match").fill_null(False),
            review=pl.col("review").fill_null(False),
        )
    )
    unique = pl.col("unique")
    table_ = rows.group_by("rule").agg(
        pairs=pl.len(),
        unique=unique.sum(),
        true=pl.col("true").sum(),
        u_true=(unique & pl.col("true")).sum(),
        u_match=(unique & pl.col("match")).sum(),
        u_review=(unique & pl.col("review")).sum(),
        u_true_match=(unique & pl.col("true") & pl.col("match")).sum(),
    )
    table_ = table_.sort("rule").with_columns(
        pl.col("rule").replace_strict(range(len(names)), names, return_dtype=pl.String)
    )
    return table_.vstack(
        pl.DataFrame(
            {
                "rule": ["all rules"],
                "pairs": [counts.height],
                "unique": [None],
                "true": [rows.filter("true")[PAIR].n_unique()],
                "u_true": [None],
                "u_match": [int(scored["match"].sum())],
                "u_review": [int(scored["review"].sum())],
                "u_true_match": [None],
            }
        ).cast(table_.schema)
    )


def _print(name: str, table: pl.DataFrame) -> None:
    print(name, flush=True)
    with pl.Config(
        tbl_rows=80, tbl_width_chars=200, fmt_str_lengths=70, tbl_hide_dataframe_shape=True
    ):
        print(table, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neutral", type=Path, nargs="*", default=[])
    parser.add_argument("--sets", nargs="*", default=[])
    parser.add_argument("--people", type=int, nargs="*", default=[5000])
    parser.add_argument("--companies", type=int, nargs="*", default=[])
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rules = Rules()
    config = load_match_config(rules)
    for file in args.neutral:
        frame = add_keys(normalized(file, rules), rules)
        truth = true_pairs(file, frame.select("_source_id"))
        _print(file.name, rule_yield(frame, truth, config))
    with tempfile.TemporaryDirectory(prefix="crmclean-yield-") as directory:
        cases = _cases(args, Path(directory))
        for name in args.sets:
            case = cases[name]()
            _print(name, rule_yield(case.batch.frame, _true_pairs(case), config))  # type: ignore[union-attr,arg-type]


if __name__ == "__main__":
    main()
