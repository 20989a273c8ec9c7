"""vCard files (``.vcf``, versions 2.1, 3.0 and 4.0) from phones and address books.

Each card becomes one row with fixed columns (``FN``, ``N-GIVEN``, ``EMAIL``, ``TEL-CELL``...);
several e-mails or phones of a card share one cell, separated by ``; ``. Properties without a
column of their own are kept, as ``NAME:value`` lines, in ``OTHER``.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import replace
from pathlib import Path

import polars as pl

from crmclean.errors import UserError
from crmclean.read.encoding import decode
from crmclean.read.seen import vcards
from crmclean.read.table import Repaired, SourceTable, build

COLUMNS = [
    "UID", "FN", "N-PREFIX", "N-GIVEN", "N-MIDDLE", "N-FAMILY", "N-SUFFIX", "EMAIL", "TEL-CELL",
    "TEL", "ORG", "TITLE", "ADR-STREET", "ADR-CITY", "ADR-REGION", "ADR-POSTAL-CODE",
    "ADR-COUNTRY", "URL", "BDAY", "NOTE", "CATEGORIES", "REV", "OTHER",
]  # fmt: skip
# Components of structured values, in the order RFC 6350 gives them.
N_PARTS = {1: "N-GIVEN", 2: "N-MIDDLE", 0: "N-FAMILY", 3: "N-PREFIX", 4: "N-SUFFIX"}
ADR_PARTS = {
    2: "ADR-STREET",
    3: "ADR-CITY",
    4: "ADR-REGION",
    5: "ADR-POSTAL-CODE",
    6: "ADR-COUNTRY",
}
SIMPLE = {"UID", "FN", "TITLE", "URL", "BDAY", "NOTE", "CATEGORIES", "REV"}
_LINE = re.compile(r"^(?:[\w-]+\.)?(?P<name>[\w-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$")
_SPLIT = re.compile(r"(?<!\\);")


def read_vcard(path: Path, raw: bytes, *, encoding: str | None = None) -> SourceTable:
    """Every ``BEGIN:VCARD`` ... ``END:VCARD`` block of the file as one row."""
    text, encoding, repaired = decode(raw, path=path, encoding=encoding)
    cards = [_card(block) for block in _blocks(_unfold(text))]
    if not cards:
        raise UserError("no BEGIN:VCARD ... END:VCARD block found", file=str(path))
    frame = pl.DataFrame(cards, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")
    table = build(path, frame, COLUMNS, encoding=encoding)
    noted = tuple(Repaired(_card_of(text, n), n) for n in repaired)
    return replace(table, repaired=noted, seen=vcards(text))


def _card_of(text: str, line: int) -> int:
    """The number of the card holding 1-based ``line`` (the BEGIN:VCARD lines before it)."""
    head = "\n".join(text.split("\n", line)[:line])
    return len(re.findall(r"(?im)^BEGIN:VCARD", head))


def _unfold(text: str) -> list[str]:
    """Logical lines: folded (leading blank) and quoted-printable soft breaks joined."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if lines and line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        elif lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].upper():
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    return lines


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    for line in lines:
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            blocks.append([])
        elif upper != "END:VCARD" and blocks and line.strip():
            blocks[-1].append(line)
    return blocks


def _card(lines: list[str]) -> tuple[str | None, ...]:
    """One card's cells, in :data:`COLUMNS` order."""
    cells: dict[str, list[str]] = {}
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            continue
        name, params = match["name"].upper(), match["params"].upper()
        value = _decoded(match["value"], params)
        for column, part in _columns(name, params, value):
            if part:
                cells.setdefault(column, []).append(part)
    return tuple("; ".join(cells[c]) if c in cells else None for c in COLUMNS)


def _columns(name: str, params: str, value: str) -> list[tuple[str, str]]:
    """(column, text) pairs a property fills."""
    if name == "N":
        return _parts(value, N_PARTS)
    if name == "ADR":
        return _parts(value, ADR_PARTS)
    if name == "TEL":
        number = _unescape(value).removeprefix("tel:")
        return [("TEL-CELL" if "CELL" in params else "TEL", number)]
    if name == "ORG":
        return [("ORG", _unescape(_SPLIT.split(value)[0]))]
    if name == "EMAIL" or name in SIMPLE:
        return [(name, _unescape(value))]
    if name in ("VERSION", "PRODID", "PHOTO", "X-ABUID"):
        return []
    return [("OTHER", f"{name}:{_unescape(value)}")]


def _parts(value: str, positions: dict[int, str]) -> list[tuple[str, str]]:
    parts = _SPLIT.split(value)
    return [(col, _unescape(parts[i])) for i, col in positions.items() if i < len(parts)]


def _decoded(value: str, params: str) -> str:
    """Quoted-printable (vCard 2.1) values decoded with their CHARSET (UTF-8 by default)."""
    if "QUOTED-PRINTABLE" not in params:
        return value
    found = re.search(r"CHARSET=([\w-]+)", params)
    raw = quopri.decodestring(value.encode("ascii", "replace"))
    try:
        return raw.decode(found.group(1) if found else "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _unescape(text: str) -> str:
    return (
        text.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")
    ).strip()
