"""Orders and deals as a second kind of source: read, find the columns, parse dates and amounts.

Nothing is dropped silently: a row without a usable date or amount, or whose status is not a
won one, goes to the problems table with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict

from crmclean.batch import ROW
from crmclean.errors import UserError
from crmclean.headers import fold_header
from crmclean.normalize.values.dates import SLASHED, to_iso
from crmclean.read import read_file
from crmclean.rules import Rules
from crmclean.segments.rfm import AMOUNT, ORDER_DATE

FIELDS = ("order_id", "customer_id", "email", "date", "amount", "status")
TRIMMED = ("order_id", "customer_id", "email", "date")  # amounts and statuses are cleaned anyway
PLAIN_AMOUNT = r"^-?\d+(?:[.,]\d{1,2})?$"
PROBLEM_SCHEMA = {
    "source": pl.String,
    "row": pl.Int64,
    "order_id": pl.String,
    "reason": pl.String,
    "value": pl.String,
}


@dataclass(frozen=True)
class OrderSource:
    """An orders file; ``customer_source`` names the contact source its customer ids belong to."""

    path: Path
    name: str | None = None
    customer_source: str | None = None
    sheet: str | int | None = None
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def source_name(self) -> str:
        return self.name or self.path.stem


class OrderRules(BaseModel):
    """``rules/orders.yaml``: header aliases per order field, and the won statuses."""

    model_config = ConfigDict(extra="forbid")
    fields: dict[str, list[str]]
    won: list[str]


def order_rules(rules: Rules) -> OrderRules:
    return OrderRules.model_validate(rules.load("orders.yaml"))


def find_columns(headers: list[str], spec: OrderRules, path: Path) -> dict[str, str]:
    """Order field -> header; a user error naming what is missing."""
    folded = {fold_header(h): h for h in reversed(headers)}
    found = {}
    for name in FIELDS:
        aliases = [fold_header(a) for a in spec.fields.get(name, [])]
        header = next((folded[a] for a in aliases if a in folded), None)
        if header is not None:
            found[name] = header
    missing = [n for n in ("date", "amount") if n not in found]
    if missing or not {"customer_id", "email"} & set(found):
        need = missing + ([] if {"customer_id", "email"} & set(found) else ["customer_id or email"])
        raise UserError(f"orders file lacks columns for {need}; headers: {headers}", file=str(path))
    return found


def parse_amount(text: pl.Expr) -> pl.Expr:
    """``R$ 1.234,56``, ``1,234.56``, ``1234.5``, ``-10`` -> float; null when not a number.

    The last ``.`` or ``,`` followed by 1-2 digits at the end is the decimal mark; every other
    ``.``, ``,``, space and currency sign is dropped.
    """
    bare = text.str.replace_all(r"[^\d.,\-]", "")
    decimal = bare.str.extract(r"[.,](\d{1,2})$", 1)
    whole = (
        pl.when(decimal.is_not_null()).then(bare.str.replace(r"[.,]\d{1,2}$", "")).otherwise(bare)
    )
    digits = whole.str.replace_all(r"[.,]", "")
    number = pl.concat_str([digits, pl.lit("."), decimal.fill_null("0")])
    has_digit = bare.str.contains(r"\d")
    return pl.when(has_digit).then(number.cast(pl.Float64, strict=False))


def by_distinct(text: pl.Series, parse: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``parse`` run on the distinct values of ``text`` only, the results joined back."""
    distinct = text.drop_nulls().unique()
    table = pl.DataFrame({"text": distinct, "value": parse(distinct)})
    rows = text.rename("text").to_frame()
    return rows.join(table, on="text", how="left", maintain_order="left")["value"]


def _amounts(text: pl.Series) -> pl.Series:
    return text.to_frame("text").select(parse_amount(pl.col("text"))).to_series()


def parse_amounts(text: pl.Series) -> pl.Series:
    """:func:`parse_amount` over a column, with a fast path for plain numbers (``1234``,
    ``-10``, ``99.9``, ``123,45``); the rest once per distinct value."""
    plain = text.str.contains(PLAIN_AMOUNT).fill_null(False)
    fast = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    values = fast.zip_with(plain, pl.Series([None] * text.len(), dtype=pl.Float64))
    others = ~plain & text.is_not_null()
    if others.any():
        values = values.scatter(others.arg_true(), by_distinct(text.filter(others), _amounts))
    return values.rename(text.name)


def _dates(text: pl.Series) -> pl.Series:
    parts = text.str.extract_groups(SLASHED)
    month_first = bool(
        (parts.struct["b"].cast(pl.Int32) > 12).any()
        and not (parts.struct["a"].cast(pl.Int32) > 12).any()
    )
    iso = to_iso(text, dayfirst=not month_first)
    return iso.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def parse_date(text: pl.Series) -> pl.Series:
    """Order dates to ``Date``: ``a/b/yyyy`` is day first unless the column shows otherwise."""
    return by_distinct(text, _dates)


def _problems(frame: pl.DataFrame, mask: pl.Expr, reason: str, column: str) -> pl.DataFrame:
    rows = frame.filter(mask).select(
        "source", "row", "order_id", pl.lit(reason).alias("reason"), pl.col(column).alias("value")
    )
    return rows.cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]


def read_orders(source: OrderSource, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The usable orders of ``source`` and the problems table (source, row, order id, reason,
    value) of the rest: no date, no amount, or not won."""
    spec = order_rules(rules)
    table = read_file(
        source.path, sheet=source.sheet, encoding=source.encoding, delimiter=source.delimiter
    )
    headers = [c for c in table.frame.columns if c != ROW]
    columns = find_columns(headers, spec, source.path)
    text = table.frame.select(
        pl.lit(source.source_name).alias("source"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        *(_column(columns.get(name), name in TRIMMED).alias(name) for name in FIELDS),
    )
    frame = text.with_columns(
        parse_date(text["date"]).alias(ORDER_DATE),
        parse_amounts(text["amount"]).alias(AMOUNT),
        pl.lit(source.customer_source, pl.String).alias("customer_source"),
    )
    won = [fold_header(w) for w in spec.won]
    distinct = frame["status"].drop_nulls().unique().to_list()
    status = pl.col("status").replace({v: fold_header(v) for v in distinct})  # once per value
    not_won = pl.col("status").is_not_null() & ~status.is_in(won)
    no_date, no_amount = pl.col(ORDER_DATE).is_null(), pl.col(AMOUNT).is_null()
    problems = pl.concat(
        [
            _problems(frame, no_date, "order.bad_date", "date"),
            _problems(frame, ~no_date & no_amount, "order.bad_amount", "amount"),
            _problems(frame, ~no_date & ~no_amount & not_won, "order.not_won", "status"),
        ]
    )
    kept = frame.filter(~no_date & ~no_amount & ~not_won.fill_null(False))
    return kept, problems


def _column(header: str | None, trim: bool) -> pl.Expr:
    if header is None:
        return pl.lit(None, dtype=pl.String)
    return pl.col(header).str.strip_chars() if trim else pl.col(header)
