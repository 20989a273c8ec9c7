"""The dedupe stage: find records of the same person and merge each group into a golden record.

    matching keys (:mod:`~crmclean.dedupe.derived_keys`) -> scored pairs
         (:mod:`~crmclean.dedupe.matching`) -> clusters (chains cut) -> survivorship

With the target's clusters on the batch (``migrate run``), only the new and changed records
are matched, among themselves and against the target's golden records, and linked into the
target's clusters (:mod:`crmclean.dedupe.link`); golden ids stay stable. The rules live in
``rules/match.yaml`` (see :mod:`crmclean.dedupe.config`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import polars as pl

from crmclean.batch import GOLDEN_ID, Batch
from crmclean.dedupe.blocking import oversized_findings
from crmclean.dedupe.bridges import bridged
from crmclean.dedupe.chains import contested, doubted, weak_links
from crmclean.dedupe.chunks import floor_of
from crmclean.dedupe.cluster import (
    assign_golden_ids,
    components,
    lineage_digests,
    within_components,
)
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.cohesion import CHECKED
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.decisions import apply_overrides, cannot_link, field_overrides
from crmclean.dedupe.derived_keys import add_keys
from crmclean.dedupe.keys import RECORD, grouped_key_table
from crmclean.dedupe.link import link, linking
from crmclean.dedupe.matching import (
    DedupeOptions,
    Scored,
    find_matches,
    match_config,
    scored_pairs,
    unchecked,
    with_doubt_checks,
)
from crmclean.dedupe.merge import golden_by_slices, golden_records, merge_columns, merge_log
from crmclean.dedupe.records import ColumnReader
from crmclean.dedupe.survivorship import flagged_fields
from crmclean.dedupe.training import labelled_pairs, read_training_pairs
from crmclean.rules import Rules

__all__ = [
    "DedupeOptions",
    "dedupe",
    "find_matches",
    "match_config",
    "read_back",
    "remerge",
    "survivorship_reads",
]
ALTERNATED = ("email", "phone", "mobile")  # the fields golden records' alternates come from


def dedupe(batch: Batch, rules: Rules, options: DedupeOptions | None = None) -> Batch:
    """Give every record a ``golden_id``; build ``batch.golden`` (one row per golden record),
    ``batch.pairs`` (the scored pairs that can matter; every one with ``options.all_pairs``,
    for explain) and ``batch.merges`` (the merge
    log: every disagreeing value of a merged cluster and whether it survived).

    With ``batch.target`` holding golden records, the records are linked into them instead
    (``batch.pairs`` is then None: its indices would not be the frame's).
    """
    options = options or DedupeOptions()
    config = match_config(rules, options)
    records = options.records
    frame = batch.frame.drop(GOLDEN_ID, strict=False)
    if linking(batch.target):  # keys of the fresh and golden records (options.keys unread)
        assert batch.target is not None and records is None
        frame = add_keys(frame, rules)
        linked = link(frame, batch.rejects, batch.target, config, options, rules)
        result = replace(batch, frame=linked.frame, target=linked.target, model=linked.model)
        result = result.add_findings(linked.findings)
        return remerge(result.add_stats("dedupe", **linked.stats), rules, options)
    table = None if options.keys is None else options.keys()
    if records is None:
        frame = add_keys(frame, rules)
    elif table is None:  # the frame holds the lineage: the keys built from the records aside
        table = grouped_key_table(records, config.key_names, config, threads=os.cpu_count() or 1)
    frame = frame.with_row_index(RECORD)
    with ThreadPoolExecutor(1, thread_name_prefix="crmclean-ids") as pool:
        digests = pool.submit(lineage_digests, frame)  # beside the matching, on a core it idles
        clustered, scored = clusters(frame, config, options, table, digests.result)
    del table
    findings = oversized_findings(scored.oversized, frame, config.oversized_report)
    if records is not None:  # what survivorship reads, for the merge
        clustered = clustered.hstack(
            records(records.held(merge_columns(golden_fields(rules, options))))
        )
    result = replace(batch, frame=clustered, pairs=scored.pairs)
    if batch.target is not None:  # a target with no golden records yet: nothing kept
        result = replace(result, target=replace(batch.target, kept=None, renamed=None))
    result = remerge(result, rules, options).add_findings(findings)
    if records is not None and options.whole_frame:  # the frame as built in memory
        result = result.with_frame(_restored(records, clustered))
    golden = result.golden if options.merge else None  # one row per cluster
    result = result.add_stats("dedupe", **stage_counts(scored, clustered, golden))
    return replace(result, model=scored.model)  # its id hashed beside the merge


def _restored(records: ColumnReader, clustered: pl.DataFrame) -> pl.DataFrame:
    """Every column of ``records`` and the derived keys, and ``clustered``'s golden ids."""
    columns = tuple(name for name in records.columns() if name != GOLDEN_ID)
    return records(columns).with_columns(clustered[GOLDEN_ID])


def clusters(
    frame: pl.DataFrame,
    config: MatchConfig,
    options: DedupeOptions,
    table: KeyTable | None = None,
    digests: Callable[[], pl.Series] | None = None,
) -> tuple[pl.DataFrame, Scored]:
    """``frame`` (records indexed by ``_record``, with their matching keys' columns, or only
    the lineage when their coded keys are given as ``table``) with a ``golden_id`` per record
    (``_record`` dropped), and the scored pairs that decided them. ``digests`` gives the
    records' :func:`~crmclean.dedupe.cluster.lineage_digests`, hashed meanwhile."""
    labelled = None
    if options.training_pairs is not None:
        labelled = labelled_pairs(read_training_pairs(options.training_pairs), frame)
    scored = scored_pairs(frame, config, options, labelled, table=table)
    pairs = scored.pairs
    contradicted = contested(pairs, config.identifiers, config.contradicting)
    matches = pairs.filter("match").join(contradicted, on=[LEFT, RIGHT], how="anti")
    matches = weak_links(matches, config.identifiers)
    apart = within_components(scored.apart, components(frame.height, matches))
    cannot = pl.concat([cannot_link(pairs.filter(unchecked()), config), apart])
    disputed = cannot_link(pairs.filter(~unchecked()), config)
    lifted = bridged(pairs.filter(unchecked()), matches, config, floor_of(config))
    cannot = cannot.join(lifted, on=[LEFT, RIGHT], how="anti")
    disputed = pl.concat([disputed, lifted])
    doubts = doubted(with_doubt_checks(pairs, scored.cohesion), config.doubting)
    hashed = None if digests is None else digests()
    clustered = assign_golden_ids(frame, matches, cannot, disputed, contradicted, doubts, hashed)
    return clustered.drop(RECORD), scored


def stage_counts(
    scored: Scored, clustered: pl.DataFrame, golden: pl.DataFrame | None = None
) -> dict[str, int]:
    """The dedupe stage's counts: pairs, clusters, golden records (the clusters' sizes read
    from ``golden``'s ``source_count`` when given: one row per cluster of ``clustered``)."""
    matches = scored.pairs.filter("match")
    return {
        "records": clustered.height,
        "candidate_pairs": scored.candidates.height,
        "checked_pairs": scored.cohesion.pairs.height,
        "sampled_clusters": scored.cohesion.sampled_clusters,
        "matched_pairs": int(matches[CHECKED].not_().fill_null(True).sum()),
        "review_pairs": int(scored.pairs["review"].sum()),
        **_cluster_counts(clustered, golden),
        "oversized_blocks": scored.oversized.height,
    }


def remerge(batch: Batch, rules: Rules, options: DedupeOptions) -> Batch:
    """``batch`` with its golden records and merge log (re)built from its clusters (nothing
    without ``options.merge``). Into a target, the target's records of the touched golden
    records take part too, and survivorship runs by slices in lineage order, as the load
    stores the golden records. Else the golden records hold only ``options.golden_fields``
    when given (the segments' fields: a run writing no golden record). The merge log is
    built only with ``options.merge_log`` (``migrate`` builds none: the load plan writes the
    target's ``merges`` from the golden records, :func:`~crmclean.load.changes.merge_rows`)."""
    if not options.merge:
        return batch
    config = match_config(rules, options)
    fields, clustered = golden_fields(rules, options), batch.frame
    if not options.into_target:
        golden = golden_records(clustered, fields, config.survivorship, batch.findings)
        if options.decisions is not None:
            overrides = field_overrides(options.decisions, clustered)
            golden = apply_overrides(golden, clustered, overrides)
        merges = merge_log(clustered, golden, fields) if options.merge_log else None
        return replace(batch, golden=golden, merges=merges)
    members = clustered
    kept = None if batch.target is None else batch.target.kept
    if kept is not None:
        members = pl.concat([kept, clustered.select(kept.columns)], how="vertical_relaxed")
    golden = golden_by_slices(members, fields, config.survivorship)
    merges = merge_log(members, golden, fields) if options.merge_log else None
    return replace(batch, golden=golden, merges=merges)


def survivorship_reads(rules: Rules) -> list[str]:
    """The fields whose findings survivorship reads (its ``valid_only`` fields): of the
    findings, all the stage reads."""
    return flagged_fields(rules.model.names, load_match_config(rules).survivorship)


def read_back(rules: Rules, options: DedupeOptions, keys: bool) -> list[str] | None:
    """The columns of the records set aside that :func:`dedupe` reads back when their coded
    keys come built (``keys``, :attr:`DedupeOptions.keys`) and the frame does not get its
    every column back (``options.whole_frame``): the merge's; else None (every column: the
    keys built from them, or the whole frame read back)."""
    if options.whole_frame or not keys:
        return None
    return merge_columns(golden_fields(rules, options))


def golden_fields(rules: Rules, options: DedupeOptions) -> list[str]:
    """The fields of the golden records :func:`remerge` builds: every field of the model, or
    ``options.golden_fields`` and :data:`ALTERNATED` when given (never into a target)."""
    fields = rules.model.names
    if options.into_target or options.golden_fields is None:
        return fields
    wanted = {*options.golden_fields, *ALTERNATED}
    return [name for name in fields if name in wanted]


def _cluster_counts(clustered: pl.DataFrame, golden: pl.DataFrame | None) -> dict[str, int]:
    """Golden records, clusters of several records, records merged into another, largest."""
    if golden is None:  # no merge: the sizes counted by golden id
        sizes = clustered[GOLDEN_ID].value_counts()["count"]
    else:
        sizes = golden["source_count"]
    return {
        "clusters": int((sizes > 1).sum()),
        "merged_records": clustered.height - sizes.len(),
        "golden": sizes.len(),
        "largest_cluster": int(sizes.to_frame().select(pl.all().max()).item() or 0),
    }
