"""Branches and head offices from the CNPJ: its first 8 digits are the company, the next 4 the
establishment (``0001`` the head office). A branch is a child of its head office, never a
duplicate of it (the matcher vetoes merging two CNPJs)."""

from __future__ import annotations

import polars as pl

from crmclean.companies.fields import COMPANY_ID
from crmclean.company_fields import PARENT_ID

HEAD_OFFICE = "0001"
SCHEMA = {COMPANY_ID: pl.String, PARENT_ID: pl.String, "cnpj_root": pl.String,
          "establishment": pl.String}  # fmt: skip


def cnpj_parts(cnpj: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The root (8 characters) and establishment (4) of a CNPJ, null unless it has 14."""
    compact = cnpj.str.replace_all(r"[^0-9A-Za-z]", "").str.to_uppercase()
    whole = pl.when(compact.str.len_chars() == 14).then(compact)
    return whole.str.slice(0, 8), whole.str.slice(8, 4)


def parent_links(golden: pl.DataFrame) -> pl.DataFrame:
    """``company_id, parent_id, cnpj_root, establishment``: every golden company whose CNPJ is
    a branch's, linked to the golden company of its root's head office when there is one."""
    root, establishment = cnpj_parts(pl.col("cnpj"))
    offices = golden.select(COMPANY_ID, cnpj_root=root, establishment=establishment)
    offices = offices.drop_nulls("cnpj_root")
    heads = offices.filter(pl.col("establishment") == HEAD_OFFICE).unique("cnpj_root", keep="first")
    branches = offices.filter(pl.col("establishment") != HEAD_OFFICE)
    linked = branches.join(
        heads.select("cnpj_root", pl.col(COMPANY_ID).alias(PARENT_ID)), on="cnpj_root"
    )
    return linked.select(list(SCHEMA)).sort(PARENT_ID, COMPANY_ID).cast(SCHEMA)  # type: ignore[arg-type]
