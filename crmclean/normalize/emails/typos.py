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
from crmclean.normalize.emails import vocabulary as email_keys
from crmclean.normalize.emails.columns import ALT
from crmclean.normalize.emails.vocabulary import EmailSpec, domain, local_part
from crmclean.normalize.findings import Step, by_rule
from crmclean.normalize.values.multi_cells import scatter
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


def addresses(frame: pl.DataFrame, fields: tuple[str, str]) -> pl.DataFrame:
    """Lineage, ``before`` and ``host`` of every stored address: the primaries (``fields[0]``)
    row for row, then the alternates (``fields[1]``) of the rows that have some. An address
    with a space (kept as typed, EM08) has no host."""
    primary, alternates = fields
    rows = frame.select(SOURCE, SOURCE_ID, before=pl.col(primary))
    if alternates in frame.columns:
        several = frame.filter(pl.col(alternates).list.len() > 0)
        extra = several.select(SOURCE, SOURCE_ID, before=pl.col(alternates)).explode("before")
        rows = pl.concat([rows, extra])
    before = pl.col("before")
    # An address kept as typed with EM08 (words glued to it) is never rewritten.
    return rows.with_columns(
        host=pl.when(~before.str.contains(" ", literal=True)).then(domain(before))
    )


def suggestions(hosts: pl.Series, spec: EmailSpec) -> dict[str, str]:
    """Misspelled domain -> the domain meant (:func:`suggest`), each distinct host checked
    once."""
    return {host: fix for host in hosts.unique().drop_nulls() if (fix := suggest(host, spec))}


def typo_findings(
    rows: pl.DataFrame, fixes: dict[str, str], field: str, corrected: Collection[str] = ()
) -> pl.DataFrame:
    """EM02 findings for every address of :func:`addresses` at a misspelled domain (``fixes``:
    its :func:`suggestions`), EM09 for those at a ``corrected`` one."""
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
    return by_rule(typos.with_columns(after=after), field, typo)


def corrections(fixes: dict[str, str], spec: EmailSpec) -> dict[str, str]:
    """Misspelled domain -> big provider meant, of the ``fixes`` (:func:`suggestions`) the
    run corrects."""
    if not spec.correct_typo_domains:
        return {}
    known = set(spec.known_domains)
    return {host: fixed for host, fixed in fixes.items() if fixed in known}


def correct(frame: pl.DataFrame, fixes: dict[str, str], hosts: pl.Series) -> pl.DataFrame:
    """``frame`` with the addresses at the ``fixes`` domains rewritten (``hosts``: the domain of
    each primary); only the rows concerned are touched, alternates kept once, never repeating
    the primary."""
    if not fixes:
        return frame

    def fixed(address: pl.Expr, host: pl.Expr) -> pl.Expr:
        meant = host.replace_strict(fixes, default=None, return_dtype=pl.String)
        return pl.coalesce(pl.format("{}@{}", local_part(address), meant), address)

    at = hosts.is_in(list(fixes)).fill_null(False).arg_true()
    typed = frame[EMAIL].gather(at).to_frame().with_columns(hosts.gather(at).alias("h"))
    primary = frame[EMAIL].scatter(at, typed.select(fixed(pl.col(EMAIL), pl.col("h")))[EMAIL])
    updated = frame.with_columns(primary.alias(EMAIL))
    if ALT not in frame.columns:
        return updated
    rows = updated.select((pl.col(ALT).list.len() > 0).arg_true()).to_series()
    if rows.is_empty():
        return updated
    lists = updated[[EMAIL, ALT]][rows].with_columns(
        pl.col(ALT).list.eval(fixed(pl.element(), domain(pl.element())))
    )
    every = lists.select(pl.concat_list(EMAIL, ALT).list.unique(maintain_order=True).list.slice(1))
    return updated.with_columns(scatter(updated[ALT], rows, every[EMAIL]).alias(ALT))


def find_typos(frame: pl.DataFrame, rules: Rules) -> Step:
    """The stage step: misspelled domains of the big providers corrected (EM09), the others
    suggested (EM02)."""
    spec = email_keys.load(rules)
    rows = addresses(frame, (EMAIL, ALT))
    suggested = suggestions(rows["host"], spec)
    fixes = corrections(suggested, spec)
    findings = typo_findings(rows, suggested, EMAIL, fixes)
    return Step(correct(frame, fixes, rows["host"].head(frame.height)), findings)
