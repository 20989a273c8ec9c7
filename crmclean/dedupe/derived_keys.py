"""Matching columns derived from the normalized values (not canonical fields, never loaded).

``email_key`` and ``email_is_role`` from the primary e-mail, ``company_key`` from the company
name. They are recomputed on every run, so normalizing twice gives the same columns.
"""

from __future__ import annotations

import polars as pl

from crmclean.dedupe import company_keys as companies
from crmclean.dedupe import email_keys
from crmclean.normalize.emails import vocabulary as emails
from crmclean.rules import Rules

DERIVED = (email_keys.KEY, email_keys.ROLE, companies.KEY)
DERIVED_FROM = ("email", "company")  # the columns add_keys derives them from


def add_keys(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``frame`` with every derived matching column (replaced if present)."""
    with_email = email_keys.with_keys(frame, emails.load(rules))
    return companies.with_key(with_email, rules)
