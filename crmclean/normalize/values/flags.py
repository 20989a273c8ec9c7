"""Yes/no fields to ``"true"`` / ``"false"`` through the vocabulary in ``values.yaml``."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.distinct import select_distinct
from crmclean.normalize.findings import Step, by_rule, changed, concat, dropped, pairs
from crmclean.normalize.spec import load_spec
from crmclean.normalize.values.text import fold, fold_words
from crmclean.rules import Rules

SPEC = "normalize/values.yaml"


class Words(BaseModel):
    """Words meaning true and words meaning false."""

    model_config = ConfigDict(extra="forbid")

    true: list[str] = Field(default_factory=list)
    false: list[str] = Field(default_factory=list)


class ValueSpec(Words):
    """The contents of ``rules/normalize/values.yaml`` (picklists: see ``picklists.py``)."""

    fields: dict[str, Words] = Field(default_factory=dict)
    picklists: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


def vocabulary(spec: ValueSpec, field: str) -> dict[str, str]:
    """Folded word -> ``"true"``/``"false"`` for one field (its own words win)."""
    lookup: dict[str, str] = {}
    for words in (spec, spec.fields.get(field, Words())):
        lookup.update(dict.fromkeys(fold_words(words.false, " "), "false"))
        lookup.update(dict.fromkeys(fold_words(words.true, " "), "true"))
    return lookup


def normalize_flags(frame: pl.DataFrame, rules: Rules, fields: Sequence[str]) -> Step:
    """Known words become ``"true"``/``"false"``; unknown values become null, with a finding."""
    spec = load_spec(rules, SPEC, ValueSpec)
    after = {
        f: select_distinct(frame, [f], {f: _lookup(pl.col(f), vocabulary(spec, f))})[f]
        for f in fields
    }
    rule = (
        pl.when(dropped())
        .then(pl.lit("bool.unknown_value"))
        .when(changed())
        .then(pl.lit("bool.mapped"))
    )
    findings = [by_rule(pairs(frame, pl.col(f), after[f]), f, rule) for f in fields]
    return Step(frame.with_columns(**after), concat(findings))


def _lookup(value: pl.Expr, words: dict[str, str]) -> pl.Expr:
    return fold(value, " ").replace_strict(words, default=None, return_dtype=pl.String)
