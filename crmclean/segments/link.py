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
    if "email" not in golden.columns:
        return pl.DataFrame(schema={GOLDEN_ID: pl.String, "email": pl.String})
    parts = [golden.select(GOLDEN_ID, pl.col("email").str.to_lowercase())]
    if "email_alt" in golden.columns and isinstance(golden.schema["email_alt"], pl.List):
        alts = golden.select(GOLDEN_ID, pl.col("email_alt").alias("email")).explode("email")
        parts.append(alts.with_columns(pl.col("email").str.to_lowercase()))
    return _unique_owner(pl.concat(parts).drop_nulls(), ["email"])


def _golden_of(orders: pl.DataFrame, index: pl.DataFrame, on: list[str]) -> pl.Series:
    return orders.select(on).join(index, on=on, how="left", maintain_order="left")[GOLDEN_ID]


def _by_id(orders: pl.DataFrame, lineage: pl.DataFrame) -> pl.Series:
    """Golden id per order from the crosswalk: with its customer source, else any source."""
    keyed = lineage.select(GOLDEN_ID, SOURCE, pl.col(SOURCE_ID).alias("customer_id"))
    named = orders["customer_source"].is_not_null()
    found = pl.Series(GOLDEN_ID, [None] * orders.height, pl.String)
    if named.any():
        exact = keyed.rename({SOURCE: "customer_source"})  # a source record has one golden id
        exact = exact.unique(["customer_source", "customer_id"], keep="any")
        found = _golden_of(orders, exact, ["customer_source", "customer_id"])
    if not named.all():
        loose = _unique_owner(keyed.select(GOLDEN_ID, "customer_id"), ["customer_id"])
        found = found.zip_with(named, _golden_of(orders, loose, ["customer_id"]))
    return found


def link_orders(
    orders: pl.DataFrame, lineage: pl.DataFrame, golden: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Orders with their ``golden_id`` (linked ones only) and the problems of the unlinked."""
    golden_ids = _by_id(orders, lineage)
    wanting = golden_ids.is_null() & orders["email"].is_not_null()
    if wanting.any():
        mailed = orders.select(pl.col("email").str.to_lowercase()).filter(wanting)
        by_email = _golden_of(mailed, email_index(golden), ["email"])
        golden_ids = golden_ids.scatter(wanting.arg_true(), by_email)
    linked = orders.with_columns(golden_ids.alias(GOLDEN_ID))
    missing = pl.col(GOLDEN_ID).is_null()
    no_ref = pl.col("customer_id").is_null() & pl.col("email").is_null()
    reason = pl.when(no_ref).then(pl.lit("order.no_customer")).otherwise(pl.lit("order.unlinked"))
    value = pl.coalesce("customer_id", "email")
    problems = linked.filter(missing).select(
        "source", "row", "order_id", reason.alias("reason"), value.alias("value")
    )
    return linked.filter(~missing), problems.cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]
