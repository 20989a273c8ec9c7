"""Short forms of company names that their initials alone do not give.

A CRM holds one company as ``Vertex Alfa``, ``VAS`` (``Vertex Alfa Systems``: a sector word the
other record left out), ``ADT`` (``AtlânticaDelta Tecnologia``: a name run together, whose
inner capital the folded key no longer shows) or ``SS`` for ``Sul``. :func:`abbreviates` finds
the letters of such a short form (a one-word key of 2 to 4 letters) in order in the longer name,
from its first letter on, all of them or all but the last (the initial of a left-out word).
It is looser than an acronym of the name's initials, so it scores below one (see
``_company`` in :mod:`crmclean.dedupe.compare`).
"""

from __future__ import annotations

import re

import polars as pl

SHAPE = r"^[a-z]{2,4}$"  # a short form: a one-word key of 2 to 4 letters
_SHORT = re.compile(r"[a-z]{2,4}")


def _in_order(letters: str, name: str) -> bool:
    """Every letter of ``letters`` found in ``name`` in order, the first at its start."""
    if not name.startswith(letters[0]):
        return False
    at = 0
    for letter in letters:
        at = name.find(letter, at) + 1
        if at == 0:
            return False
    return True


def _short_form(short: str, name: str) -> bool:
    compact = name.replace(" ", "")
    if not _SHORT.fullmatch(short) or len(compact) <= len(short):
        return False
    return _in_order(short, compact) or _in_order(short[:-1], compact)


def abbreviates(left: pl.Series, right: pl.Series) -> pl.Series:
    """Per pair of folded company keys: one is a short form of the other (see the module);
    false when either is null. Checked once per distinct pair of values."""
    pairs = pl.DataFrame({"a": left, "b": right})
    shaped = pl.col("a").str.contains(SHAPE) | pl.col("b").str.contains(SHAPE)
    distinct = pairs.drop_nulls().filter(shaped).unique()
    found = [
        _short_form(a, b) or _short_form(b, a)
        for a, b in zip(distinct["a"].to_list(), distinct["b"].to_list(), strict=True)
    ]
    verdicts = distinct.with_columns(pl.Series("short", found, dtype=pl.Boolean))
    joined = pairs.join(verdicts, on=["a", "b"], how="left", maintain_order="left")
    return joined["short"].fill_null(False)
