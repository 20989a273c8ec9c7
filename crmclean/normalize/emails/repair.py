"""E-mail cells typed with stray spaces or commas: repaired where exactly one reading is valid.

``name @gmail.com`` and ``x@ hotmail.com`` (spaces around the ``@``), ``x@gmail,com`` (a comma
for a dot before the last labels), ``x@gmailcom`` (the dots of a big provider's domain left
out) and ``E-mail: x@y.com`` or ``x@y.com (pessoal)`` (a label or a comment around the address)
have one reading only. Words glued to an address (``first last@gmail.com``) have several
(``firstlast@``, ``first.last@``, ``last@``...): such a chunk is never cut to a valid-looking
piece; it is reported as ambiguous instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_AROUND_AT = re.compile(r"[ \t]*@[ \t]*")
_DOMAIN_COMMA = re.compile(
    r"(?i)(@[a-z0-9-]+(?:\.[a-z0-9-]+)*),([a-z]{2,3}(?:\.[a-z]{2})?)(?=$|[\s;|/)>\]])"
)
_LABEL = re.compile(r"(?i)^\s*(?:e-?mail|email|correo|correio|mail)\s*:\s*")
_COMMENT = re.compile(r"\s*[(\[][^()\[\]@]*[)\]]\s*")
CHUNKS = re.compile(r"[;,/|\r\n]+")
CONJUNCTIONS = frozenset({"e", "ou", "or", "y", "o", "and"})


def repair(cell: str) -> str:
    """``cell`` with the stray spaces, commas, labels and comments of an address fixed (the
    cell itself when there is nothing to fix or no ``@``)."""
    if "@" not in cell:
        return cell
    text = _LABEL.sub("", _AROUND_AT.sub("@", cell))
    text = _DOMAIN_COMMA.sub(r"\1.\2", text)
    return _COMMENT.sub(" ", text)


def dotless(domain: str) -> str:
    """How a domain typed without its dots is compared: ``gmail.com`` -> ``gmailcom``."""
    return domain.replace(".", "")


def restore_dots(token: str, known: Collection[str]) -> str:
    """``x@gmailcom`` -> ``x@gmail.com`` when the domain without dots is a known provider's."""
    local, at, host = token.rpartition("@")
    if not at or "." in host:
        return token
    lookup = {dotless(domain): domain for domain in known}
    fixed = lookup.get(host.lower())
    return f"{local}@{fixed}" if fixed else token


def chunks(text: str) -> list[tuple[str, bool]]:
    """The pieces between separators, each with ``True`` when it holds words glued to an
    address (ambiguous: kept whole)."""
    found = []
    for chunk in CHUNKS.split(text):
        words = [w for w in chunk.split() if w.lower() not in CONJUNCTIONS]
        addresses = [w for w in words if "@" in w]
        if addresses and len(addresses) < len(words):
            found.append((chunk.strip(), True))
        else:
            found += [(word, False) for word in words]
    return found
