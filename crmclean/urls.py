"""The one way a database URL reaches a person: parsed with a clear error, password masked.

Masking works on the text, so it holds for URLs SQLAlchemy cannot parse (a password with an
``@``, a bad port) and for any message that quotes one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from crmclean.errors import UserError

if TYPE_CHECKING:  # sqlalchemy is imported only where a URL is parsed: the CLI starts fast
    import sqlalchemy as sa

# scheme://user:password@ -- up to the last "@" before the host's "/", so "p@ss" is covered.
_CREDENTIALS = re.compile(r"(\b[A-Za-z][\w+.-]*://[^:/@\s]*):([^/\s]*)@")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def is_database_url(location: str | Path) -> bool:
    """True for ``sqlite:///crm.db``, ``postgresql://...`` and other SQLAlchemy URLs."""
    return "://" in str(location)


def is_target(data: str) -> bool:
    """Whether ``data`` names a database (a URL, or a SQLite file by its suffix)."""
    return "://" in data or Path(data).suffix.lower() in SQLITE_SUFFIXES


def mask_url(url: object) -> str:
    """``url`` as text with its password replaced by ``***``."""
    if hasattr(url, "render_as_string"):  # a sqlalchemy URL
        return url.render_as_string(hide_password=True)
    return _CREDENTIALS.sub(r"\1:***@", str(url))


def mask_credentials(text: str) -> str:
    """Every URL password in a message replaced by ``***``."""
    return _CREDENTIALS.sub(r"\1:***@", text)


def parse_url(url: str) -> sa.URL:
    """A SQLAlchemy URL; a malformed one (bad port too) is a :class:`UserError`."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "malformed"
        detail = "the port is not a number" if "int()" in detail else mask_credentials(detail)
        raise UserError(
            f"invalid database URL {mask_url(url)} (expected dialect://user@host:port/db): {detail}"
        ) from None


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's message) with ``url`` masked and its password, as given or
    decoded, replaced by ``***``."""
    text = mask_credentials(text.replace(url, mask_url(url)))
    given = _CREDENTIALS.search(url)
    secrets = {given.group(2), unquote(given.group(2))} if given else set()
    secrets |= {part for secret in secrets for part in secret.split("@") if len(part) > 2}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***") if secret else text
    return text
