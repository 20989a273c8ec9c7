"""Which text encoding a file uses: BOM, strict UTF-8, a cp1252 check, charset-normalizer."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from crmclean.errors import UserError

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Beyond ASCII, what Portuguese, Spanish, French and German text uses in cp1252 (a DOS or Mac
# file read as cp1252 shows other symbols: cp850's "ç" reads as "‡").
WESTERN_TEXT = "ÀÁÂÃÄÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜàáâãäçèéêëìíîïñòóôõöùúûüÿºª°´“”‘’–—…•€\xa0"
SAMPLE_BYTES = 1 << 20
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_UNUSUAL = re.compile(f"[^\\x00-\\x7f{WESTERN_TEXT}]")
_LETTER = re.compile("[A-Za-z]")


def detect_encoding(raw: bytes) -> str:
    """Name of the encoding of ``raw``: its BOM, else UTF-8 if it decodes strictly, else cp1252
    if it reads as Western text, else charset-normalizer's guess (cp1252 where it fits as well
    as latin-1 does). charset-normalizer alone mistakes Portuguese in cp1252 for cp1250 or
    mac_roman, so cp1252 is checked first.

    Raises :class:`UserError` when no text encoding fits (binary data).
    """
    for bom, name in BOMS:
        if raw.startswith(bom):
            return name
    utf8_error = _failure(raw, "utf-8")
    if utf8_error is None:
        return "utf-8"
    if _reads_as_western(raw[:SAMPLE_BYTES]):
        return "cp1252"
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise UserError(f"not a text file: not UTF-8 ({utf8_error}), not cp1252, no other fits")
    return "cp1252" if "cp1252" in best.could_be_from_charset else best.encoding


def decode(raw: bytes, *, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``raw`` and the encoding used (``encoding`` when given, else detected)."""
    try:
        name = encoding or detect_encoding(raw)
    except UserError as exc:
        raise UserError(exc.message, file=str(path)) from None
    try:
        return raw.decode(name), name
    except LookupError:
        raise UserError(f"unknown encoding {name!r}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        problem = _position(raw, exc)
        raise UserError(f"cannot decode the file as {name}: {problem}", file=str(path)) from None


def utf8_bytes(raw: bytes, *, path: Path, encoding: str | None = None) -> tuple[bytes, str]:
    """``raw`` as UTF-8 bytes without a BOM, and the encoding it was in. A UTF-8 file is handed
    back as it is (detection has already checked it decodes), sparing a decode and re-encode."""
    if encoding is None:
        try:
            encoding = detect_encoding(raw)
        except UserError as exc:
            raise UserError(exc.message, file=str(path)) from None
        if encoding in ("utf-8", "utf-8-sig"):
            return raw.removeprefix(codecs.BOM_UTF8), encoding
    text, encoding = decode(raw, path=path, encoding=encoding)
    return text.encode("utf-8"), encoding


def _reads_as_western(sample: bytes) -> bool:
    """Whether ``sample`` decodes as cp1252 into Latin-script text: no NUL, nearly all of its
    non-ASCII characters accented letters or typographic marks, fewer than its ASCII letters."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    foreign = len(_NON_ASCII.findall(text))
    unusual = len(_UNUSUAL.findall(text))
    letters = len(_LETTER.findall(text))
    return "\x00" not in text and unusual <= foreign / 10 and foreign <= letters


def _failure(raw: bytes, encoding: str) -> str | None:
    """Where ``raw`` stops being valid ``encoding``, or None if it is valid."""
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as exc:
        return _position(raw, exc)
    return None


def _position(raw: bytes, exc: UnicodeDecodeError) -> str:
    """The offending byte, its offset and its line, for an error message."""
    line = raw.count(b"\n", 0, exc.start) + 1
    return f"invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}, line {line}"
