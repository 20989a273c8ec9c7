"""Matching columns derived from the normalized values (not canonical fields, never loaded).

``email_key`` and ``email_is_role`` from the primary e-mail, ``company_key`` from the company
name. They are recomputed on every run, so normalizing twice gives the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from crmclean.dedupe import company_keys as companies
from crmclean.dedupe import email_keys
from crmclean.normalize.emails import vocabulary as emails
from crmclean.rules import Rules

DERIVED = (email_keys.KEY, email_keys.ROLE, companies.KEY)
SOURCE = {email_keys.KEY: "email", email_keys.ROLE: "email", companies.KEY: "company"}
DERIVED_FROM = tuple(dict.fromkeys(SOURCE.values()))  # the columns add_keys derives them from


def add_keys(frame: pl.DataFrame, rules: Rules, wanted: Iterable[str] = DERIVED) -> pl.DataFrame:
    """``frame`` with the derived matching columns ``wanted`` (replaced if present; both
    e-mail columns when either is wanted), every one by default."""
    wanted = set(wanted)
    if wanted & {email_keys.KEY, email_keys.ROLE}:
        frame = email_keys.with_keys(frame, emails.load(rules))
    return companies.with_key(frame, rules) if companies.KEY in wanted else frame
