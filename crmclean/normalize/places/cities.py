"""City names: ALL CAPS or all-lowercase cased like names (``SÃO JOSÉ DOS CAMPOS`` ->
``São José dos Campos``), once per distinct value."""

from __future__ import annotations

import polars as pl

from crmclean.normalize.distinct import FastPath, map_distinct
from crmclean.normalize.findings import Step, by_rule, changed, pairs
from crmclean.normalize.names.vocabulary import NameRules, kept_as_typed, recase
from crmclean.rules import Rules


def normalize_city(frame: pl.DataFrame, rules: Rules, field: str = "city") -> Step:
    """Recase ``field``; a finding for each value that changed."""
    vocab = NameRules.load(rules)

    def one(value: str) -> tuple[str]:
        return (recase(value, vocab),)

    mixed = FastPath(
        when=kept_as_typed(pl.col(field), vocab.particles), then={field: pl.col(field)}
    )
    after = map_distinct(frame, [field], one, {field: pl.String()}, mixed)[field]
    both = pairs(frame, pl.col(field), after)
    rule = pl.when(changed()).then(pl.lit("city.recased"))
    return Step(frame.with_columns(after.alias(field)), by_rule(both, field, rule))
