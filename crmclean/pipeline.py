"""The whole job on one page: read -> map -> normalize -> dedupe -> validate -> load.

:func:`run` is the only orchestrator: every command is this run with :class:`RunOptions`,
stopped before a stage. Each stage is ``stage(batch, rules, options) -> batch``
(docs/pipeline.md draws what each adds to the batch); only ``migrate run`` passes a target.
What only a run into a target does is :mod:`crmclean.into_target`, imported by the functions
here that reach it: it imports the load package (SQLAlchemy), no part of a run without one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from crmclean.aside import set_aside, take_back
from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID, Batch
from crmclean.conservation import check_conservation
from crmclean.dedupe import DedupeOptions, dedupe, match_config, read_back, survivorship_reads
from crmclean.dedupe.beside import KeysBeside
from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.model import MatchModel
from crmclean.dedupe.records import ColumnReader
from crmclean.errors import UserError
from crmclean.fingerprint import config_hash
from crmclean.load.run import STAGE_ROWS, STATS_KEY, LoadResult, RunInfo
from crmclean.normalize import normalize
from crmclean.overrides import apply_overrides, read_overrides
from crmclean.rules import Rules
from crmclean.segments.orders import OrderSource
from crmclean.segments.stage import check_segment_inputs, segment_fields, segment_stage
from crmclean.sources import SourceSpec, map_sources, read_sources

if TYPE_CHECKING:
    from crmclean.accounts.stage import CompanyResult
    from crmclean.load.plan import LoadPlan
    from crmclean.validate import GateResult
    from crmclean.validate.quarantine import OnFail

StageName = Literal["read", "map", "normalize", "dedupe", "validate", "load", "end"]
STAGES: tuple[StageName, ...] = ("read", "map", "normalize", "dedupe", "validate", "load")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunOptions:
    """Per-run choices, the same for every command.

    ``target`` (a database URL or SQLite file) is loaded by ``migrate run``; ``threshold``
    (the auto-merge match probability), ``training_pairs`` (labelled pairs teaching ``m``) and
    ``decisions`` (must-link and cannot-link pairs, field overrides) steer the dedupe, against
    the target's golden records too. ``merge`` builds golden records from the clusters (an
    audit only needs the clusters). ``overrides`` (source, source_id, field, value) fix source
    values before normalize; ``orders`` (orders and deals files) feed the segments' RFM.
    ``on_fail`` ``quarantine`` sends the records of golden records failing the gate to
    rejects and loads the others. ``full`` runs every stage even when the target's last run
    loaded these very inputs. Above ``stage_rows`` golden records a PostgreSQL target gates
    (and loads from) a staging table inside it. Without a target the gate runs ``suite``
    (a target is always gated with ``contacts``). ``model`` (a saved match model) decides the
    matches instead of one learned from the records; with a target and no ``model`` the
    target's last model decides, unless ``relearn``. ``all_pairs`` keeps every scored pair
    in ``batch.pairs`` with its evidence (for explain and review), not only the likely ones;
    ``slim_pairs`` keeps of each pair only what clustering reads (an audit shows no pair;
    ``crmclean dedupe`` without ``--review`` or ``--explain`` writes none:
    ``batch.pairs`` then still counts the pairs in the stats). Without ``learned_model`` no
    model is built from the records (``batch.model`` None, unless ``model`` is given: an
    audit prints none).
    Without ``companies`` no golden company is built from the contacts (``crmclean dedupe``
    writes none; company sources are still matched and linked). Without ``take_back`` the
    records' ``_raw`` and the findings below ``warning``, set aside during the dedupe stage
    (:mod:`crmclean.aside`), stay out of the result (``crmclean dedupe`` writes neither;
    ``to_dict`` still counts every finding). Without ``aside`` nothing is set aside (an audit:
    its memory peak comes after the stage, and writing and reading back 3M findings costs
    ~2 s at 1M records); without ``raw`` the map stage builds no ``_raw`` (an audit never
    reads it). Without ``full_golden`` the golden records hold only the fields the segments
    read (their count and segments are the same; ``crmclean dedupe`` writing no golden
    record), unless company sources, orders or a target read more; without ``merge_log`` no
    merge log is built (``crmclean dedupe`` without ``--merges``). Without ``whole_frame`` the
    frame after a stage that set the records aside keeps only their lineage, golden ids and
    the columns survivorship read (``crmclean dedupe`` writing no review, explain nor
    blocking report: the crosswalk is all it reads), unless company sources read more; only
    those columns are then set aside (the others leave memory unwritten).
    """

    target: str | None = None
    threshold: float | None = None
    training_pairs: Path | None = None
    decisions: Path | None = None
    merge: bool = True
    overrides: Path | None = None
    orders: tuple[OrderSource, ...] = ()
    on_fail: OnFail = "block"
    full: bool = False
    stage_rows: int = STAGE_ROWS
    suite: str = "contacts"
    model: MatchModel | None = None
    relearn: bool = False
    all_pairs: bool = False  # keep every scored pair in full in batch.pairs (explain, review)
    slim_pairs: bool = False  # keep of each pair only what clustering reads (audit, dedupe)
    learned_model: bool = True  # the model learned in batch.model (an audit reads none)
    companies: bool = True  # golden companies from the contacts (crmclean dedupe writes none)
    take_back: bool = True  # _raw and the findings below warning back after dedupe
    aside: bool = True  # set aside during dedupe what it never reads (memory; audit: no)
    raw: bool = True  # each record's _raw (the source row as JSON; an audit never reads it)
    full_golden: bool = True  # every field of the golden records (else the segments' only)
    merge_log: bool = True  # the merge log (batch.merges)
    whole_frame: bool = True  # every column of the records on the frame after dedupe

    @property
    def dedupe(self) -> DedupeOptions:
        """What the dedupe stage needs of these options."""
        return DedupeOptions(
            threshold=self.threshold,
            decisions=self.decisions,
            merge=self.merge,
            training_pairs=self.training_pairs,
            into_target=self.target is not None,
            model=self.model,
            all_pairs=self.all_pairs,
            slim_pairs=self.slim_pairs,
            learned_model=self.learned_model,
            merge_log=self.merge_log,
            whole_frame=self.whole_frame,
        )


Stage = Callable[[Batch, Rules, RunOptions], Batch]


@dataclass
class RunResult:
    """What a run produced; ``to_dict()`` is the ``--json`` document."""

    batch: Batch
    inputs: pl.DataFrame
    stopped_before: StageName = "end"
    info: dict[str, Any] = field(default_factory=dict)
    findings_aside: int = 0  # findings left out of the batch (RunOptions.take_back)

    @property
    def plan(self) -> LoadPlan | None:
        return None if self.batch.loading is None else self.batch.loading.plan

    @property
    def gate(self) -> GateResult | None:
        return self.batch.gate

    @property
    def companies(self) -> CompanyResult | None:
        """Golden companies and contacts' links (None when the run had neither)."""
        return self.batch.company_result

    @property
    def loaded(self) -> LoadResult | None:
        return None if self.batch.loading is None else self.batch.loading.result

    @property
    def quarantined(self) -> GateResult | None:
        """The gate that sent records to rejects (``on_fail`` ``quarantine``)."""
        return None if self.batch.loading is None else self.batch.loading.quarantined

    @property
    def gate_failed(self) -> bool:
        return self.gate is not None and not self.gate.success

    def crosswalk(self) -> pl.DataFrame:
        """``source, source_id, golden_id`` for every input record, in input order.

        Rejected records have no golden id (null); ``batch.rejects`` says why.
        """
        ids = self.batch.frame.select(SOURCE, SOURCE_ID, *self._golden_column())
        if _leads(ids, self.inputs):  # the records kept, in input order: no join
            tail = self.inputs.slice(ids.height).with_columns(
                pl.lit(None, ids.schema[name]).alias(name) for name in self._golden_column()
            )
            crosswalk = pl.concat([ids, tail], rechunk=False)
        else:
            crosswalk = self.inputs.join(
                ids, on=[SOURCE, SOURCE_ID], how="left", maintain_order="left"
            )
        return crosswalk.rename({SOURCE: "source", SOURCE_ID: "source_id"})

    def _golden_column(self) -> list[str]:
        return [GOLDEN_ID] if GOLDEN_ID in self.batch.frame.columns else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "stats": self.batch.run_stats(),
            "records": self.batch.frame.height,
            "golden": None if self.batch.golden is None else self.batch.golden.height,
            "rejects": self.batch.rejects.height,
            "findings": self.batch.findings.height + self.findings_aside,
            "plan": None if self.plan is None else self.plan.summary(),
            "gate": None if self.gate is None else self.gate.to_dict(),
            "load": None if self.loaded is None else self.loaded.to_dict(),
            "quarantined": self.batch.stats.get("validate", {}).get("quarantined", 0),
            "stopped_before": self.stopped_before,
            "model": None if self.batch.model is None else self.batch.model.summary(),
            "companies": None if self.companies is None else self.companies.to_dict(),
            **self.info,
        }


def _leads(ids: pl.DataFrame, inputs: pl.DataFrame) -> bool:
    """Whether ``ids``' lineage is the first rows of ``inputs``, in their order."""
    head = inputs.slice(0, ids.height)
    return ids.height <= inputs.height and all(
        ids[name].equals(head[name]) for name in (SOURCE, SOURCE_ID)
    )


def read_stage(sources: list[SourceSpec], batch: Batch, rules: Rules, options: RunOptions) -> Batch:
    """Read every source as it is (``batch`` is empty)."""
    return replace(batch, read=read_sources(sources, rules))


def map_stage(batch: Batch, rules: Rules, options: RunOptions) -> Batch:
    """Project every source as read onto the canonical model, then apply the user's
    ``overrides`` of source values, before anything reads them."""
    mapped = map_sources(batch.read, rules, options.raw)
    if options.overrides is None:
        return mapped
    return apply_overrides(mapped, read_overrides(options.overrides, rules.model.names))


def normalize_stage(
    batch: Batch, rules: Rules, options: RunOptions, keys: KeysBeside | None = None
) -> Batch:
    """Canonical values, findings, rejects for the unidentifiable; the records' matching keys
    (``keys``) start being built part way (:mod:`crmclean.dedupe.beside`)."""
    return normalize(batch, rules, None if keys is None else keys.start)


def dedupe_stage(
    batch: Batch,
    rules: Rules,
    options: RunOptions,
    records: ColumnReader | None = None,
    keys: Callable[[], KeyTable] | None = None,
) -> Batch:
    """Clusters and golden records; with a target, linked into the target's clusters; then
    the segments; then the companies (:func:`with_companies`). ``records``: the records'
    columns, set aside on disk (``batch.frame`` then holds their lineage); ``keys``: gives
    their coded keys, built meanwhile (:mod:`crmclean.dedupe.beside`)."""
    if options.target is not None:
        from crmclean.into_target import read_target

        batch, options = read_target(batch, rules, options)
    chosen = replace(_dedupe_options(batch, rules, options), records=records, keys=keys)
    batch = segment_stage(dedupe(batch, rules, chosen), rules, options.orders)
    if not options.companies and batch.companies is None:
        return batch
    return with_companies(batch, rules)


def _dedupe_options(batch: Batch, rules: Rules, options: RunOptions) -> DedupeOptions:
    """The dedupe stage's options: golden records of only the segments' fields without
    ``options.full_golden``, when neither company sources, orders nor a target read more;
    the whole frame back after the stage when company sources read it."""
    narrow = batch.companies is None and not options.orders and options.target is None
    chosen = options.dedupe
    if batch.companies is not None:  # the company stage reads the contacts' columns
        chosen = replace(chosen, whole_frame=True)
    if options.full_golden or not narrow:
        return chosen
    return replace(chosen, golden_fields=segment_fields(rules))


def with_companies(batch: Batch, rules: Rules) -> Batch:
    """The company sources' records matched into golden companies and the golden contacts
    linked to them (:mod:`crmclean.accounts.stage`); nothing without either."""
    if batch.companies is None and batch.golden is None:
        return batch
    from crmclean.accounts.stage import company_stage  # no part of a run of contacts alone

    return replace(batch, company_result=company_stage(batch.companies, batch, rules))


def validate_stage(run: RunInfo, batch: Batch, rules: Rules, options: RunOptions) -> Batch:
    """The gate: over the golden records without a target, else over the golden records the
    target will hold after the run (:func:`~crmclean.into_target.gate_into`); the company
    suite over the golden companies either way."""
    if options.target is not None:
        from crmclean.into_target import gate_into

        return gate_into(run, batch, rules, options)
    from crmclean.accounts.gate import with_run_companies  # the gate, only for a run to it
    from crmclean.validate import validate

    verdict = validate(batch, rules, suite=options.suite)
    return replace(batch, gate=with_run_companies(verdict, batch.company_result, rules))


def load_stage(batch: Batch, rules: Rules, options: RunOptions) -> Batch:
    """Apply the plan in one transaction when the gate passed; record the segments
    (:func:`~crmclean.into_target.load_into`)."""
    if options.target is None or batch.loading is None or batch.gate is None:
        return batch
    from crmclean.into_target import load_into

    return load_into(batch, rules, options)


def _before(stage: StageName, stop_before: StageName) -> bool:
    return stop_before == "end" or STAGES.index(stage) < STAGES.index(stop_before)


def run(
    sources: list[SourceSpec],
    rules: Rules,
    options: RunOptions | None = None,
    *,
    stop_before: StageName = "end",
    progress: Progress = lambda _stage: None,
    keys: KeysBeside | None = None,
) -> RunResult:
    """Run the stages in order, stopping before ``stop_before``; load only with a target.
    ``keys``: the matching keys to start in normalize, for a caller that stops before
    ``dedupe`` and runs it next (:func:`run_dedupe`); a run through the stage makes its own
    (:func:`keys_beside`).

    A load whose inputs the target's last run already loaded (:mod:`crmclean.load.rerun`)
    reads nothing and changes nothing, as a full run would; ``options.full`` runs every stage
    anyway. Every record read ends in exactly one golden record or in rejects (checked after
    dedupe and after the gate).
    """
    options = options or RunOptions()
    check_segment_inputs(rules, options.orders)
    hashed, reading = None, sources
    if options.target is not None:
        from crmclean.into_target import rerun, unchanged

        hashed, previous, reading = rerun(sources, rules, options, stop_before)
        if previous is not None:
            return unchanged(previous, stop_before)
    if _before("validate", stop_before):
        from crmclean.validate.preload import preload_gate

        preload_gate()  # the gate's import overlaps the stages before it
    recorded = {"sha256": None} if hashed is None else hashed.to_stats()
    info = RunInfo.start(config_hash(sources, rules), stats={STATS_KEY: recorded})
    if keys is None and _before("dedupe", stop_before):
        keys = keys_beside(rules, options)
    stages: dict[StageName, Stage] = {
        "read": partial(read_stage, reading),
        "map": map_stage,
        "normalize": partial(normalize_stage, keys=keys),
        "dedupe": dedupe_stage,
        "validate": partial(validate_stage, info),
        "load": load_stage,
    }
    result = RunResult(Batch(pl.DataFrame()), pl.DataFrame(), stopped_before=stop_before)
    if len(reading) < len(sources):
        result.info["sources_unchanged"] = [s.source_name for s in sources if s not in reading]
    try:
        for name in STAGES:
            if not _before(name, stop_before):
                break
            if name == "validate":
                refuse_nothing(_all_inputs(result), sources)
            progress(name)
            if name == "dedupe":
                run_dedupe(result, rules, options, keys)
                continue
            result.batch = stages[name](result.batch, rules, options)
            if name == "map":
                result.inputs = _inputs(result.batch)
            if name == "validate":
                _check(result)
    finally:
        if result.batch.loading is not None:
            from crmclean.load.staging import drop_stage

            drop_stage(result.batch.loading.stage)
    return result


def keys_beside(rules: Rules, options: RunOptions) -> KeysBeside | None:
    """The records' matching keys, built beside normalize and the work before the dedupe
    stage (:func:`run_dedupe`); None into a target holding golden records: the stage links
    into them, from the keys of the new and changed records and the golden records together
    (:mod:`crmclean.dedupe.link`)."""
    if options.target is not None:
        from crmclean.load.existing import holds_golden

        if holds_golden(options.target, rules):
            return None
    return KeysBeside(rules, match_config(rules, options.dedupe))


def run_dedupe(
    result: RunResult, rules: Rules, options: RunOptions, keys: KeysBeside | None = None
) -> None:
    """The dedupe stage and its checks, on a result :func:`run` stopped before ``dedupe``
    (an audit measures the records meanwhile), with what it never reads set aside on disk
    (:mod:`crmclean.aside`); ``result`` is the batch's only owner, so what is set aside
    leaves memory. The records' matching keys (``keys``, started in normalize) are finished
    in their thread while the records are written (:mod:`crmclean.dedupe.beside`: both cores
    busy, no key column read back); of the records, only the columns the stage reads back
    (:func:`~crmclean.dedupe.read_back`). Without ``options.aside`` the stage runs on the batch
    as it is (the audit's keys are finished beside its measures)."""
    if keys is not None:
        keys.finish(result.batch.frame)
    taken = None if keys is None else keys.take
    if not options.aside:
        result.batch = dedupe_stage(result.batch, rules, options, keys=taken)
        _check(result)
        return
    alone = options.target is None  # else the records link into the target's, whole
    read = survivorship_reads(rules) if alone else None
    chosen = _dedupe_options(result.batch, rules, options)
    columns = read_back(rules, chosen, keys is not None) if alone else None  # None: all
    with tempfile.TemporaryDirectory(prefix="crmclean-aside-") as folder:
        result.batch, aside = set_aside(
            result.batch, Path(folder), options.take_back, alone, read, columns
        )
        records = None if aside.records is None else ColumnReader(aside.records, rules)
        result.batch = dedupe_stage(result.batch, rules, options, records, taken)
        _check(result)
        result.batch = take_back(result.batch, aside)
        result.findings_aside = aside.left_out


def _check(result: RunResult) -> None:
    """Every record in one golden record or in rejects, contacts and companies."""
    check_conservation(result.inputs, result.batch)
    _check_companies(result.batch)


def _inputs(batch: Batch) -> pl.DataFrame:
    """``_source, _source_id`` of every record read: kept, then rejected while reading."""
    read_rejects = batch.rejects.select(SOURCE, SOURCE_ID).unique(maintain_order=True)
    return pl.concat([batch.frame.select(SOURCE, SOURCE_ID), read_rejects])


def _all_inputs(result: RunResult) -> pl.DataFrame:
    """Every record read, contacts and companies."""
    companies = result.companies
    return result.inputs if companies is None else pl.concat([result.inputs, companies.inputs])


def _check_companies(batch: Batch) -> None:
    """Every company record read is in a golden company or in the company rejects."""
    if batch.company_result is not None:
        check_conservation(batch.company_result.inputs, batch.company_result.batch)


def refuse_nothing(inputs: pl.DataFrame, sources: list[SourceSpec]) -> None:
    """No records at all (header-only or blank files) is said plainly, not as a failed gate."""
    if inputs.is_empty():
        names = ", ".join(spec.source_name for spec in sources)
        raise UserError(f"no records in {names}: only a header or blank rows; nothing to check")
