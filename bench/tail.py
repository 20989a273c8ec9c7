"""The dedupe stage's tail, phase by phase, in CPU seconds: parameters, EM, the model learned
(and its JSON), clusters and merge, each repeated (best of), with their outputs written for an
identity check between two versions of the code.

``prepare`` runs the stage up to the clusters' input once (read, normalize as
``bench/phases.py`` does, keys, blocking, parameters, EM, compare and score, cluster check) and
pickles what the tail reads; ``run`` times the tail on it and writes ``params.pkl``,
``model.json`` (``learned_at`` blanked), ``crosswalk.parquet`` and ``golden.parquet`` to a
folder; ``same`` says whether two such folders hold the same outputs. CPU time (every thread
of the process), not wall-clock: the figures hold on a loaded machine. At 1M records run
``prepare`` and ``run`` under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/tail.py prepare FILE STATE
    PYTHONPATH=OLD .venv/bin/python bench/tail.py run STATE /tmp/old
    PYTHONPATH=NEW .venv/bin/python bench/tail.py run STATE /tmp/new
    .venv/bin/python bench/tail.py same /tmp/old /tmp/new
"""

from __future__ import annotations

import argparse
import pickle
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).parent))

_OUTPUTS = ("crosswalk.parquet", "golden.parquet")


def _cpu() -> float:
    """CPU seconds of this process so far (user and system, every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare(file: Path, state: Path) -> None:
    """Pickle the records with their keys, the key table, the candidate pairs and what
    clustering reads (matched, cannot-link and disputed pairs)."""
    from phases import links, normalized

    from crmclean.dedupe.blocking import candidate_pairs
    from crmclean.dedupe.chunks import by_chunk, floor_of, scored_chunks
    from crmclean.dedupe.cohesion import Scorer, cluster_check
    from crmclean.dedupe.config import load_match_config
    from crmclean.dedupe.derived_keys import add_keys
    from crmclean.dedupe.keys import RECORD, key_table
    from crmclean.dedupe.learn import em_sample, expectation_maximisation
    from crmclean.dedupe.params import estimate
    from crmclean.dedupe.score import compared_pairs
    from crmclean.rules import Rules

    rules = Rules()
    config = load_match_config(rules)
    keyed = add_keys(normalized(file, rules), rules).with_row_index(RECORD)
    table = key_table(keyed, config.key_names, config)
    pairs, _ = candidate_pairs(table, config)
    params = estimate(table, config)
    sample = compared_pairs(em_sample(pairs, config), table, config, params)
    params = expectation_maximisation(sample, config, params, table.height, pairs.height)
    known = by_chunk(sample, pairs)  # as the command: the sample not held while scoring
    del sample
    scored, apart = scored_chunks(pairs, table, config, params, known, floor_of(config))
    cohesion = cluster_check(scored, Scorer(table, config, params), pairs)
    every, cannot, disputed = links(scored, cohesion.pairs, apart, config)
    with state.open("wb") as out:
        pickle.dump((keyed, table, pairs, every.filter("match"), cannot, disputed), out)


def _timed(name: str, repeats: int, step: Callable[[], Any]) -> tuple[Any, float]:
    """``step``'s result and its least CPU seconds over ``repeats`` runs (printed)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = _cpu()
        result = step()
        best = min(best, _cpu() - started)
    print(f"  {name:<10} {best:6.2f} s CPU (best of {repeats})", flush=True)
    return result, best


def run(state: Path, folder: Path, repeats: int) -> None:
    """Time the tail on ``state`` and write its outputs to ``folder``."""
    from crmclean.dedupe.cluster import assign_golden_ids
    from crmclean.dedupe.config import load_match_config
    from crmclean.dedupe.keys import RECORD
    from crmclean.dedupe.learn import em_sample, expectation_maximisation
    from crmclean.dedupe.merge import golden_records
    from crmclean.dedupe.model import MatchModel
    from crmclean.dedupe.params import estimate
    from crmclean.dedupe.score import compared_pairs
    from crmclean.rules import Rules

    rules = Rules()
    config = load_match_config(rules)
    with state.open("rb") as saved:
        keyed, table, pairs, matches, cannot, disputed = pickle.load(saved)
    folder.mkdir(parents=True, exist_ok=True)
    first, params_s = _timed("params", repeats, lambda: estimate(table, config))

    def em() -> Any:
        sample = compared_pairs(em_sample(pairs, config), table, config, first)
        return expectation_maximisation(sample, config, first, table.height, pairs.height)

    params, em_s = _timed("em", repeats, em)
    model, model_s = _timed("model", repeats, lambda: MatchModel.learned(params, table, config))
    text, _ = _timed("model_json", repeats, model.to_json)
    tf = {name: values.to_list() for name, values in params.tf.items()}
    (folder / "params.pkl").write_bytes(pickle.dumps((params.u, params.m, params.prior, tf)))
    (folder / "model.json").write_text(text.replace(model.learned_at, "LEARNED"))

    def clusters() -> pl.DataFrame:
        return assign_golden_ids(keyed, matches, cannot, disputed)

    clustered, clusters_s = _timed("clusters", repeats, clusters)
    clustered.select("_source", "_source_id", "golden_id").write_parquet(folder / _OUTPUTS[0])
    records = clustered.drop(RECORD)

    def merge() -> pl.DataFrame:
        return golden_records(records, rules.model.names, config.survivorship, None)

    golden, merge_s = _timed("merge", repeats, merge)
    golden.write_parquet(folder / _OUTPUTS[1])
    total = params_s + em_s + model_s + clusters_s + merge_s
    print(f"  params + em + model + clusters + merge: {total:.2f} s CPU")


def same(old: Path, new: Path) -> None:
    """Fail unless the two folders of :func:`run` hold the same outputs."""
    for name in _OUTPUTS:
        assert_frame_equal(pl.read_parquet(old / name), pl.read_parquet(new / name))
    for name in ("model.json", "params.pkl"):
        assert (old / name).read_bytes() == (new / name).read_bytes(), name
    print("params, model JSON, crosswalk and golden records identical")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("prepare")
    made.add_argument("file", type=Path)
    made.add_argument("state", type=Path)
    timed = commands.add_parser("run")
    timed.add_argument("state", type=Path)
    timed.add_argument("folder", type=Path)
    timed.add_argument("--repeats", type=int, default=3)
    compared = commands.add_parser("same")
    compared.add_argument("old", type=Path)
    compared.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.file, args.state)
    elif args.command == "run":
        run(args.state, args.folder, args.repeats)
    else:
        same(args.old, args.new)


if __name__ == "__main__":
    main()
