"""Scoring a frame's candidate pairs, as the dedupe stage does for clusters and links.

keys (coded) -> blocking (candidate pairs) -> parameters (u, term frequencies, prior)
     -> compare -> m (EM, or labelled pairs) -> score (match probability)
     -> cluster check -> decisions
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import polars as pl

from crmclean.dedupe.blocking import candidate_pairs
from crmclean.dedupe.chunks import by_chunk, cluster_columns, floor_of, scored_chunks
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.cohesion import CHECKED, Cohesion, Scorer, cluster_check
from crmclean.dedupe.compare import LEFT, RIGHT, forget_kept
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.decisions import DECISION, apply_decisions, decided_pairs, read_decisions
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.learn import em_sample, expectation_maximisation, from_labelled_pairs
from crmclean.dedupe.model import MatchModel
from crmclean.dedupe.params import Parameters, estimate
from crmclean.dedupe.records import ColumnReader
from crmclean.dedupe.score import compared_pairs
from crmclean.dedupe.training import MATCH
from crmclean.rules import Rules


@dataclass(frozen=True)
class DedupeOptions:
    """Per-run choices: a match-probability threshold overriding the rules, a decisions file,
    whether to merge clusters into golden records (an audit only needs the clusters), a file
    of labelled pairs to learn ``m`` from, whether the golden records are meant for a
    target (then built by lineage-ordered slices, as the load stores them), and a saved model
    to decide with; the records' columns, when the frame holds only their lineage (set aside
    on disk while the stage runs: :mod:`crmclean.aside`), what gives their coded keys, when
    a thread builds them meanwhile (:meth:`~crmclean.dedupe.beside.KeysBeside.take`), and
    whether the frame gets every column of those records back after the stage (else it keeps
    their lineage, golden ids and the columns survivorship read: all a crosswalk reads)."""

    threshold: float | None = None
    decisions: Path | None = None
    merge: bool = True
    training_pairs: Path | None = None
    into_target: bool = False
    model: MatchModel | None = None  # decide with this saved model instead of learning one
    all_pairs: bool = False  # keep every scored pair in full (explain, review), not only likely
    slim_pairs: bool = False  # keep only what clustering reads (no evidence)
    learned_model: bool = True  # build the model learned (batch.model; an audit reads none)
    golden_fields: tuple[str, ...] | None = None  # the golden records' fields (None: all)
    merge_log: bool = True  # the merge log too (batch.merges)
    records: ColumnReader | None = None  # the records set aside (the frame holds the lineage)
    keys: Callable[[], KeyTable] | None = None  # gives the records' coded keys (beside.py)
    whole_frame: bool = True  # records set aside: every column back on the frame after the stage


class Matched(NamedTuple):
    """Candidate pairs scored: those kept in full, every candidate (``left, right``), those
    left out for their low probability (``left, right``: pairs to keep apart), the oversized
    blocks blocking skipped, and what scored them."""

    scored: pl.DataFrame
    candidates: pl.DataFrame
    apart: pl.DataFrame
    oversized: pl.DataFrame
    scorer: Scorer


@dataclass(frozen=True)
class Scored:
    """The scored pairs (candidates, cluster-check pairs, decisions applied; without
    ``all_pairs`` only those of a probability at :func:`~crmclean.dedupe.chunks.floor_of` or
    more), every candidate pair (``left, right``), the candidates left out of ``pairs``
    (``left, right``: each one below ``split_below``), the cluster check, the oversized blocks
    blocking skipped, and what gives the model that scored them (None without
    ``learned_model`` when none was given: no one reads it)."""

    pairs: pl.DataFrame
    candidates: pl.DataFrame
    cohesion: Cohesion
    oversized: pl.DataFrame
    learned: Callable[[], MatchModel | None]
    apart: pl.DataFrame

    @property
    def model(self) -> MatchModel | None:
        """The model that scored the pairs (waits for it while its id is being hashed)."""
        return self.learned()


def match_config(rules: Rules, options: DedupeOptions) -> MatchConfig:
    """The rules' match configuration with ``options.threshold`` applied."""
    config = load_match_config(rules)
    if options.model is not None:
        config = options.model.checked(config).config(config)
    if options.threshold is None:
        return config
    review = min(config.review_threshold, options.threshold)
    return config.model_copy(
        update={"auto_merge_threshold": options.threshold, "review_threshold": review}
    )


def find_matches(
    frame: pl.DataFrame, config: MatchConfig, labelled: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scored candidate pairs of ``frame`` (records indexed by ``_record``, with the matching
    keys of :mod:`~crmclean.dedupe.derived_keys`) and the oversized blocks blocking skipped.
    Pairs carry ``left, right`` (record indices), ``probability``, ``match``, ``review``,
    ``veto`` and per comparison ``sim_<name>`` and ``w_<name>`` (a deferrable comparison's
    ``sim_<name>`` is null where it could not change the decision: see
    :mod:`crmclean.dedupe.settle`).

    ``m`` comes from the ``labelled`` pairs marked ``match`` when given, else from EM when
    ``em_iterations`` is set, else from the rules.
    """
    found = matched(frame, config, labelled)
    return found.scored, found.oversized


def matched(
    frame: pl.DataFrame,
    config: MatchConfig,
    labelled: pl.DataFrame | None,
    keep: pl.Expr | None = None,
    model: MatchModel | None = None,
    floor: float = 0.0,
    table: KeyTable | None = None,
    slim: bool = False,
) -> Matched:
    """:func:`find_matches` and what scored its pairs, to score more of them alike; ``keep``
    selects the candidate pairs worth comparing (all without it). With a saved ``model``
    nothing is learned. Pairs under ``floor`` (at most ``split_below``) are kept as ``left,
    right`` only (:mod:`crmclean.dedupe.chunks`). ``table``: the records' coded keys, built
    already (out of core, ``frame`` then holds only the lineage); ``slim``: the pairs kept as
    :func:`~crmclean.dedupe.chunks.cluster_columns`."""
    if table is None:
        table = key_table(frame, config.key_names, config)
    pairs, oversized = candidate_pairs(table, config)
    if keep is not None:
        pairs = pairs.filter(keep)
    params = estimate(table, config)
    known: list[pl.DataFrame] = []
    if model is not None:
        params = model.parameters(table, config, params)
    elif labelled is not None:
        found = labelled.filter(MATCH).select(LEFT, RIGHT)
        params = from_labelled_pairs(found, table, config, params)
    elif config.em_iterations:
        params, known = _learned(pairs, table, config, params)
    scored, apart = scored_chunks(pairs, table, config, params, known, floor, slim=slim)
    return Matched(scored, pairs, apart, oversized, Scorer(table, config, params))


def _learned(
    pairs: pl.DataFrame, table: KeyTable, config: MatchConfig, params: Parameters
) -> tuple[Parameters, list[pl.DataFrame]]:
    """``params`` with ``m`` learned by EM, and EM's sample (compared) split by chunk: each
    piece freed once its chunk is scored (:func:`~crmclean.dedupe.chunks.by_chunk`)."""
    sample = compared_pairs(em_sample(pairs, config), table, config, params)
    params = expectation_maximisation(sample, config, params, table.height, pairs.height)
    return params, by_chunk(sample, pairs)


def scored_pairs(
    frame: pl.DataFrame,
    config: MatchConfig,
    options: DedupeOptions,
    labelled: pl.DataFrame | None = None,
    keep: pl.Expr | None = None,
    table: KeyTable | None = None,
) -> Scored:
    """Candidate pairs scored, the cluster check's pairs added, ``options.decisions`` applied
    (an empty ``decision`` without them); ``table`` as :func:`matched` takes it."""
    floor = 0.0 if options.all_pairs else floor_of(config)
    slim = options.slim_pairs
    found = matched(frame, config, labelled, keep, options.model, floor, table, slim)
    scorer = found.scorer
    learned = model_of(scorer, config, options)
    cohesion = cluster_check(found.scored, scorer, found.candidates)
    forget_kept()  # the cluster check compared last
    if slim:
        checked = cohesion.pairs.select(*cluster_columns(config), CHECKED)
        doubts = cohesion.doubts
        doubts = None if doubts is None else doubts.select(*cluster_columns(config))
        cohesion = Cohesion(checked, cohesion.sampled_clusters, doubts)
    pairs = pl.concat(
        [found.scored.with_columns(pl.lit(False).alias(CHECKED)), cohesion.pairs],
        how="diagonal_relaxed",
    )
    if options.decisions is None:
        pairs = pairs.with_columns(pl.lit(None, dtype=pl.String).alias(DECISION))
    else:
        decided = decided_pairs(read_decisions(options.decisions), frame)
        pairs = apply_decisions(pairs, decided)
    return Scored(pairs, found.candidates, cohesion, found.oversized, learned, found.apart)


def model_of(
    scorer: Scorer, config: MatchConfig, options: DedupeOptions
) -> Callable[[], MatchModel | None]:
    """What gives the run's model: the saved one, None when no one reads it (an audit), or
    the one learned, built on a thread beside the cluster check and the clustering after it
    (hashing its term-frequency tables for its id sorts them on one core: ~1 s at 1M)."""
    model = options.model
    if model is not None or not options.learned_model:
        return lambda: model
    pool = ThreadPoolExecutor(1, thread_name_prefix="crmclean-model")
    learned = pool.submit(MatchModel.learned, scorer.params, scorer.table, config)
    pool.shutdown(wait=False)  # its thread ends with its one task
    return learned.result


def with_doubt_checks(pairs: pl.DataFrame, cohesion: Cohesion) -> pl.DataFrame:
    """``pairs`` and the pairs the cluster check scored for the doubt rule alone (see
    :mod:`crmclean.dedupe.cohesion`): what :func:`~crmclean.dedupe.chains.doubted` reads."""
    if cohesion.doubts is None or cohesion.doubts.is_empty():
        return pairs
    return pl.concat([pairs, cohesion.doubts], how="diagonal_relaxed")


def unchecked() -> pl.Expr:
    """Pairs not from the cluster check, or decided (their decision holds)."""
    return ~(pl.col(CHECKED).fill_null(False) & pl.col(DECISION).is_null())
