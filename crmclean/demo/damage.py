"""The ways real records drift from the truth: typos, lost accents, formats, blanks."""

from __future__ import annotations

import string
import unicodedata
from random import Random
from typing import TypeVar

from crmclean.demo.people import Company, Phone
from crmclean.demo.vocab import Weighted

T = TypeVar("T")


def blank(rng: Random, share: float, value: T) -> T | None:
    """``value``, or None (a field left empty) with probability ``share``."""
    return None if rng.random() < share else value


def strip_accents(text: str) -> str:
    """``"João Conceição"`` -> ``"Joao Conceicao"`` (what old systems and keyboards do)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typo(rng: Random, text: str) -> str:
    """One slip of the finger: a letter swapped with the next, dropped, doubled or replaced."""
    letters = [i for i, ch in enumerate(text[:-1]) if ch.isalpha() and text[i + 1].isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    slip = rng.randrange(4)
    if slip == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if slip == 1:
        return text[:i] + text[i + 1 :]
    if slip == 2:
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


def damage_name(rng: Random, text: str, rate: float = 1.0) -> str:
    """A name as someone typed it: sometimes without accents, in capitals, lowercase or misspelt."""
    roll = rng.random() / rate
    if roll < 0.12:
        return strip_accents(text)
    if roll < 0.20:
        return text.upper()
    if roll < 0.24:
        return text.lower()
    if roll < 0.27:
        return typo(rng, text)
    return text


def _grouped(phone: Phone, sep: str) -> str:
    return f"{phone.local[:-4]}{sep}{phone.local[-4:]}"


def phone_text(rng: Random, phone: Phone, styles: Weighted[str]) -> str:
    """``phone`` in one of ``styles`` (weights); non-Brazilian numbers stay international."""
    style = styles.draw(rng) if phone.calling_code == "55" else rng.choice(["e164", "intl"])
    digits = phone.area + phone.local
    if style == "paren":
        return f"({phone.area}) {_grouped(phone, '-')}"
    if style == "spaced":
        return f"{phone.area} {_grouped(phone, '-')}"
    if style == "intl":
        return " ".join(
            p for p in (f"+{phone.calling_code}", phone.area, _grouped(phone, " ")) if p
        )
    if style == "intl_dash":
        return f"+{phone.calling_code} {phone.area} {_grouped(phone, '-')}"
    if style == "digits":
        return digits
    if style == "no_area":
        return _grouped(phone, "-")
    if style == "excel":
        full = phone.calling_code + digits
        return f"{full[0]}.{full[1:].rstrip('0') or '0'}E{len(full) - 1}"
    return phone.e164


def email_variant(rng: Random, email: str) -> str:
    """The same mailbox written differently: capitals, or Gmail dots moved."""
    local, domain = email.split("@")
    if domain == "gmail.com" and rng.random() < 0.5:
        if "." in local:
            return f"{local.replace('.', '')}@{domain}"
        cut = rng.randint(1, len(local) - 1)
        return f"{local[:cut]}.{local[cut:]}@{domain}"
    if rng.random() < 0.5:
        return email.upper()
    return f"{local.title()}@{domain.title()}"


def postal_text(rng: Random, postal_code: str) -> str:
    """A CEP as spreadsheets keep it: with or without hyphen, or a number that lost its zero."""
    digits = postal_code.replace("-", "")
    roll = rng.random()
    if roll < 0.15 and digits.startswith("0"):
        return digits.lstrip("0")
    if roll < 0.4:
        return digits
    return postal_code


def company_text(rng: Random, company: Company) -> str:
    """How people write their employer: with or without legal suffix, capitals, accents."""
    roll = rng.random()
    if roll < 0.3:
        return company.name
    if roll < 0.4:
        return company.legal_name.upper()
    if roll < 0.5:
        return strip_accents(company.legal_name)
    if roll < 0.55:
        return company.name.lower()
    return company.legal_name
