"""Misspelled e-mail domains (``gmial.com``, ``hotmail.con``): corrected or suggested.

When the domain meant is one of the big providers of ``known_domains`` (and
``correct_typo_domains`` is on), the address is rewritten: finding EM09
``email.typo_corrected``. Otherwise it is kept as typed (it may be right) and finding EM02
``email.typo_domain`` carries the address with the domain meant. Checked once per distinct
domain.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl
from rapidfuzz.distance import OSA

from crmclean.batch import SOURCE, SOURCE_ID
from crmclean.normalize import email_keys
from crmclean.normalize.email_keys import EmailSpec, domain, local_part
from crmclean.normalize.emails import ALT
from crmclean.normalize.findings import Step, by_rule
from crmclean.rules import Rules

EMAIL = "email"

FUZZY_MIN_LENGTH = 9  # shorter domains are too close to each other to guess


def suggest(host: str, spec: EmailSpec) -> str | None:
    """The domain meant by ``host``, or None when it looks right."""
    if host in spec.typo_domains:
        return spec.typo_domains[host]
    stem, _, tld = host.rpartition(".")
    if stem and tld in spec.typo_tlds:
        return suggest(f"{stem}.{spec.typo_tlds[tld]}", spec) or f"{stem}.{spec.typo_tlds[tld]}"
    if host in spec.known_domains or len(host) < FUZZY_MIN_LENGTH:
        return None
    close = [
        known for known in spec.known_domains if OSA.distance(host, known, score_cutoff=1) <= 1
    ]
    return close[0] if len(close) == 1 else None


def typo_findings(
    frame: pl.DataFrame, spec: EmailSpec, fields: tuple[str, str], corrected: Collection[str] = ()
) -> pl.DataFrame:
    """EM02 findings for every stored address (primary ``fields[0]``, alternates ``fields[1]``),
    EM09 for those at a ``corrected`` domain.

    Domains are checked once each; only the addresses at a misspelled one are looked at again.
    """
    primary, alternates = fields
    rows = frame.select(SOURCE, SOURCE_ID, before=pl.col(primary))
    if alternates in frame.columns:
        several = frame.filter(pl.col(alternates).list.len() > 0)
        extra = several.select(SOURCE, SOURCE_ID, before=pl.col(alternates)).explode("before")
        rows = pl.concat([rows, extra])
    rows = rows.with_columns(host=domain(pl.col("before")))
    hosts = rows["host"].unique().drop_nulls()
    fixes = {host: fixed for host in hosts if (fixed := suggest(host, spec))}
    typos = rows.filter(pl.col("host").is_in(list(fixes)))
    fixed = pl.col("host").replace_strict(fixes, default=None, return_dtype=pl.String)
    after = pl.format("{}@{}", local_part(pl.col("before")), fixed)
    typo = (
        pl.when(pl.col("after").is_null())
        .then(pl.lit(None, pl.String))
        .when(pl.col("host").is_in(list(corrected)))
        .then(pl.lit("email.typo_corrected"))
        .otherwise(pl.lit("email.typo_domain"))
    )
    return by_rule(typos.with_columns(after=after), primary, typo)


def corrections(frame: pl.DataFrame, spec: EmailSpec) -> dict[str, str]:
    """Misspelled domain -> big provider meant, for the domains of ``frame`` the run corrects."""
    if not spec.correct_typo_domains:
        return {}
    every = pl.concat_list(pl.col(EMAIL), pl.col(ALT)).list.drop_nulls()
    hosts = frame.select(domain(every.explode()).unique().drop_nulls().alias("h"))["h"]
    known = set(spec.known_domains)
    return {host: fixed for host in hosts if (fixed := suggest(host, spec)) in known}


def correct(frame: pl.DataFrame, fixes: dict[str, str]) -> pl.DataFrame:
    """``frame`` with the addresses at the ``fixes`` domains rewritten (alternates kept once,
    never repeating the primary)."""
    if not fixes:
        return frame

    def fixed(address: pl.Expr) -> pl.Expr:
        host = domain(address)
        meant = host.replace_strict(fixes, default=None, return_dtype=pl.String)
        return pl.when(meant.is_not_null()).then(pl.format("{}@{}", local_part(address), meant))

    primary = pl.coalesce(fixed(pl.col(EMAIL)), pl.col(EMAIL))
    alternates = pl.col(ALT).list.eval(pl.coalesce(fixed(pl.element()), pl.element()))
    updated = frame.with_columns(primary.alias(EMAIL), alternates.alias(ALT))
    every = pl.concat_list(EMAIL, ALT).list.unique(maintain_order=True)
    return updated.with_columns(every.list.slice(1).alias(ALT))


def find_typos(frame: pl.DataFrame, rules: Rules) -> Step:
    """The stage step: misspelled domains of the big providers corrected (EM09), the others
    suggested (EM02)."""
    spec = email_keys.load(rules)
    fixes = corrections(frame, spec)
    findings = typo_findings(frame, spec, (EMAIL, ALT), fixes)
    return Step(correct(frame, fixes), findings)
