"""Link orders to golden contacts: by the crosswalk (source + source id), else by e-mail.

A customer id links only when it names one golden record; an e-mail only when one golden record
holds it. Every order that does not link goes to the problems table with its reason.
"""

from __future__ import annotations

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.segments.orders import PROBLEM_SCHEMA


def _unique_owner(pairs: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """``key`` -> golden id, only for keys held by exactly one golden record."""
    distinct = pairs.unique()
    return distinct.filter(pl.len().over(key) == 1)


def email_index(golden: pl.DataFrame) -> pl.DataFrame:
    """``email`` -> golden id over primary and alternate addresses, lowercased."""
    parts = [golden.select(GOLDEN_ID, pl.col("email").str.to_lowercase())]
    if "email_alt" in golden.columns and isinstance(golden.schema["email_alt"], pl.List):
        alts = golden.select(GOLDEN_ID, pl.col("email_alt").alias("email")).explode("email")
        parts.append(alts.with_columns(pl.col("email").str.to_lowercase()))
    return _unique_owner(pl.concat(parts).drop_nulls(), ["email"])


def _by_id(orders: pl.DataFrame, lineage: pl.DataFrame) -> pl.DataFrame:
    """Golden id per order from the crosswalk: with its customer source, else any source."""
    keyed = lineage.select(GOLDEN_ID, SOURCE, pl.col(SOURCE_ID).alias("customer_id"))
    with_source = keyed.rename({SOURCE: "customer_source"}).unique(
        ["customer_source", "customer_id"]
    )
    any_source = _unique_owner(keyed.select(GOLDEN_ID, "customer_id"), ["customer_id"])
    exact = orders.join(
        with_source, on=["customer_source", "customer_id"], how="left", maintain_order="left"
    )[GOLDEN_ID]
    loose = orders.join(any_source, on="customer_id", how="left", maintain_order="left")[GOLDEN_ID]
    named = orders["customer_source"].is_not_null()
    return pl.select(pl.when(named).then(exact).otherwise(loose)).to_series()


def link_orders(
    orders: pl.DataFrame, lineage: pl.DataFrame, golden: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Orders with their ``golden_id`` (linked ones only) and the problems of the unlinked."""
    by_id = _by_id(orders, lineage)
    emails = email_index(golden).rename({GOLDEN_ID: "_by_email"})
    mailed = orders.with_columns(pl.col("email").str.to_lowercase().alias("_email"))
    by_email = mailed.join(
        emails, left_on="_email", right_on="email", how="left", maintain_order="left"
    )["_by_email"]
    linked = orders.with_columns(pl.coalesce(by_id, by_email).alias(GOLDEN_ID))
    missing = pl.col(GOLDEN_ID).is_null()
    no_ref = pl.col("customer_id").is_null() & pl.col("email").is_null()
    reason = pl.when(no_ref).then(pl.lit("order.no_customer")).otherwise(pl.lit("order.unlinked"))
    value = pl.coalesce("customer_id", "email")
    problems = linked.filter(missing).select(
        "source", "row", "order_id", reason.alias("reason"), value.alias("value")
    )
    return linked.filter(~missing), problems.cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]
