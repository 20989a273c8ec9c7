"""Masking of personal data in report examples (``--mask-pii``).

E-mails keep the first letter of the user and of the domain (``j***@d***.com``), phone numbers and
tax ids their last two digits, names their initials. Examples are a few values per finding, so the
masks work on single strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from crmclean.model import ContactModel

_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"[^\s@<>;,]+@[^\s@<>;,]+")
_LONG_NUMBER = re.compile(r"\d(?:[\s().\-/]*\d){4,}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.+\-Z]*)?")
_PARTS = "; "


def mask_email(value: str) -> str:
    """``john.doe@domain.com.br`` -> ``j***@d***.com.br``."""
    user, at, domain = value.partition("@")
    if not at:
        return f"{user[:1]}***"
    host, dot, suffix = domain.partition(".")
    return f"{user[:1]}***@{host[:1]}***{dot}{suffix}"


def mask_digits(value: str, keep: int = 2) -> str:
    """Every digit but the last ``keep`` replaced by ``*``, separators kept."""
    total = len(_DIGIT.findall(value))
    seen = 0

    def hide(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return match.group() if seen > total - keep else "*"

    return _DIGIT.sub(hide, value)


def mask_name(value: str) -> str:
    """``Maria da Silva`` -> ``M*** d*** S***``."""
    return " ".join(f"{word[:1]}***" for word in value.split())


def mask_text(value: str) -> str:
    """Free text: e-mail addresses masked, digits masked but the last two."""
    return mask_digits(_EMAIL.sub(lambda m: mask_email(m.group()), value))


_BY_TYPE = {
    "email": mask_email,
    "phone": mask_digits,
    "tax_id": mask_digits,
    "postal_code": mask_digits,
    "name": mask_name,
    "text": mask_text,
    "company": mask_text,
}


def masker(model: ContactModel, field: str | None) -> Callable[[str], str]:
    """The mask for values of ``field`` (free-text masking for fields of other types)."""
    spec = model.fields.get(field or "")
    kind = spec.type if spec is not None else "text"
    return _BY_TYPE.get(kind) or (lambda value: _mask_parts(model, value))


def _mask_parts(model: ContactModel, value: str) -> str:
    """Dates, countries, states and flags stay readable. A value built of ``label value``
    parts (``phone +55...; postal code 01310-100``) has each part masked by its field's mask;
    any other e-mail, or number of five digits or more that is not a date, is masked too."""
    return _PARTS.join(_mask_part(model, part) for part in value.split(_PARTS))


def _mask_part(model: ContactModel, part: str) -> str:
    for field, spec in model.fields.items():
        label = field.replace("_", " ") + " "
        if part.startswith(label) and spec.type in _BY_TYPE:
            return label + _BY_TYPE[spec.type](part[len(label) :])
    if _EMAIL.search(part) or (_LONG_NUMBER.search(part) and not _DATE.fullmatch(part.strip())):
        return mask_text(part)
    return part
