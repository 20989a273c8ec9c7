"""The blocking report: per rule its pairs, those no other rule makes, and the true pairs."""

from __future__ import annotations

import polars as pl
from test_dedupe_support import contacts

from crmclean.dedupe.blocking_report import blocking_report
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.rules import Rules


def test_the_report_counts_the_pairs_only_one_rule_makes(rules: Rules) -> None:
    config = load_match_config(rules)
    frame = contacts(
        {"first_name": "Ana", "last_name": "Silva", "email": "ana@x.com"},
        {"first_name": "Ana", "last_name": "Silva", "email": "ana@x.com"},
        {"first_name": "Bia", "last_name": "Costa", "email": "bia@y.com"},
        {"first_name": "Beatriz", "last_name": "Prado", "email": "bia@y.com"},
    )
    truth = pl.DataFrame({"left": [0, 2], "right": [1, 3]})
    report = blocking_report(key_table(frame, config.key_names, config), config, truth)
    rows = {row["rule"]: row for row in report.to_dicts()}
    assert rows["emails"] == {
        "rule": "emails",
        "pairs": 2,
        "only_here": 1,  # Bia Costa and Beatriz Prado: the address alone
        "true_pairs_reached": 2,
        "true_only_here": 1,
        "recall": 1.0,
    }
    assert rows["name_tokens"]["pairs"] == 1 and rows["name_tokens"]["only_here"] == 0
    assert rows["all rules"]["only_here"] is None and rows["all rules"]["recall"] == 1.0
