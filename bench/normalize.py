"""Benchmark: the normalize stage on a generated contact file; prints rows/s per normalizer and
for the whole stage, peak memory, and the speedup over a naive per-row implementation
(``map_elements`` calling the same libraries on every row) measured in the same process.

The file mixes the shapes CRM exports hold (ALL CAPS and "Surname, Given" names, titles and
suffixes, upper-case and several-per-cell e-mails, typo domains, Brazilian phones in every
format with extensions and missing area codes, country and state spellings, CEPs without their
zero, CPFs, companies with legal suffixes, websites, pt/us dates, Excel serials, lifecycle
stages, yes/no words). It is cached as parquet in ``--data``.

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/normalize.py --rows 1000000

With ``--stage-only`` it times only the whole stage, best of ``--rounds``, using nothing but
``normalize`` (so it also runs against an older tree put first on ``PYTHONPATH``: compare two
trees back to back in one locked session). ``--placeholder-cost`` times only the stage's steps
with and without the placeholder check, alternated in one process, best of ``--rounds``.

With ``--neutral FILE`` (``contacts_100k.parquet`` of the shared public data) it times the
e-mail and phone steps instead on a column made from that file's e-mails and phones, grown to
``--rows`` distinct values keeping their shapes: 11% of the e-mails have accented local parts,
and the phones are North American numbers in every format, invalid in the default region
(issue 12's slow paths), best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from crmclean.batch import Batch
from crmclean.normalize import normalize
from crmclean.normalize.stage import steps
from crmclean.rules import Rules

FIRST = ["João", "Maria", "José", "Ana", "Carlos", "Francisca", "Pedro", "Juliana", "Lucas"]
FIRST += ["Mariana", "Luis", "Lucía", "John", "Emily", "Rafael", "Beatriz", "Miguel", "Sofía"]
LAST = ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Costa", "Rodrigues"]
LAST += ["Almeida", "García", "López", "Martínez", "Smith", "da Silva", "de Souza", "dos Santos"]
DOMAINS = ["gmail.com", "hotmail.com", "yahoo.com.br", "outlook.com", "uol.com.br", "acme.com.br"]
DOMAINS += ["empresa.com", "gmial.com", "hotmail.con"]
COUNTRIES = ["Brasil", "BR", "Brazil", "", "brasil", "USA", "Portugal", "BRASIL"]
STATES = ["SP", "São Paulo", "sp", "RJ", "Rio de Janeiro", "MG", "Minas Gerais", "PR", ""]
CITIES = ["São Paulo", "SÃO PAULO", "rio de janeiro", "Belo Horizonte", "CURITIBA", "Recife"]
COMPANIES = ["Acme Ltda", "ACME LTDA.", "Padaria Real S/A", "Tech EIRELI", "Foo Inc.", ""]
STAGES = ["lead", "Lead Qualificado", "marketingqualifiedlead", "Cliente", "customer", ""]
STAGES += ["Open - Not Contacted", "talvez"]
FLAGS = ["Sim", "Não", "1", "0", "yes", "", "true"]


def _pick(rng: np.random.Generator, values: list[str], n: int) -> pl.Series:
    return pl.Series(values).gather(rng.integers(0, len(values), n))


def _digits(rng: np.random.Generator, n: int, width: int) -> pl.Series:
    return pl.Series(rng.integers(0, 10**width, n)).cast(pl.String).str.zfill(width)


def generate(rows: int, seed: int = 7) -> pl.DataFrame:
    """``rows`` contacts with the shapes of real CRM exports (see the module docstring)."""
    rng = np.random.default_rng(seed)
    first, last, last2 = (_pick(rng, names, rows) for names in (FIRST, LAST, LAST))
    ascii_first = first.str.normalize("NFKD").str.replace_all(r"\p{M}", "")
    number = _digits(rng, rows, 6)
    frame = pl.DataFrame({"f": first, "l": last, "l2": last2, "n": number, "r": rng.random(rows)})
    frame = frame.with_columns(
        af=ascii_first.str.to_lowercase(),
        al=pl.col("l2").str.normalize("NFKD").str.replace_all(r"[\p{M} ]", "").str.to_lowercase(),
    )
    frame = frame.with_columns(
        area=_pick(rng, ["11", "21", "31", "41", "81"], rows),
        tail=_digits(rng, rows, 8),
        dom=_pick(rng, DOMAINS, rows),
        day=pl.Series(rng.integers(1, 29, rows)).cast(pl.String).str.zfill(2),
        month=pl.Series(rng.integers(1, 13, rows)).cast(pl.String).str.zfill(2),
        year=pl.Series(rng.integers(2015, 2025, rows)).cast(pl.String),
    )
    return frame.select(*_contact_columns(), *_other_columns(rng, rows)).with_columns(
        pl.all().replace("", None), record_id=pl.int_range(1, rows + 1).cast(pl.String)
    )


def _contact_columns() -> list[pl.Expr]:
    """Name, e-mail and phone in the shapes exports hold them."""
    r, f, last = pl.col("r"), pl.col("f"), pl.format("{} {}", "l", "l2")
    full = pl.format("{} {}", f, last)
    mobile = pl.format("9{}", pl.col("tail"))
    return [
        pl.when(r < 0.2)
        .then(full.str.to_uppercase())
        .when(r < 0.3)
        .then(pl.format("{}, {}", last, f))
        .when(r < 0.35)
        .then(pl.format("Dr. {}", full))
        .when(r < 0.4)
        .then(pl.format("{} Filho", full))
        .otherwise(full)
        .alias("full_name"),
        pl.when(r < 0.1)
        .then(pl.format("{}.{}{}@{}", "af", "al", "n", "dom").str.to_uppercase())
        .when(r < 0.15)
        .then(pl.format("{}{}@{}; {}@x.com", "al", "n", "dom", "n"))
        .when(r < 0.17)
        .then(pl.lit("n/a"))
        .otherwise(pl.format("{}.{}{}@{}", "af", "al", "n", "dom"))
        .alias("email"),
        pl.when(r < 0.4)
        .then(pl.format("({}) {}-{}", "area", mobile.str.slice(0, 5), mobile.str.slice(5)))
        .when(r < 0.6)
        .then(pl.format("{}{}", "area", mobile))
        .when(r < 0.75)
        .then(pl.format("+55 {} {}", "area", mobile))
        .when(r < 0.8)
        .then(pl.format("{} 3{} ramal 12", "area", pl.col("tail").str.slice(1)))
        .when(r < 0.82)
        .then(pl.format("{}-{}", mobile.str.slice(0, 5), mobile.str.slice(5)))
        .when(r < 0.83)
        .then(pl.format("5.5{}{}E12", "area", mobile.str.slice(0, 8)))
        .otherwise(pl.format("+55{}{}", "area", mobile))
        .alias("phone"),
    ]


def _other_columns(rng: np.random.Generator, rows: int) -> list[pl.Expr]:
    """Address, ids, company, website, dates and picklists."""
    r = pl.col("r")
    return [
        _pick(rng, COUNTRIES, rows).alias("country"),
        _pick(rng, STATES, rows).alias("state"),
        _pick(rng, CITIES, rows).alias("city"),
        pl.when(r < 0.3)
        .then(pl.format("{}{}", "n", pl.col("tail").str.slice(0, 1)))
        .otherwise(pl.format("0{}-{}", pl.col("n").str.slice(1, 4), pl.col("tail").str.slice(0, 3)))
        .alias("postal_code"),
        pl.when(r < 0.5)
        .then(
            pl.format(
                "{}.{}.{}-{}",
                pl.col("n").str.slice(0, 3),
                pl.col("n").str.slice(3, 3),
                pl.col("tail").str.slice(0, 3),
                pl.col("tail").str.slice(3, 2),
            )
        )
        .alias("tax_id"),
        _pick(rng, COMPANIES, rows).alias("company"),
        pl.when(r < 0.2).then(pl.format("https://www.{}/contato", "dom")).alias("website"),
        pl.when(r < 0.5)
        .then(pl.format("{}/{}/{}", "day", "month", "year"))
        .when(r < 0.8)
        .then(pl.format("{}-{}-{}T10:30:00-03:00", "year", "month", "day"))
        .otherwise(pl.format("4{}", pl.col("n").str.slice(0, 4)))
        .alias("created_at"),
        _pick(rng, STAGES, rows).alias("lifecycle_stage"),
        _pick(rng, FLAGS, rows).alias("consent"),
    ]


def mapped(data: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The frame the map stage would hand over: lineage, every model field, ``extra``."""
    fields = [
        pl.col(n) if n in data.columns else pl.lit(None, pl.String).alias(n)
        for n in rules.model.names
    ]
    return data.select(
        pl.lit("bench").alias("_source"),
        pl.col("record_id").alias("_source_id"),
        pl.int_range(1, data.height + 1).alias("_row"),
        pl.lit(None, pl.String).alias("_raw"),
        *fields,
        pl.lit(None, pl.String).alias("extra"),
    )


def naive(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The same work one row at a time: ``map_elements`` calling the libraries on each value."""
    from functools import partial

    from crmclean.normalize.companies import websites
    from crmclean.normalize.emails import columns as emails
    from crmclean.normalize.ids import tax_ids as ids
    from crmclean.normalize.names import split as name_parts
    from crmclean.normalize.names import vocabulary as names
    from crmclean.normalize.phones import columns as phones
    from crmclean.normalize.places import countries

    vocab = names.NameRules.load(rules)
    lookup = countries.vocabulary(rules)
    calls = {
        "full_name": lambda v: str(name_parts.parse_full(names.recase(v, vocab), vocab)),
        "email": lambda v: str(emails.parse_cell(v)),
        "phone": lambda v: str(phones.parse_cell(v, "BR")),
        "country": lambda v: lookup.get(_fold(v), v),
        "city": partial(names.recase, vocab=vocab),
        "tax_id": lambda v: str(ids.check(v)),
        "website": lambda v: str(websites.registrable(v.split("//")[-1].split("/")[0])),
        "created_at": _naive_date,
    }
    return frame.select(
        pl.col(f).map_elements(call, return_dtype=pl.String) for f, call in calls.items()
    )


def _fold(value: str) -> str:
    import unicodedata

    stripped = unicodedata.normalize("NFKD", value)
    return "".join(c for c in stripped if c.isalnum() and not unicodedata.combining(c)).lower()


def _naive_date(value: str) -> str | None:
    from datetime import datetime

    for shape in ("%d/%m/%Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, shape).isoformat()
        except ValueError:
            continue
    return None


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s  ({seconds:6.2f} s)"


def per_normalizer(frame: pl.DataFrame, rules: Rules) -> None:
    """Each normalizer of the stage in turn, on the previous one's output, as the stage runs."""
    for name, step in steps(rules):
        start = time.perf_counter()
        frame, _ = step(frame)
        print(f"  {name:<12} {_rate(frame.height, time.perf_counter() - start)}")


def _steps_time(frame: pl.DataFrame, rules: Rules, placeholders: bool) -> float:
    """Seconds for every step of the stage in turn, with or without the placeholder check."""
    start = time.perf_counter()
    for _, step in steps(rules, placeholders):
        frame, _ = step(frame)
    return time.perf_counter() - start


def with_and_without(frame: pl.DataFrame, rules: Rules, skip: str, rounds: int = 2) -> None:
    """The stage's steps with and without the ``skip`` (placeholder) check, alternated in this
    process, best of ``rounds`` each (the machine is shared: the best is the least disturbed)."""
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for present in (True, False):
            times[present].append(_steps_time(frame, rules, present))
    best = {present: min(seconds) for present, seconds in times.items()}
    print(f"  steps with {skip:<12} {_rate(frame.height, best[True])}")
    print(f"  steps without {skip:<9} {_rate(frame.height, best[False])}")
    print(f"  {skip} costs {best[True] - best[False]:+.2f} s")


def neutral(path: Path, rows: int) -> pl.DataFrame:
    """E-mail and phone columns of ``path`` repeated to ``rows`` rows, each copy made distinct:
    ``.n`` added to the local part, every digit of the phone shifted by ``n``."""
    base = pl.read_parquet(path, columns=["email", "phone"])
    copies = []
    for n in range(-(-rows // base.height)):
        shifted = [str((d + n) % 10) for d in range(10)]
        copies.append(
            base.select(
                pl.col("email").str.replace("@", f".{n}@", literal=True),
                pl.col("phone").str.replace_many([str(d) for d in range(10)], shifted),
            )
        )
    return pl.concat(copies).head(rows)


def neutral_steps(path: Path, rows: int, rules: Rules, rounds: int = 1) -> None:
    """The e-mail and phone steps on the :func:`neutral` columns, best of ``rounds``."""
    data = neutral(path, rows)
    frame = mapped(data.with_columns(record_id=pl.int_range(data.height).cast(pl.String)), rules)
    accented = frame.select(pl.col("email").str.contains(r"[^\x00-\x7f]").sum()).item()
    print(f"neutral e-mail and phone on {frame.height:,} rows ({accented:,} accented e-mails)")
    chosen = dict(steps(rules))
    for name in ("email", "phone"):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            _, found = chosen[name](frame)
            times.append(time.perf_counter() - start)
        print(f"  {name:<12} {_rate(frame.height, min(times))}  best of {rounds}")
        print(f"    {found['rule'].value_counts(sort=True).rows()}")


def stage_only(frame: pl.DataFrame, rules: Rules, rounds: int) -> None:
    """The whole stage, best of ``rounds`` (the machine is shared: the best is the least
    disturbed), with each round's time."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        normalize(Batch(frame), rules)
        times.append(time.perf_counter() - start)
    print(f"  {'whole stage':<12} {_rate(frame.height, min(times))}  best of {rounds}")
    print(f"  rounds: {', '.join(f'{seconds:.2f}' for seconds in times)} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=50_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--neutral", type=Path, help="contacts_100k.parquet: time e-mail/phone")
    parser.add_argument("--stage-only", action="store_true", help="time the whole stage only")
    parser.add_argument("--placeholder-cost", action="store_true", help="steps with/without it")
    parser.add_argument("--rounds", type=int, default=3, help="best of (not the full bench)")
    args = parser.parse_args()
    rules = Rules()
    if args.neutral:
        neutral_steps(args.neutral, args.rows, rules, args.rounds)
        return
    path = args.data / f"crmclean-bench-normalize-{args.rows}.parquet"
    if not path.exists():
        generate(args.rows).write_parquet(path)
    frame = mapped(pl.read_parquet(path), rules).rechunk()  # one chunk a column, as mapped
    steps(rules)[0][1](frame.head(1000))  # load the vocabularies once, outside the timings
    print(f"normalize on {frame.height:,} rows ({path})")
    if args.stage_only:
        stage_only(frame, rules, args.rounds)
        return
    if args.placeholder_cost:
        with_and_without(frame, rules, "placeholder", args.rounds)
        return
    per_normalizer(frame, rules)
    start = time.perf_counter()
    batch = normalize(Batch(frame), rules)
    stage = time.perf_counter() - start
    print(f"  {'whole stage':<12} {_rate(frame.height, stage)}")
    print(f"  findings {batch.findings.height:,}, rejects {batch.rejects.height:,}")
    with_and_without(frame, rules, "placeholder")
    sample = frame.head(args.naive_rows)
    start = time.perf_counter()
    naive(sample, rules)
    slow = time.perf_counter() - start
    print(f"naive per-row map_elements on {sample.height:,} rows: {_rate(sample.height, slow)}")
    print(f"speedup: {(frame.height / stage) / (sample.height / slow):.1f}x (rows/s vs rows/s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of the process): {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
