"""Patterns of cells that are not what they seem: mojibake and spreadsheet formulas.

Kept free of imports so the reader (which flags them) and the normalizers (which leave such
cells alone) can both use them.
"""

from __future__ import annotations

import re

_ACCENTED = "ãáàâäçéèêëíìîïñóòôõöúùûüÁÀÂÃÄÇÉÈÊËÍÎÓÔÕÖÚÜÑºª"
_WRONG_CODECS = ("cp1252", "latin-1", "hp_roman8", "mac_roman", "cp850", "iso8859_2")


def _mojibake_pattern() -> str:
    """Every accented letter's UTF-8 bytes as the wrong codecs show them (``Ã£``, ``ûÈ``)."""
    shown = set()
    for letter in _ACCENTED:
        for codec in _WRONG_CODECS:
            text = letter.encode("utf-8").decode(codec, errors="ignore")
            if len(text) == 2 and text.isprintable():
                shown.add(text)
    return "|".join(sorted(map(re.escape, shown)))


MOJIBAKE = _mojibake_pattern()
# A cell a spreadsheet would run: ``=...`` (full-width too), or ``+``/``-``/``@`` then a
# function or DDE call (``@SUM(``, ``-cmd|``); phone numbers such as ``+55 (11)`` are not.
FORMULA = r"^\s*[=＝]\S|^\s*[+\-@＋－＠]\s*[A-Za-z_][\w.]*\s*[(|!]"
