"""The cluster view: a golden record's members, the scored pairs between them (for a small
graph), and splitting one member out.

A split appends a cannot-link row between the member and each other member (so no later run
merges them again), gives the members new golden ids by the dedupe stage's own clustering
(:func:`crmclean.dedupe.cluster.assign_golden_ids`), and, when the project has a loaded
target holding that golden record, splits it there too (``migrate unmerge``, a run of its own
that ``migrate rollback`` undoes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.dedupe.cluster import assign_golden_ids
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.decisions import CANNOT
from crmclean.dedupe.review import SHOWN
from crmclean.errors import UserError
from crmclean.review.run import ReviewRun
from crmclean.review.store import Answer, DecisionStore

INDEX = "_index"
Record = tuple[str, str]


@dataclass
class ClusterView:
    """Clusters of ``run`` (its ``frame`` golden ids), splits written to ``store`` and, with
    a ``target``, unmerged there."""

    run: ReviewRun
    store: DecisionStore
    target: str | None = None

    def members(self, golden_id: str) -> pl.DataFrame:
        """The records of ``golden_id`` with their row (``_index``)."""
        frame = self.run.frame.with_row_index(INDEX)
        return frame.filter(pl.col(GOLDEN_ID) == golden_id)

    def largest(self, count: int = 50) -> list[dict[str, Any]]:
        """The ``count`` golden records with the most members (more than one), largest first."""
        sizes = self.run.frame[GOLDEN_ID].value_counts(name="members")
        sizes = sizes.filter(pl.col("members") > 1).sort(
            ["members", GOLDEN_ID], descending=[True, False]
        )
        return sizes.head(count).rows(named=True)

    def view(self, golden_id: str) -> dict[str, Any]:
        """Members (lineage and the shown fields) and the pairs scored between them."""
        members = self.members(golden_id)
        shown = [field for field in SHOWN if field in members.columns]
        rows = members.select(INDEX, SOURCE, SOURCE_ID, *(pl.col(f).cast(pl.String) for f in shown))
        index = members[INDEX]
        edges = self.run.edges.filter(pl.col(LEFT).is_in(index) & pl.col(RIGHT).is_in(index))
        return {
            "golden_id": golden_id,
            "fields": shown,
            "members": rows.rows(named=True),
            "edges": edges.select(LEFT, RIGHT, "probability", "match").rows(named=True),
        }

    def split(self, golden_id: str, record: Record) -> dict[str, Any]:
        """Split ``record`` out of ``golden_id``: decisions, new golden ids, the target."""
        members = self.members(golden_id)
        lineage = members.select(SOURCE, SOURCE_ID).rows()
        if record not in lineage or len(lineage) < 2:
            return {"error": f"{':'.join(record)} is not one of several members of {golden_id}"}
        others = [other for other in lineage if other != record]
        self.store.append([Answer(record, other, CANNOT, "split") for other in others])
        ids = self._reclustered(members, record)
        frame = self.run.frame
        self.run.frame = frame.with_columns(frame[GOLDEN_ID].scatter(members[INDEX], ids))
        return {
            "golden_ids": dict(zip(map(":".join, lineage), ids, strict=True)),
            **self._unmerge(golden_id, record),
        }

    def _reclustered(self, members: pl.DataFrame, record: Record) -> list[str]:
        """The members' golden ids once ``record`` cannot link to any of them."""
        local = members.drop(INDEX, GOLDEN_ID)
        position = {index: local_index for local_index, index in enumerate(members[INDEX])}
        edges = self.run.edges.filter(
            pl.col(LEFT).is_in(members[INDEX]) & pl.col(RIGHT).is_in(members[INDEX]) & "match"
        )
        matches = edges.select(
            pl.col(LEFT).replace_strict(position, return_dtype=pl.UInt32),
            pl.col(RIGHT).replace_strict(position, return_dtype=pl.UInt32),
            "probability",
        )
        alone = local.select(SOURCE, SOURCE_ID).rows().index(record)
        cannot = pl.DataFrame(
            {
                LEFT: [alone] * (local.height - 1),
                RIGHT: [i for i in range(local.height) if i != alone],
            },
            schema={LEFT: pl.UInt32, RIGHT: pl.UInt32},
        )
        return assign_golden_ids(local, matches, cannot)[GOLDEN_ID].to_list()

    def _unmerge(self, golden_id: str, record: Record) -> dict[str, Any]:
        """The split in the target, when it holds ``golden_id``."""
        if self.target is None or _missing_sqlite(self.target):
            return {"target": None}
        from crmclean.api import migrate_unmerge

        try:
            done = migrate_unmerge(self.target, golden_id, record, rules=self.run.rules)
        except UserError as exc:
            return {"target": f"not split in the target: {exc}"}
        return {"target": f"split in the target too (run {done.run_id})"}


def _missing_sqlite(target: str) -> bool:
    """A SQLite target not created yet (nothing loaded, nothing to split)."""
    prefix = "sqlite:///"
    return target.startswith(prefix) and not Path(target.removeprefix(prefix)).is_file()
