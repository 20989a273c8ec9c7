"""Branch families: a company whose CNPJ root holds a branch (an establishment other than
``0001``) or several establishments has one name and often one website for all of them.

In such a family the name (and the shared domain) cannot tell which establishment a record
without that CNPJ belongs to. A pair inside a family, unless both records carry the same CNPJ,
is a match only when the place says so too: the address (street number and street) or a phone
agrees. Otherwise the pair goes to the review band: a record without a CNPJ joins the
establishment its address or phone matches, never the head office by name alone.
"""

from __future__ import annotations

import polars as pl

from crmclean.companies.keys import NAME_KEY
from crmclean.companies.parents import HEAD_OFFICE, cnpj_parts

ADDRESS_AGREES = 0.8  # the address comparison's "nearly the same street and number" level
_FAMILY = "_family"


def family_members(records: pl.DataFrame) -> pl.Series:
    """Per record: whether its CNPJ root, or its name key, is a branch family's."""
    root, establishment = cnpj_parts(pl.col("cnpj"))
    offices = records.select(root.alias("root"), establishment.alias("est"), pl.col(NAME_KEY))
    held = offices.drop_nulls(["root", "est"])
    families = (
        held.group_by("root")
        .agg(branched=((pl.col("est") != HEAD_OFFICE).any() | (pl.col("est").n_unique() > 1)))
        .filter("branched")
    )
    family_roots = families["root"]
    family_names = held.filter(pl.col("root").is_in(family_roots.implode()))[NAME_KEY].drop_nulls()
    return offices.select(
        (
            pl.col("root").is_in(family_roots.implode()).fill_null(False)
            | pl.col(NAME_KEY).is_in(family_names.implode()).fill_null(False)
        ).alias(_FAMILY)
    ).to_series()


def _agrees(pairs: pl.DataFrame, column: str, at: float) -> pl.Expr:
    if column not in pairs.columns:
        return pl.lit(False)
    return (pl.col(column) >= at).fill_null(False)


def guard_families(pairs: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` with the matches inside a branch family that only the name (or the shared
    domain) supports moved to the review band (see the module's docstring)."""
    if pairs.is_empty():
        return pairs
    member = family_members(records)
    inside = member.gather(pairs["left"]) | member.gather(pairs["right"])
    same_id = _agrees(pairs, "sim_national_id", 1.0)
    place = _agrees(pairs, "sim_address", ADDRESS_AGREES) | _agrees(pairs, "sim_phone", 1.0)
    weak = pl.lit(inside) & ~same_id & ~place & pl.col("match")
    return pairs.with_columns(review=pl.col("review") | weak, match=pl.col("match") & ~weak)
