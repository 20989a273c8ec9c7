"""The guard every SQL statement from a spec or project passes before it runs: one statement,
a ``SELECT`` (or ``WITH ... SELECT``), no keyword that writes or changes the session.

It backs up the read-only session (``SET SESSION ... READ ONLY``), which a statement such as
``SET TRANSACTION READ WRITE; DELETE ...; COMMIT`` would otherwise get past.
"""

from __future__ import annotations

import re

from crmclean.errors import UserError

# String literals, quoted identifiers and comments: blanked before the statement is checked.
_SKIPPED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|--[^\n]*|/\*.*?\*/", re.S)
_WRITES = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE\s+INTO|TRUNCATE|DROP|ALTER|CREATE|GRANT|"
    r"REVOKE|COPY|CALL|DO|EXEC|EXECUTE|PREPARE|SET|RESET|LOCK|UNLOCK|COMMIT|ROLLBACK|BEGIN|"
    r"START|SAVEPOINT|RELEASE|VACUUM|ANALYZE|REINDEX|CLUSTER|LOAD|HANDLER|INTO|ATTACH|DETACH|"
    r"PRAGMA|LISTEN|NOTIFY|REFRESH|OUTFILE|DUMPFILE)\b",
    re.I,
)
_FIRST = re.compile(r"^\s*\(*\s*(SELECT|WITH)\b", re.I)


def read_only_statement(sql: str, *, key: str = "query") -> str:
    """``sql`` when it is one read-only statement (a trailing ``;`` allowed), else a
    :class:`UserError` naming the spec ``key`` it came from."""
    bare = _SKIPPED.sub(" ", sql)
    body = bare.rstrip().rstrip(";").rstrip()
    if ";" in body:
        raise UserError(f"`{key}` must be one SQL statement; found a ';' inside it")
    if not _FIRST.match(body):
        raise UserError(f"`{key}` must be a SELECT (or WITH ... SELECT) statement")
    found = _WRITES.search(body)
    if found:
        word = found.group(1).upper()
        raise UserError(f"`{key}` may only read; it contains {word!r}")
    return sql
