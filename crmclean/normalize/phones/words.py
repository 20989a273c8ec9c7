"""What a phone cell holds besides numbers: labels and notes (``Cel:``, ``(whats)``,
``recado``) from ``rules/normalize/phones.yaml``, and the ninth-digit setting."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "normalize/phones.yaml"
# Two numbers typed as "number - number" (each with at least 8 digits).
JOINED = re.compile(r"\s+[-–]\s+")
MIN_DIGITS = 8


class PhoneSpec(BaseModel):
    """The contents of ``rules/normalize/phones.yaml``."""

    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(default_factory=list)
    br_ninth_digit: bool = True
    generic_cctlds: list[str] = Field(default_factory=list)


def load(rules: Rules) -> PhoneSpec:
    """The phone vocabulary of a run."""
    return load_spec(rules, SPEC, PhoneSpec)


@cache
def word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of ``words`` as a label before a number or a note after one (bracketed or not)."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    word = rf"[(\[]?\s*(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])\s*[)\]]?"
    return re.compile(rf"^\s*{word}\s*[:.-]?\s*|\s*[-,]?\s*{word}\s*$", re.IGNORECASE)


def strip_words(text: str, words: tuple[str, ...]) -> str:
    """``text`` without the labels and notes of ``words`` at either end (repeatedly)."""
    pattern = word_pattern(words)
    if pattern is None:
        return text
    while (stripped := pattern.sub("", text, count=1)) != text and stripped.strip():
        text = stripped
    return text


def unjoin(piece: str) -> list[str]:
    """``"3333-4444 - 98765-4321"``: the numbers joined by a spaced dash, when each has at
    least 8 digits (``"3333 - 4444"`` stays one number)."""
    parts = JOINED.split(piece)
    if len(parts) > 1 and all(sum(c.isdigit() for c in p) >= MIN_DIGITS for p in parts):
        return parts
    return [piece]
