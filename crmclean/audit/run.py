"""``audit()``: the pipeline stopped once duplicates are clustered (no golden records are
built), then the six dimensions measured. Every dimension but uniqueness reads only the
normalized records, so they are measured on another thread while the dedupe stage runs."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from crmclean import pipeline
from crmclean.accounts.audit import company_section
from crmclean.audit import history as hist
from crmclean.audit.completeness import measure_completeness
from crmclean.audit.compliance import measure_compliance
from crmclean.audit.config import AuditConfig, load_audit_config
from crmclean.audit.consistency import measure_consistency
from crmclean.audit.document import build_document
from crmclean.audit.findings import Examples, Finding, normalizer_findings
from crmclean.audit.measure import Context, Measure
from crmclean.audit.records import normalizer_rows, per_record
from crmclean.audit.timeliness import measure_timeliness
from crmclean.audit.uniqueness import measure_uniqueness
from crmclean.audit.validity import measure_validity
from crmclean.batch import RAW, Batch
from crmclean.codes import SEVERITY_RANK
from crmclean.model import EXTRA
from crmclean.pipeline import Progress
from crmclean.rules import Rules
from crmclean.sources import SourceSpec
from crmclean.urls import is_database_url, mask_url
from crmclean.write import write_table

FailOn = Literal["error", "warning", "never"]
Source = str | Path | SourceSpec
MEASURES = (
    measure_completeness,
    measure_validity,
    measure_uniqueness,
    measure_consistency,
    measure_timeliness,
    measure_compliance,
)
CLUSTERED = (measure_uniqueness,)  # the measures that read the golden ids


@dataclass(frozen=True)
class AuditResult:
    """The audit document (``to_dict()``, the ``--json`` output) and where history went."""

    document: dict[str, Any]
    saved: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.document

    def failure(self, fail_on: FailOn = "never", fail_under: float | None = None) -> str | None:
        """Why a scheduler should see this audit as failed, or None."""
        score = self.document["score"]["overall"]
        if fail_under is not None and score is not None and score < fail_under:
            return f"score {score} is under {fail_under}"
        if fail_on == "never":
            return None
        level = SEVERITY_RANK[fail_on]
        hits = [f for f in self.document["findings"] if SEVERITY_RANK[f["severity"]] >= level]
        if hits:
            return f"{sum(f['count'] for f in hits):,} findings of severity {fail_on} or worse"
        return None


def _specs(sources: Sequence[Source], directory: Path) -> list[SourceSpec]:
    specs = []
    for source in sources:
        if isinstance(source, SourceSpec):
            specs.append(source)
        elif is_database_url(source):
            from crmclean.audit.target import database_source  # SQLAlchemy: a database only

            specs.append(database_source(str(source), directory))
        else:
            specs.append(SourceSpec(path=Path(source)))
    return specs


def source_label(location: str | Path) -> str:
    """How a source appears in reports: database URLs without their password."""
    return mask_url(location)


def _label(source: Source) -> str:
    if isinstance(source, SourceSpec):
        return source_label(source.url) if source.url else str(source.path or source.source_name)
    return source_label(source)


def _segments(urls: list[str]) -> dict[str, Any] | None:
    """The segment summary of the first of the databases ``urls`` that has one."""
    if not urls:
        return None
    from crmclean.segments.summary import segment_summary  # SQLAlchemy: databases only

    return next((s for s in map(segment_summary, urls) if s is not None), None)


def _context(batch: Batch, rules: Rules, ctx_args: dict[str, Any]) -> Context:
    frame = batch.frame.drop(RAW, EXTRA, strict=False)  # the raw rows are not measured
    return Context(frame, batch.findings, batch.rejects, rules.model, **ctx_args)


def measure(batch: Batch, rules: Rules, ctx_args: dict[str, Any]) -> list[Measure]:
    """Every dimension measured over the batch's records."""
    ctx = _context(batch, rules, ctx_args)
    return [step(ctx) for step in MEASURES]


def measure_records(batch: Batch, rules: Rules, ctx_args: dict[str, Any]) -> list[Measure]:
    """The dimensions that do not read the golden ids, over the normalized records."""
    ctx = _context(batch, rules, ctx_args)
    return [step(ctx) for step in MEASURES if step not in CLUSTERED]


def settled(
    early: list[Measure], before: Batch, after: Batch, rules: Rules, ctx_args: dict[str, Any]
) -> list[Measure]:
    """Every dimension over ``after`` (the clustered batch), given ``early``
    (:func:`measure_records` of ``before``, the normalized batch). The dedupe stage keeps the
    records and their values and appends its own findings (oversized blocks, on matching
    keys): those join the validity findings. Should it reject records or find something on
    a record's field, everything is measured again over ``after``."""
    added = after.findings.slice(before.findings.height)
    on_fields = added["field"].is_in(rules.model.names).any()
    if on_fields or after.rejects.height != before.rejects.height:
        return measure(after, rules, ctx_args)
    ctx = _context(after, rules, ctx_args)
    found = normalizer_findings(added, ctx.examples)
    records = iter(_with_findings(m, found, after, ctx) for m in early)
    return [step(ctx) if step in CLUSTERED else next(records) for step in MEASURES]


def _with_findings(measure: Measure, found: list[Finding], after: Batch, ctx: Context) -> Measure:
    """``measure`` with the dedupe stage's findings ``found`` among the validity findings
    (a finding of a kind the normalizers found too is counted again over every finding)."""
    if measure.dimension != "validity" or not found:
        return measure
    kinds = {(f.code, f.rule, f.severity, f.field) for f in measure.findings}
    if any((f.code, f.rule, f.severity, f.field) in kinds for f in found):
        return replace(measure, findings=normalizer_findings(after.findings, ctx.examples))
    return replace(measure, findings=[*measure.findings, *found])


def audit(
    sources: Sequence[Source],
    rules: Rules | None = None,
    *,
    config: Path | AuditConfig | None = None,
    history: Path | None = None,
    mask_pii: bool = False,
    as_of: date | None = None,
    progress: Progress = lambda _stage: None,
    findings: Path | None = None,
) -> AuditResult:
    """Audit files and/or target databases (``sqlite:///crm.db``); nothing is written to them.

    ``findings`` (CSV or Parquet) gets one row per record and finding
    (:mod:`crmclean.audit.records`), masked with ``mask_pii``."""
    rules = rules or Rules()
    settings = config if isinstance(config, AuditConfig) else load_audit_config(rules, config)
    as_of = as_of or datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="crmclean-audit-") as tmp:
        specs = _specs(sources, Path(tmp))
        # clusters are enough: no golden records, no pair's evidence (the audit shows none),
        # no model, no _raw, and nothing set aside on disk during dedupe (the measures read
        # the normalized records meanwhile)
        options = pipeline.RunOptions(
            merge=False, slim_pairs=True, learned_model=False, aside=False, raw=False
        )
        keys = pipeline.keys_beside(rules, options)  # started in normalize, beside the phones
        result = pipeline.run(
            specs, rules, options, stop_before="dedupe", progress=progress, keys=keys
        )
        examples = Examples(rules.model, mask_pii, settings.examples)
        args = {"config": settings, "as_of": as_of, "examples": examples}
        before = result.batch
        progress("dedupe")
        with ThreadPoolExecutor(1, thread_name_prefix="crmclean-audit") as pool:
            early = pool.submit(measure_records, before, rules, args)
            pipeline.run_dedupe(result, rules, options, keys)
            measured = early.result()
    progress("audit")
    measures = settled(measured, before, result.batch, rules, args)
    if findings is not None:
        parts = normalizer_rows(result.batch.findings, result.batch.rejects)
        parts += [rows for m in measures for rows in m.records]
        write_table(per_record(parts, rules.model, mask_pii), Path(findings))
    document = build_document(
        measures, config=settings, model=rules.model, sources=[_label(s) for s in sources],
        as_of=as_of, masked=mask_pii,
    )  # fmt: skip
    urls = [str(s) for s in sources if not isinstance(s, SourceSpec) and is_database_url(s)]
    document["segments"] = _segments(urls)
    document["companies"] = company_section(result.companies, result.batch, rules)
    if history is None:
        return AuditResult(document)
    return _with_history(document, Path(history))


def _with_history(document: dict[str, Any], directory: Path) -> AuditResult:
    past, warnings = hist.same_subject(document, hist.load_history(directory))
    document["history_warnings"] = warnings
    if past:
        document["comparison"] = hist.compare(document, past[-1])
    document["trend"] = hist.trend([*past, document])
    return AuditResult(document, hist.save(directory, document))
