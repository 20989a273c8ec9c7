"""Segments of golden contacts: one per contact from ``rules/segments.yaml`` (first match
wins, a catch-all last), RFM scores and named segments from orders (``rules/rfm.yaml``).

>>> from crmclean.segments import segment_golden  # doctest: +SKIP
>>> segment_golden(golden, rules, lineage=lineage, orders=[OrderSource(Path("orders.csv"))])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.rules import Rules
from crmclean.segments.assign import SEGMENT, assign, sizes
from crmclean.segments.link import link_orders
from crmclean.segments.orders import PROBLEM_SCHEMA, OrderSource, read_orders
from crmclean.segments.rfm import AMOUNT, ORDER_DATE, RFM_FIELDS, RFM_SEGMENT, rfm_columns
from crmclean.segments.spec import SegmentFile, load_segments

AS_OF_OPTION = "segments_as_of"  # Rules.options: the date segments are measured at
__all__ = ["OrderSource", "Segmented", "known_fields", "load_rules", "segment_golden"]


@dataclass(frozen=True)
class Segmented:
    """Every golden record's segment and RFM, the sizes, and what happened to the orders."""

    assignments: pl.DataFrame
    sizes: dict[str, int]
    rfm_sizes: dict[str, int]
    as_of: date
    orders: dict[str, int] = field(default_factory=dict)
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PROBLEM_SCHEMA))

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "contacts": self.assignments.height,
            "sizes": self.sizes,
            "rfm_sizes": self.rfm_sizes,
            "orders": self.orders,
        }


def known_fields(rules: Rules) -> set[str]:
    """The fields a segment condition may name: canonical, RFM and order fields."""
    return {*rules.model.names, *RFM_FIELDS, RFM_SEGMENT}


def load_rules(rules: Rules) -> tuple[SegmentFile, SegmentFile]:
    """The segment file and its RFM map, validated against the fields they may name."""
    spec = load_segments(rules.path("segments.yaml"), known_fields(rules))
    rfm_map = load_segments(rules.path(spec.rfm or "rfm.yaml"), set(RFM_FIELDS))
    return spec, rfm_map


def _orders(
    sources: Sequence[OrderSource], rules: Rules, lineage: pl.DataFrame, golden: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """Every order source read and linked: linked orders, problems, counts."""
    read = [read_orders(source, rules) for source in sources]
    if not read:
        empty = pl.DataFrame(schema={GOLDEN_ID: pl.String, ORDER_DATE: pl.Date, AMOUNT: pl.Float64})
        return empty, pl.DataFrame(schema=PROBLEM_SCHEMA), {}
    kept = pl.concat([orders for orders, _ in read], how="vertical_relaxed")
    linked, unlinked = link_orders(kept, lineage, golden)
    problems = pl.concat([*(p for _, p in read), unlinked])
    counts = {"read": kept.height + sum(p.height for _, p in read), "linked": linked.height}
    counts.update(dict(problems.group_by("reason").len().sort("reason").iter_rows()))
    return linked, problems, counts


def segment_golden(
    golden: pl.DataFrame,
    rules: Rules,
    *,
    lineage: pl.DataFrame | None = None,
    orders: Sequence[OrderSource] = (),
    as_of: date | None = None,
) -> Segmented:
    """Assign each golden record its segment and RFM (orders linked through ``lineage``,
    ``golden_id, _source, _source_id``, or by e-mail); ``as_of`` defaults to the rules'
    ``segments_as_of`` option, else today."""
    as_of = as_of or rules.options.get(AS_OF_OPTION) or date.today()
    spec, rfm_map = load_rules(rules)
    lineage = lineage if lineage is not None else pl.DataFrame(schema=_LINEAGE)
    linked, problems, counts = _orders(orders, rules, lineage, golden)
    scores = rfm_columns(golden, linked, as_of).drop(GOLDEN_ID)
    enriched = golden.drop([c for c in scores.columns if c in golden.columns]).hstack(scores)
    enriched = enriched.with_columns(assign(enriched, rfm_map, as_of, RFM_SEGMENT))
    segment = assign(enriched, spec, as_of, SEGMENT)
    assignments = enriched.select(GOLDEN_ID, RFM_SEGMENT, *RFM_FIELDS)
    assignments = assignments.insert_column(1, segment)
    return Segmented(
        assignments,
        sizes(segment, spec),
        sizes(assignments[RFM_SEGMENT], rfm_map),
        as_of,
        counts,
        problems,
    )


_LINEAGE = {GOLDEN_ID: pl.String, SOURCE: pl.String, SOURCE_ID: pl.String}
