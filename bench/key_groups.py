"""The keys phase of dedupe, group by group: CPU seconds of the derived columns and of each key
group (built alone, one thread), best of ``--repeats``. With ``--save FILE`` the coded keys
(codes, then each key's values) are written to a parquet file; ``--against FILE`` asserts
they equal a file saved before (a speed-up must leave every key identical). Reads the
normalized frame ``bench/phases.py`` caches beside its file. Run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/key_groups.py /tmp/neutral_1m.parquet
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_series_equal

sys.path.insert(0, str(Path(__file__).parent))

from phases import normalized

from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import OPTIONAL, RECORD, _coded, key_group, key_table
from crmclean.rules import Rules


def _cpu(work: object, repeats: int) -> float:
    """The least CPU seconds (every thread of the process) of ``repeats`` calls of ``work``."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        work()  # type: ignore[operator]
        best = min(best, time.process_time() - started)
    return best


def _same(codes: pl.DataFrame, decoded: pl.DataFrame, saved: Path) -> None:
    """Assert the keys equal those saved: codes and text alike; a list key whose lists hold
    the same values in another order (``name_pairs`` of names of three words or more: a join's
    order) is reported, its lists compared sorted."""
    before = pl.read_parquet(saved.with_suffix(".codes.parquet"))
    text = pl.read_parquet(saved.with_suffix(".decoded.parquet"))
    for key in codes.columns:
        if codes[key].equals(before[key]) and decoded[key].equals(text[key]):
            continue
        assert isinstance(codes.schema[key], pl.List), key
        assert_series_equal(decoded[key].list.sort(), text[key].list.sort())
        print(f"  {key}: same values per record, in another order")
    print("  keys identical to", saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    rules = Rules()
    config = load_match_config(rules)
    frame = normalized(args.file, rules)
    names = config.key_names
    derived = _cpu(lambda: add_keys(frame, rules), args.repeats)
    keyed = add_keys(frame, rules).with_row_index(RECORD)
    missing = [pl.lit(None, t).alias(c) for c, t in OPTIONAL.items() if c not in keyed]
    source = keyed.with_columns(missing)
    print(f"  {'derived columns':<40} {derived:6.2f} s CPU")
    total = derived
    for group in dict.fromkeys(key_group(name) for name in names):
        wanted = [name for name in names if key_group(name) is group]
        rows = source.select(group.inputs)
        spent = _cpu(lambda g=group, w=wanted, r=rows: _coded(r, g, w, config), args.repeats)
        total += spent
        print(f"  {','.join(wanted)[:40]:<40} {spent:6.2f} s CPU")
    print(f"  {'sum':<40} {total:6.2f} s CPU")
    whole = _cpu(lambda: key_table(keyed, names, config), args.repeats)
    print(f"  {'key_table (threads)':<40} {whole:6.2f} s CPU")
    if args.save or args.against:
        table = key_table(keyed, names, config)
        decoded = table.decoded()
        if args.save:
            table.codes.write_parquet(args.save.with_suffix(".codes.parquet"))
            decoded.write_parquet(args.save.with_suffix(".decoded.parquet"))
        if args.against:
            _same(table.codes, decoded, args.against)


if __name__ == "__main__":
    main()
