"""Survivorship for companies: one golden company per cluster, as for contacts.

Each field takes the value its strategy picks (``survivorship`` in ``rules/match_company.yaml``;
the name: the most complete, in its best-written form), and nothing is lost: every other
domain of the cluster goes to ``domain_alt``, every other phone to ``phone_alt``.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.companies.fields import COMPANY_ID, FIELDS
from crmclean.dedupe.merge import newest_first
from crmclean.dedupe.survivorship import Survivorship, best_forms, survivor, with_ranks

RECENCY = ("updated_at", "created_at", "last_activity_at")
_NO_TEXT: pl.Expr = pl.lit([], dtype=pl.List(pl.String))
_VALUE = "_value"


def _alternates(
    records: pl.DataFrame, golden: pl.DataFrame, every: pl.Expr, field: str
) -> pl.Series:
    """Per golden company, the distinct values of ``every`` in its records (in their order)
    other than the golden ``field``; ``[]`` when none."""
    values = records.select(GOLDEN_ID, every.alias(_VALUE)).explode(_VALUE).drop_nulls(_VALUE)
    values = values.unique([GOLDEN_ID, _VALUE], keep="first", maintain_order=True)
    kept = golden.select(GOLDEN_ID, pl.col(field).alias(_VALUE))
    others = values.join(kept, on=[GOLDEN_ID, _VALUE], how="anti", maintain_order="left")
    lists = others.group_by(GOLDEN_ID, maintain_order=True).agg(pl.col(_VALUE))
    joined = golden.select(GOLDEN_ID).join(lists, on=GOLDEN_ID, how="left", maintain_order="left")
    return joined.select(pl.col(_VALUE).fill_null(_NO_TEXT)).to_series()


def golden_companies(clustered: pl.DataFrame, rules: Survivorship) -> pl.DataFrame:
    """One row per ``company_id`` of ``clustered`` (records in batch lineage, each with its
    ``company_id``): the surviving fields, ``domain_alt``, ``phone_alt`` and
    ``source_count``."""
    missing = [pl.lit(None, pl.String).alias(c) for c in RECENCY if c not in clustered.columns]
    alt = pl.col("phone_alt") if "phone_alt" in clustered.columns else _NO_TEXT
    records = clustered.with_columns(missing).rename({COMPANY_ID: GOLDEN_ID})
    records = records.select(GOLDEN_ID, SOURCE, SOURCE_ID, *FIELDS, *RECENCY, alt.alias("_alt"))
    ranked = with_ranks(newest_first(records), list(FIELDS), rules)
    golden = ranked.group_by(GOLDEN_ID).agg(
        *(survivor(field, rules) for field in FIELDS), source_count=pl.len().cast(pl.Int64)
    )
    golden = best_forms(ranked, golden, list(FIELDS), rules).sort(GOLDEN_ID)
    phones = pl.concat_list(pl.col("phone"), pl.col("_alt").fill_null(_NO_TEXT))
    return golden.select(
        GOLDEN_ID,
        *FIELDS,
        domain_alt=_alternates(ranked, golden, pl.concat_list("domain"), "domain"),
        phone_alt=_alternates(ranked, golden, phones, "phone"),
        source_count="source_count",
    ).rename({GOLDEN_ID: COMPANY_ID})
