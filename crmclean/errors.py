"""Errors a user can act on, kept apart from bugs.

A :class:`UserError` is printed as one line (``Error: file:row: column 'X': ...``) with exit
code 2 and no traceback; anything else is an internal error (exit 3).
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input, spec, option or URL: the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file if self.row is None else f"{self.file}:{self.row}"
            where += ": "
        column = f"column '{self.column}': " if self.column else ""
        return f"{where}{column}{self.message}"


class GateFailed(Exception):
    """The validation gate refused the data; nothing was written (exit code 1)."""
