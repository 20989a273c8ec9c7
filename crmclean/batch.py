"""The unit of work passed between stages: records plus what happened to them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from crmclean.accounts.stage import CompanyResult
    from crmclean.dedupe.model import MatchModel
    from crmclean.load.existing import TargetClusters
    from crmclean.load.gated import Loading
    from crmclean.sources import SourceRead
    from crmclean.validate import GateResult

SOURCE = "_source"
SOURCE_ID = "_source_id"
ROW = "_row"
RAW = "_raw"
GOLDEN_ID = "golden_id"
GOLDEN = "golden"  # the source of a golden contact's own findings (link conflicts)
LINEAGE = (SOURCE, SOURCE_ID, ROW)
EXISTING, FINAL = "_existing", "_final"  # ``TargetClusters.renamed``: golden id before, after

REJECT_SCHEMA: dict[str, pl.DataType] = {
    SOURCE: pl.String(),
    SOURCE_ID: pl.String(),
    "stage": pl.String(),
    "column": pl.String(),
    "rule": pl.String(),
    "expected": pl.String(),
    "actual": pl.String(),
}

READ_STATS = "read:"  # the stats of reading a source: ``read:<source>``

FINDING_SCHEMA: dict[str, pl.DataType] = {
    SOURCE: pl.String(),
    SOURCE_ID: pl.String(),
    "field": pl.String(),
    "code": pl.String(),
    "rule": pl.String(),
    "severity": pl.String(),
    "before": pl.String(),
    "after": pl.String(),
}


def empty_rejects() -> pl.DataFrame:
    """An empty rejects table with the shared schema."""
    return pl.DataFrame(schema=REJECT_SCHEMA)


def empty_findings() -> pl.DataFrame:
    """An empty findings table with the shared schema."""
    return pl.DataFrame(schema=FINDING_SCHEMA)


@dataclass(frozen=True)
class Batch:
    """Records in the canonical model and the side tables every stage appends to.

    ``frame`` holds one row per live input record with lineage columns ``_source``,
    ``_source_id`` and ``_row``. ``golden`` is filled by the dedupe stage; docs/pipeline.md
    says which stage adds each field.
    """

    frame: pl.DataFrame
    rejects: pl.DataFrame = field(default_factory=empty_rejects)
    findings: pl.DataFrame = field(default_factory=empty_findings)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    golden: pl.DataFrame | None = None
    pairs: pl.DataFrame | None = None  # dedupe: every scored candidate pair (review, explain)
    merges: pl.DataFrame | None = None  # dedupe: merge log, one row per field value merged
    target: TargetClusters | None = None  # dedupe: the target's clusters it linked into
    gate: GateResult | None = None  # validate: the gate's verdict
    loading: Loading | None = None  # validate: the load plan; load: what was written
    read: tuple[SourceRead, ...] = ()  # read: the sources as read, until map projects them
    model: MatchModel | None = None  # dedupe: the match model that decided (learned or given)
    companies: Batch | None = None  # map: the company sources' records, apart from contacts
    company_result: CompanyResult | None = None  # dedupe: golden companies, contacts' links

    def with_frame(self, frame: pl.DataFrame) -> Batch:
        return replace(self, frame=frame)

    def add_rejects(self, rejects: pl.DataFrame) -> Batch:
        rows = rejects.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
        return replace(self, rejects=pl.concat([self.rejects, rows]))

    def add_findings(self, findings: pl.DataFrame) -> Batch:
        rows = findings.select(list(FINDING_SCHEMA)).cast(FINDING_SCHEMA)  # type: ignore[arg-type]
        return replace(self, findings=pl.concat([self.findings, rows]))

    def add_stats(self, stage: str, **counts: int) -> Batch:
        stats = {**self.stats, stage: {**self.stats.get(stage, {}), **counts}}
        return replace(self, stats=stats)

    def company_reads(self) -> dict[str, dict[str, int]]:
        """The ``read:<source>`` counts of the company sources (kept apart in ``companies``)."""
        if self.companies is None:
            return {}
        return {k: v for k, v in self.companies.stats.items() if k.startswith(READ_STATS)}

    def run_stats(self) -> dict[str, dict[str, int]]:
        """The run's counts: every stage's, and every source read, company sources too."""
        return {**self.stats, **self.company_reads()}
