"""Segment sizes and moves as terminal tables with bar charts (rich, 80 columns)."""

from __future__ import annotations

import polars as pl
from rich.table import Table

from crmclean.segments import Segmented
from crmclean.segments.moves import describe

BAR = 24


def bar(count: int, largest: int) -> str:
    """A bar of up to :data:`BAR` blocks, proportional to ``count``."""
    return "█" * round(BAR * count / largest) if largest else ""


def sizes_table(title: str, sizes: dict[str, int]) -> Table:
    """One row per segment: its size, share and a bar."""
    total, largest = sum(sizes.values()), max(sizes.values(), default=0)
    table = Table(title=title, title_justify="left")
    for name, justify in (
        ("segment", "left"),
        ("contacts", "right"),
        ("share", "right"),
        ("", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for name, count in sizes.items():
        share = f"{count / total:.0%}" if total else "-"
        table.add_row(name, f"{count:,}", share, bar(count, largest))
    return table


def moves_table(title: str, moves: pl.DataFrame) -> Table:
    """One row per move (``from -> to``), largest first, with a bar and a sentence."""
    largest = int(moves.select(pl.col("contacts").max()).item() or 0)
    table = Table(title=title, title_justify="left")
    for name in ("from", "to", "contacts", "", "what it means"):
        table.add_column(name, justify="right" if name == "contacts" else "left")
    for move in moves.iter_rows(named=True):
        count = move["contacts"]
        table.add_row(move["from"], move["to"], f"{count:,}", bar(count, largest), describe(move))
    return table


def orders_lines(segmented: Segmented) -> list[str]:
    """Orders read, linked and reported (by reason)."""
    counts = dict(segmented.orders)
    if not counts:
        return ["Orders:              none (RFM recency from the last activity)"]
    read, linked = counts.pop("read", 0), counts.pop("linked", 0)
    lines = [f"Orders:              {read:,} read, {linked:,} linked to golden records"]
    lines += [f"  {reason}: {count:,}" for reason, count in counts.items()]
    return lines


def segment_lines(stats: dict[str, dict[str, int]]) -> list[str]:
    """A run's segment sizes and orders counts (from its stage stats) as summary lines."""
    sizes = stats.get("segment")
    if not sizes:
        return []
    shown = ", ".join(f"{name} {count:,}" for name, count in sizes.items())
    lines = [f"Segments:            {shown}"]
    orders = dict(stats.get("orders", {}))
    if orders:
        read, linked = orders.pop("read", 0), orders.pop("linked", 0)
        rest = "".join(f", {reason} {count:,}" for reason, count in orders.items())
        lines.append(f"Orders:              {read:,} read, {linked:,} linked{rest}")
    return lines
