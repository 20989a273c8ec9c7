"""Picklist fields (lifecycle stage, lead status) to the canonical vocabulary of
``values.yaml``; an unknown value is kept as typed, with a finding (never a silent null)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.findings import BEFORE, Step, by_rule, changed, concat, pairs
from crmclean.normalize.spec import load_spec
from crmclean.normalize.values.flags import SPEC, ValueSpec
from crmclean.normalize.values.text import fold, fold_words
from crmclean.rules import Rules


def vocabulary(values: dict[str, list[str]]) -> dict[str, str]:
    """Folded spelling -> canonical value, the canonical values themselves included."""
    entries = [(word, canon) for canon, words in values.items() for word in [canon, *words]]
    keys = fold_words([word for word, _ in entries], " ")
    return dict(zip(keys, [canon for _, canon in entries], strict=True))


def normalize_picklists(frame: pl.DataFrame, rules: Rules, fields: Sequence[str]) -> Step:
    """Each picklist field with a vocabulary mapped; unknown values kept, with PL02."""
    spec = load_spec(rules, SPEC, ValueSpec)
    known = [f for f in fields if f in spec.picklists]
    lookups = {f: vocabulary(spec.picklists[f]) for f in known}
    mapped = {
        f: select_distinct(
            frame,
            [f],
            {
                f: fold(pl.col(f), " ").replace_strict(
                    lookups[f], default=None, return_dtype=pl.String
                )
            },
        )[f]
        for f in known
    }
    findings = []
    for f in known:
        both = pairs(frame, pl.col(f), pl.coalesce(pl.lit(mapped[f]), pl.col(f)))
        unknown = BEFORE.is_not_null() & pl.lit(mapped[f]).is_null()
        rule = pl.when(unknown).then(pl.lit("picklist.unknown_value"))
        findings.append(by_rule(both, f, rule.when(changed()).then(pl.lit("picklist.mapped"))))
    updated = frame.with_columns(pl.coalesce(pl.lit(mapped[f]), pl.col(f)).alias(f) for f in known)
    return Step(updated, concat(findings))
