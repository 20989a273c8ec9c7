"""Fuzz the readers (CSV/TSV, vCard, JSON, NDJSON) and, every ``--clean-every`` input, the whole
``clean`` path (read -> map -> normalize) with mutated nasty files and random bytes.

A crash is any exception other than a :class:`UserError` (the one-line, exit-2 kind). Prints
the inputs run, the crashes and the rate; saves each crashing input under ``--crashes``.
Heavy: run it under the shared lock::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/fuzz_readers.py --inputs 1000000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from crmclean import pipeline
from crmclean.errors import UserError
from crmclean.read.delimited import read_delimited
from crmclean.read.file import _read_json
from crmclean.read.vcard import read_vcard
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

NASTY = Path(__file__).resolve().parent.parent / "tests" / "data" / "nasty"
TOKENS = [
    b'"',
    b'""',
    b",",
    b";",
    b"\t",
    b"|",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xe3",
    b"\xc3",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"=cmd|' /C calc'!A0",
    b"\xc3\xa3",
    b"BEGIN:VCARD\n",
    b"END:VCARD\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b'{"a":',
    b"5,51199E+12",
    b"\\",
    b" ",
]
Reader = Callable[[Path, bytes], object]
READERS: dict[str, Reader] = {
    ".csv": lambda path, raw: read_delimited(path, raw),
    ".vcf": lambda path, raw: read_vcard(path, raw),
    ".json": lambda path, raw: _read_json(path, raw, None, lines=False),
    ".ndjson": lambda path, raw: _read_json(path, raw, None, lines=True),
}


def seeds() -> list[bytes]:
    """The nasty corpus plus a few well-formed files of each format."""
    files = [p.read_bytes() for p in sorted(NASTY.iterdir()) if p.suffix in (".csv", ".vcf")]
    return [*files, b'[{"id": 1, "email": "a@x.com"}]', b'{"id": "1"}\n{"id": 2}\n']


def mutate(rng: random.Random, seed: bytes) -> bytes:
    """``seed`` with 1-8 random edits: byte flips, token inserts, cuts, repeats; or noise."""
    if rng.random() < 0.05:
        return rng.randbytes(rng.randint(1, 300))
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(data))
        move = rng.random()
        if move < 0.35:
            data[at:at] = rng.choice(TOKENS)
        elif move < 0.55 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif move < 0.7:
            del data[at : at + rng.randint(1, 20)]
        elif move < 0.85:
            data[at:at] = data[at : at + rng.randint(1, 40)] * rng.randint(1, 3)
        else:
            data[at:at] = rng.randbytes(rng.randint(1, 8))
    return bytes(data)


def run_one(raw: bytes, suffix: str, folder: Path, rules: Rules | None) -> None:
    """Read ``raw`` as a ``suffix`` file (and clean it when ``rules``); UserError is fine."""
    path = folder / f"fuzz{suffix}"
    try:
        if rules is None:
            READERS[suffix](path, raw)
        else:
            path.write_bytes(raw)
            pipeline.run([SourceSpec(path=path)], rules, stop_before="dedupe")
    except UserError:
        return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--clean-every", type=int, default=500)
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/crmclean-fuzz"))
    args = parser.parse_args()
    rng, corpus, rules = random.Random(args.seed), seeds(), Rules()
    args.work.mkdir(parents=True, exist_ok=True)
    crashes, cleans, started = 0, 0, time.perf_counter()
    for n in range(1, args.inputs + 1):
        raw, suffix = mutate(rng, rng.choice(corpus)), rng.choice(list(READERS))
        full = n % args.clean_every == 0
        cleans += full
        try:
            run_one(raw, suffix, args.work, rules if full else None)
        except Exception:  # a crash: anything but a UserError
            crashes += 1
            args.crashes.mkdir(parents=True, exist_ok=True)
            (args.crashes / f"crash-{n}{suffix}").write_bytes(raw)
            print(f"crash on input {n} ({suffix}):", traceback.format_exc().splitlines()[-1])
        if n % 50_000 == 0:
            print(f"{n:,} inputs, {crashes} crashes, {time.perf_counter() - started:,.0f} s",
                  flush=True)  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"inputs: {args.inputs:,} (of which {cleans:,} through clean); crashes: {crashes}")
    print(f"time: {seconds:,.0f} s ({args.inputs / seconds:,.0f} inputs/s)")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
