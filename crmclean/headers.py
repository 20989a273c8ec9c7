"""Header folding shared by the auto-mapper and connector detection."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_header(header: str) -> str:
    """``' Telefone/Celular '`` -> ``'telefone celular'``: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", header)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", ascii_only.lower()).strip()
