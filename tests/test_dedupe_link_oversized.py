"""Incremental linking reports the oversized blocks of the run's records from the blocks'
sizes over the blocking keys alone: the same blocks, in the same order, as full blocking."""

from __future__ import annotations

import polars as pl
from test_dedupe_support import contacts

from crmclean.dedupe.blocking import blocking_keys, candidate_pairs, oversized_blocks
from crmclean.dedupe.config import load_match_config
from crmclean.dedupe.keys import RECORD, key_table
from crmclean.rules import Rules

SWITCHBOARD = "+551133334444"


def test_oversized_blocks_from_sizes_equal_those_of_full_blocking(rules: Rules) -> None:
    config = load_match_config(rules).model_copy(update={"max_block_size": 3})
    staff = [
        {"phone": SWITCHBOARD, "email": f"p{n}@empresa.com.br", "street": "Rua Augusta 100",
         "first_name": "Ana" if n % 2 else "Bruno", "last_name": "Souza", "postal_code": "01310"}
        for n in range(6)
    ]  # fmt: skip
    born = [
        {"first_name": f"N{n}", "last_name": "Lima", "birth_date": "1980-05-17"} for n in range(5)
    ]
    frame = contacts(*staff, *born, {"email": "p0@empresa.com.br"}).with_row_index(RECORD)
    _, full = candidate_pairs(key_table(frame, config.key_names, config), config)
    sized = oversized_blocks(key_table(frame, blocking_keys(config), config), config)
    assert full.height >= 3
    assert sized.equals(full)
    assert pl.Series(blocking_keys(config)).is_unique().all()
