"""crmclean.normalize.findings: finding rows built from a step's columns and parts."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from crmclean.batch import FINDING_SCHEMA, SOURCE, SOURCE_ID
from crmclean.normalize.distinct import INDEX, Parts
from crmclean.normalize.findings import _finish, from_parts

_RULES = [None, "email.split", "phone.invalid", "phone.formatted_e164"]


def _joined(frame: pl.DataFrame, parts: Parts, field: str) -> pl.DataFrame:
    """The reference: the extra parts' lineage found by a join on the row index."""
    lineage = frame.select(SOURCE, SOURCE_ID)
    noted = pl.col("rule").is_not_null()
    part = ("rule", "before", "after")
    lone = pl.concat([lineage, parts.head.select(part)], how="horizontal").filter(noted)
    several = parts.rest.filter(noted).join(
        lineage.with_row_index(INDEX), on=INDEX, how="left", maintain_order="left"
    )
    return _finish(pl.concat([lone, several.select(SOURCE, SOURCE_ID, *part)]), field)


def _parts(
    rules: list[str | None], extra: list[tuple[int, str | None]]
) -> tuple[pl.DataFrame, Parts]:
    height = len(rules)
    frame = pl.DataFrame(
        {
            SOURCE: ["s" if i % 3 else "t" for i in range(height)],
            SOURCE_ID: [f"id{i}" for i in range(height)],
        },
        schema={SOURCE: pl.String, SOURCE_ID: pl.String},
    )
    text = [f"v{i}" for i in range(height)]
    head = pl.DataFrame(
        {"rule": rules, "before": text, "after": text[::-1]},
        schema={"rule": pl.String, "before": pl.String, "after": pl.String},
    )
    rows = (
        sorted(((at % height, rule) for at, rule in extra), key=lambda row: row[0])
        if height
        else []
    )
    rest = pl.DataFrame(
        {
            INDEX: [at for at, _ in rows],
            "rule": [rule for _, rule in rows],
            "before": [f"b{at}" for at, _ in rows],
            "after": [None for _ in rows],
        },
        schema={INDEX: pl.UInt32, "rule": pl.String, "before": pl.String, "after": pl.String},
    )
    return frame, Parts(head, rest)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_RULES), max_size=30),
    st.lists(st.tuples(st.integers(0, 100), st.sampled_from(_RULES)), max_size=20),
)
def test_from_parts_equals_the_join_it_replaced(
    rules: list[str | None], extra: list[tuple[int, str | None]]
) -> None:
    frame, parts = _parts(rules, extra)
    assert_frame_equal(from_parts(frame, parts, "phone"), _joined(frame, parts, "phone"))


def test_from_parts_gives_each_extra_part_its_rows_lineage() -> None:
    frame, parts = _parts([None, "phone.invalid", None], [(2, "email.split"), (0, None)])
    found = from_parts(frame, parts, "phone")
    assert found.schema == pl.Schema(FINDING_SCHEMA)
    assert found.select(SOURCE_ID, "rule", "before", "code").rows() == [
        ("id1", "phone.invalid", "v1", found["code"][0]),
        ("id2", "email.split", "b2", found["code"][1]),
    ]
    assert found["field"].to_list() == ["phone", "phone"]
