"""The normalize stage: every field to its canonical form, with a finding per change."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import polars as pl

from crmclean.batch import Batch
from crmclean.normalize.companies.casing import normalize_companies
from crmclean.normalize.companies.websites import clean_websites
from crmclean.normalize.emails.columns import clean_emails
from crmclean.normalize.emails.deliverability import check_deliverability
from crmclean.normalize.emails.typos import find_typos
from crmclean.normalize.findings import Step, concat
from crmclean.normalize.ids.tax_ids import normalize_tax_ids
from crmclean.normalize.names.columns import WRITTEN, normalize_names
from crmclean.normalize.phones.columns import clean_phones
from crmclean.normalize.places.cities import normalize_city
from crmclean.normalize.places.countries import normalize_country
from crmclean.normalize.places.country_hints import infer_country
from crmclean.normalize.places.postal import normalize_postal
from crmclean.normalize.places.states import normalize_state
from crmclean.normalize.unidentifiable import unidentifiable
from crmclean.normalize.values.dates import normalize_dates
from crmclean.normalize.values.flags import normalize_flags
from crmclean.normalize.values.picklists import normalize_picklists
from crmclean.normalize.values.placeholders import clean_text
from crmclean.rules import Rules

Normalizer = Callable[[pl.DataFrame], Step]

# The name step reads and writes only the name columns, which no step between the text step and
# it reads or writes: it runs in a second thread beside those steps, so its per-value Python
# and their single-column polars work keep both cores busy.
BESIDE, AFTER = "name", "text"
# The step whose per-value Python holds one core longest: the frame as it is before it, then
# after it (the names laid over it when their step is done), goes to ``early`` (work for the
# other core: before it, what does not read its columns; after it, what does).
EARLY = "phone"
Early = Callable[[pl.DataFrame], None]


def steps(rules: Rules, placeholders: bool = True) -> list[tuple[str, Normalizer]]:
    """Every normalizer of a run, named, in order (countries first: the others read them).

    The text step also empties placeholders (sharing its distinct values), unless
    ``placeholders`` is false (the bench measures what they cost)."""
    model, region = rules.model, rules.default_region
    single = [name for name, spec in model.fields.items() if not spec.multi]
    return [
        ("text", partial(clean_text, rules=rules, fields=single, placeholders=placeholders)),
        ("country", partial(normalize_country, rules=rules)),
        ("country_hint", partial(infer_country, rules=rules)),
        ("state", partial(normalize_state, rules=rules, default_region=region)),
        ("postal_code", partial(normalize_postal, rules=rules, default_region=region)),
        ("city", partial(normalize_city, rules=rules)),
        ("tax_id", partial(normalize_tax_ids, default_region=region)),
        ("email", partial(clean_emails, rules=rules)),
        ("email_typo", partial(find_typos, rules=rules)),
        ("email_dns", partial(check_deliverability, rules=rules)),
        ("phone", partial(clean_phones, rules=rules)),
        ("name", partial(normalize_names, rules=rules, fields=model.of_type("name"))),
        ("company", partial(normalize_companies, rules=rules)),
        ("website", partial(clean_websites, rules=rules)),
        ("date", partial(normalize_dates, fields=model.of_type("date"), default_region=region)),
        ("bool", partial(normalize_flags, rules=rules, fields=model.of_type("bool"))),
        ("picklist", partial(normalize_picklists, rules=rules, fields=model.of_type("picklist"))),
    ]


def normalize(batch: Batch, rules: Rules, early: Early | None = None) -> Batch:
    """Run every normalizer of :func:`steps` (matching keys are the dedupe stage's); ``early``
    gets the frame part way (see :data:`EARLY`).

    A record left with no name, e-mail, phone or company moves to ``rejects``.
    """
    frame, found = run_steps(batch.frame, rules, early)
    kept, rejects = unidentifiable(frame, batch.frame)
    findings = concat(found)
    result = batch.with_frame(kept).add_rejects(rejects).add_findings(findings)
    return result.add_stats("normalize", **_stats(findings, rejects.height))


def run_steps(
    frame: pl.DataFrame, rules: Rules, early: Early | None = None
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Every step of :func:`steps` on ``frame``: the frame and each step's findings, in step
    order, as if run one after another (the :data:`BESIDE` step runs in a thread of its own
    from the :data:`AFTER` step's frame, its columns then laid over the others' frame).
    ``early`` gets the frame before the :data:`EARLY` step and again after it."""
    ordered = steps(rules)
    names = [name for name, _ in ordered]
    start, beside = names.index(AFTER) + 1, names.index(BESIDE)
    written = {*WRITTEN, *rules.model.of_type("name")}
    found: dict[str, pl.DataFrame] = {}
    for name, step in ordered[:start]:
        frame, found[name] = step(frame)
    with ThreadPoolExecutor(1, thread_name_prefix="crmclean-normalize") as pool:
        side = pool.submit(ordered[beside][1], frame)
        main = frame
        for name, step in ordered[start:beside]:
            if name == EARLY and early is not None:
                early(_named_once_done(main, side, written))
            main, found[name] = step(main)
            if name == EARLY and early is not None:
                early(_named_once_done(main, side, written))
        named, found[BESIDE] = side.result()
    frame = _laid_over(main, named, written)
    for name, step in ordered[beside + 1 :]:
        if name == EARLY and early is not None:
            early(frame)
        frame, found[name] = step(frame)
        if name == EARLY and early is not None:
            early(frame)
    return frame, [found[name] for name in names]


def _named_once_done(main: pl.DataFrame, side: Future[Step], written: set[str]) -> pl.DataFrame:
    """``main`` with the name step's columns when its thread (``side``) is done."""
    return _laid_over(main, side.result()[0], written) if side.done() else main


def _laid_over(main: pl.DataFrame, named: pl.DataFrame, written: set[str]) -> pl.DataFrame:
    """``main`` with the name step's columns (``named``: those it wrote or added)."""
    return main.with_columns(named[c] for c in named.columns if c in written or c not in main)


def _stats(findings: pl.DataFrame, rejected: int) -> dict[str, int]:
    rule = pl.col("rule")
    counts = findings.select(
        values_changed=pl.col("before").ne_missing(pl.col("after")).sum(),
        invalid_emails=(rule == "email.invalid").sum(),
        invalid_phones=(rule.str.starts_with("phone.") & (pl.col("severity") == "warning")).sum(),
    )
    return {**counts.row(0, named=True), "rejected": rejected}
