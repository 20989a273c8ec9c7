"""The demo's orders file: an ERP export of sales that names customers by their CRM id."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from random import Random

import polars as pl

from crmclean.demo.vocab import Weighted

ORDERS_FILE = "pedidos.csv"
CUSTOMER_SOURCE = "crm_export"  # the source whose ids the orders name
AS_OF = date(2025, 6, 30)  # the day the demo's files were exported
_FIRST_DAY = date(2023, 1, 2)
_BUYERS = 0.55  # share of CRM records with orders
_ORDERS = Weighted({1: 35, 2: 25, 3: 15, 4: 10, 6: 8, 10: 5, 16: 2})
_STATUS = Weighted({"Ganho": 86, "Perdido": 9, "Aberto": 5})
_UNKNOWN = 0.02  # orders naming a customer id the CRM does not have


def _amount(rng: Random) -> str:
    """A Brazilian amount (``1.234,56``), most small, a few large."""
    value = round(rng.lognormvariate(5.5, 1.0), 2)
    whole, cents = f"{value:,.2f}".split(".")
    return f"{whole.replace(',', '.')},{cents}"


def _day(rng: Random, loyal: float) -> date:
    """An order day; buyers with a high ``loyal`` (0-1) bought more recently."""
    span = (AS_OF - _FIRST_DAY).days
    return AS_OF - timedelta(days=int(span * rng.random() ** (1 + 3 * loyal)))


def _orders_of(rng: Random, customer: str) -> list[tuple[str, str, str]]:
    loyal = rng.random()
    return [
        (customer, _day(rng, loyal).strftime("%d/%m/%Y"), _amount(rng))
        for _ in range(_ORDERS.draw(rng))
    ]


def write_orders(directory: Path, crm_ids: list[str], seed: int) -> Path:
    """Write ``pedidos.csv`` (``;``, dd/mm/yyyy, ``1.234,56``) for some of ``crm_ids``."""
    rng = Random(seed)
    rows = [o for cid in crm_ids if rng.random() < _BUYERS for o in _orders_of(rng, cid)]
    rows = [
        (f"9{rng.randint(10_000, 99_999)}", *row[1:]) if rng.random() < _UNKNOWN else row
        for row in rows
    ]
    rows.sort(key=lambda row: row[1][6:] + row[1][3:5] + row[1][:2])
    frame = pl.DataFrame(
        {
            "Pedido": [f"PV-{n:06d}" for n in range(1, len(rows) + 1)],
            "ID do cliente": [r[0] for r in rows],
            "Data do pedido": [r[1] for r in rows],
            "Valor total": [r[2] for r in rows],
            "Situação": [_STATUS.draw(rng) for _ in rows],
        }
    )
    path = directory / ORDERS_FILE
    frame.write_csv(path, separator=";")
    return path
