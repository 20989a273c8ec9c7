"""Fuzz the readers and ``clean`` for a bounded time: whatever the bytes, either a table or a
one-line :class:`UserError`, never a crash. The long run is ``bench/fuzz_readers.py``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmclean import pipeline
from crmclean.errors import UserError
from crmclean.read import read_file
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

NASTY = Path(__file__).parent / "data" / "nasty"
RULES = Rules()
TOKENS = [
    b'"',
    b",",
    b";",
    b"\t",
    b"\r",
    b"\n",
    b"\x00",
    b"\xe3",
    b"\xc3\xa3",
    b"\xef\xbb\xbf",
    b"=cmd|' /C calc'!A0",
    b"BEGIN:VCARD\n",
    b"END:VCARD\n",
    b"{",
    b"[",
    b'"a"',
    b"Ana",
]
SEEDS = sorted(p.read_bytes() for p in NASTY.iterdir() if p.suffix in (".csv", ".vcf"))
PIECES = st.one_of(st.sampled_from(TOKENS), st.binary(max_size=12))
MUTATED = st.builds(
    lambda seed, at, piece: seed[:at] + piece + seed[at:],
    st.sampled_from(SEEDS),
    st.integers(0, 200),
    PIECES,
)
INPUT = st.one_of(MUTATED, st.lists(PIECES, max_size=30).map(b"".join))
SUFFIX = st.sampled_from([".csv", ".tsv", ".vcf", ".json", ".ndjson"])


def _read_or_refuse(raw: bytes, suffix: str, *, clean: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(raw)
        try:
            if clean:
                pipeline.run([SourceSpec(path=path)], RULES, stop_before="dedupe")
            else:
                read_file(path)
        except UserError as exc:
            assert "\n" not in str(exc).strip(), str(exc)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(INPUT, SUFFIX)
def test_no_input_crashes_a_reader(raw, suffix):
    _read_or_refuse(raw, suffix, clean=False)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(MUTATED, SUFFIX)
def test_no_input_crashes_clean(raw, suffix):
    _read_or_refuse(raw, suffix, clean=True)
