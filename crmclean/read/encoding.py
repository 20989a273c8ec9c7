"""Which text encoding a file uses: BOM, strict UTF-8, mostly UTF-8 with odd cp1252 lines, a
cp1252 check, charset-normalizer."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import NamedTuple

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
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
MIXED = "utf-8+cp1252"  # a UTF-8 file with a few lines in cp1252 (a merged export)


class Decoded(NamedTuple):
    """A file's text, the encoding it was in, and the 1-based lines that were not valid UTF-8
    in a file otherwise UTF-8 (decoded as cp1252 from the first bad byte to the line's end)."""

    text: str
    encoding: str
    repaired: tuple[int, ...] = ()


def detect_encoding(raw: bytes) -> str:
    """Name of the encoding of ``raw``: its BOM, else UTF-8 if it decodes strictly, else cp1252
    if it reads as Western text, else charset-normalizer's guess (cp1252 where it fits as well
    as latin-1 does). charset-normalizer alone mistakes Portuguese in cp1252 for cp1250 or
    mac_roman, so cp1252 is checked first.

    Raises :class:`UserError` when no text encoding fits (binary data).
    """
    for bom, name in BOMS:
        if raw.startswith(bom):
            broken = name == "utf-8-sig" and _failure(raw, name) is not None
            return MIXED if broken else name
    utf8_error = _failure(raw, "utf-8")
    if utf8_error is None:
        return "utf-8"
    if _mostly_utf8(raw):
        return MIXED
    if _reads_as_western(raw[:SAMPLE_BYTES]):
        return "cp1252"
    import charset_normalizer  # only for a file neither UTF-8 nor cp1252 (its import: 8 ms)

    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise UserError(f"not a text file: not UTF-8 ({utf8_error}), not cp1252, no other fits")
    return "cp1252" if "cp1252" in best.could_be_from_charset else best.encoding


def decode(raw: bytes, *, path: Path, encoding: str | None = None) -> Decoded:
    """The text of ``raw``, the encoding used (``encoding`` when given, else detected) and the
    lines repaired in a mostly UTF-8 file."""
    try:
        name = encoding or detect_encoding(raw)
    except UserError as exc:
        raise UserError(exc.message, file=str(path)) from None
    if name == MIXED:
        return _decode_mixed(raw)
    try:
        return Decoded(raw.decode(name), name)
    except LookupError:
        raise UserError(f"unknown encoding {name!r}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        problem = _position(raw, exc)
        raise UserError(f"cannot decode the file as {name}: {problem}", file=str(path)) from None


def utf8_bytes(
    raw: bytes, *, path: Path, encoding: str | None = None
) -> tuple[bytes, str, tuple[int, ...]]:
    """``raw`` as UTF-8 bytes without a BOM, the encoding it was in and the repaired lines. A
    UTF-8 file is handed back as it is (detection has already checked it decodes), sparing a
    decode and re-encode."""
    if encoding is None:
        try:
            encoding = detect_encoding(raw)
        except UserError as exc:
            raise UserError(exc.message, file=str(path)) from None
        if encoding in ("utf-8", "utf-8-sig"):
            return raw.removeprefix(codecs.BOM_UTF8), encoding, ()
    text, encoding, repaired = decode(raw, path=path, encoding=encoding)
    return text.encode("utf-8"), encoding, repaired


def _mostly_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is a UTF-8 export with a few rows pasted from a cp1252 one: text (no
    NUL), fewer than half its lines not UTF-8, as many UTF-8 multi-byte characters as those."""
    if b"\x00" in raw:
        return False
    bad_lines = len(_decode_mixed(raw).repaired)
    few = 2 * bad_lines < raw.count(b"\n") + 1
    return few and len(_UTF8_SEQUENCE.findall(raw)) >= bad_lines


def _decode_mixed(raw: bytes) -> Decoded:
    """``raw`` decoded as UTF-8, each line's invalid part (first bad byte to the line's end)
    decoded as cp1252 (latin-1 for the five bytes cp1252 leaves undefined)."""
    data = raw.removeprefix(codecs.BOM_UTF8)
    lines: list[int] = []
    counted = [0, 1]  # offset counted up to, line number there

    def repair(exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        end = data.find(b"\n", exc.start)
        end = len(data) if end < 0 else end
        counted[1] += data.count(b"\n", counted[0], exc.start)
        counted[0] = exc.start
        lines.append(counted[1])
        return _cp1252(data[exc.start : end]), end

    codecs.register_error("crmclean-mixed", repair)
    text = data.decode("utf-8", errors="crmclean-mixed")
    return Decoded(text, MIXED, tuple(lines))


def _cp1252(part: bytes) -> str:
    try:
        return part.decode("cp1252")
    except UnicodeDecodeError:
        return part.decode("latin-1")


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
