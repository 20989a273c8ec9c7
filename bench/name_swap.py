"""name_swap from the pairs' texts against from the key's values, in one process (#12).

Keys and candidate pairs of a neutral file (``bench/neutral.py``; normalized once and cached as
``bench/phases.py`` does), then the ``swapped`` comparison over every candidate pair both ways,
alternating: seconds, and whether every similarity is equal. Run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/name_swap.py /tmp/neutral_500k.parquet
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from phases import normalized

from crmclean.dedupe import compare as compare_module
from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.rules import Rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rules = Rules()
    config = load_match_config(rules)
    keyed = add_keys(normalized(args.file, rules), rules).with_row_index(RECORD)
    table = key_table(keyed, config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    print(f"{args.file.name}: {pairs.height:,} candidate pairs")
    values = compare_module.METHODS["swapped"]
    ways = {"texts": dataclasses.replace(values, on_values=None), "values": values}
    for round_ in range(args.rounds):
        found = {}
        for name, method in ways.items():
            compare_module.METHODS["swapped"] = method
            started = time.perf_counter()
            found[name] = compare_module.compare(pairs, table, "name_parts", "swapped")
            print(f"  round {round_ + 1} from {name:<6} {time.perf_counter() - started:6.2f} s")
        equal = found["texts"].fill_null(-1.0).equals(found["values"].fill_null(-1.0))
        print(f"  every similarity equal: {equal}")
    compare_module.METHODS["swapped"] = values


if __name__ == "__main__":
    main()
