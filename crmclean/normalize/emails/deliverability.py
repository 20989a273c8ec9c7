"""Opt-in DNS check of e-mail domains (``crmclean clean --check-deliverability``).

Once per distinct domain: a domain with no mail server (no MX, A or AAAA record) gets finding
EM06 ``email.undeliverable`` on every address using it; the address is kept. When even a
well-known domain does not resolve, DNS is unreachable and the run stops with a user error
instead of flagging every address.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from email_validator import EmailNotValidError, caching_resolver, validate_email

from crmclean.batch import SOURCE, SOURCE_ID, empty_findings
from crmclean.errors import UserError
from crmclean.normalize.emails.columns import ALT
from crmclean.normalize.emails.vocabulary import domain
from crmclean.normalize.findings import Step, by_rule
from crmclean.rules import Rules

OPTION = "check_deliverability"
PROBE = "gmail.com"
Deliverable = Callable[[str], bool]


def dns_check(timeout: int = 5) -> Deliverable:
    """A check asking DNS whether a domain can receive mail (answers cached per run)."""
    resolver = caching_resolver(timeout=timeout)

    def deliverable(host: str) -> bool:
        try:
            validate_email(f"postmaster@{host}", check_deliverability=True, dns_resolver=resolver)
        except EmailNotValidError:
            return False
        return True

    return deliverable


def undeliverable(frame: pl.DataFrame, deliverable: Deliverable, field: str = "email") -> Step:
    """``frame`` unchanged; EM06 for each address (primary or alternate) of a dead domain."""
    every = pl.concat_list(pl.col(field), pl.col(ALT)).list.drop_nulls()
    rows = frame.select(SOURCE, SOURCE_ID, before=every).explode("before").drop_nulls("before")
    hosts = rows.select(domain(pl.col("before")).alias("h"))["h"].drop_nulls().unique()
    if len(hosts) and not deliverable(PROBE):
        raise UserError(f"--check-deliverability needs DNS, but {PROBE} could not be resolved")
    dead = [host for host in hosts if not deliverable(host)]
    rule = pl.when(domain(pl.col("before")).is_in(dead)).then(pl.lit("email.undeliverable"))
    return Step(frame, by_rule(rows.with_columns(after=pl.lit(None, pl.String)), field, rule))


def check_deliverability(frame: pl.DataFrame, rules: Rules) -> Step:
    """The stage step: the DNS check when the run asked for it, else nothing."""
    if not rules.options.get(OPTION):
        return Step(frame, empty_findings())
    return undeliverable(frame, dns_check())
