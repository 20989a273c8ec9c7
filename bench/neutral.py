"""A neutral contacts generator for races: any size, seeded, written by neither matcher.

Columns as in ``../shared/data/public/contacts_100k.parquet``: ``unique_id, entity_id`` (the
true person), ``first_name, last_name, dob, email, phone, street, city, postcode``. Name, street,
city and company-domain pools come from Faker in eleven locales and are drawn with Zipf
frequencies; every person is drawn on its own (no copy of a smaller set). About 13% of the rows
are corrupted duplicates of a person: typos, swapped names, missing fields, phone and e-mail
format variants, upper case, street abbreviations, dob day/month swaps. As in real exports,
some e-mail addresses keep accented letters and some phones are invalid (wrong length or area
code). Needs Faker (the ``bench`` extra)::

    .venv/bin/python bench/neutral.py --rows 1000000 --out /tmp/contacts_1m.parquet
"""

from __future__ import annotations

import argparse
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "nl_NL", "pt_BR")
LOCALES += ("tr_TR", "pl_PL")
POOL = {"first_name": 500, "last_name": 500, "street_name": 250, "city": 250, "domain_name": 400}
FREE_MAIL = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "gmx.de", "orange.fr")
ZIPF = 0.7  # the most common first name is ~2.5% of people, as in real populations
SIZES = (1, 2, 3, 4)  # records per person, with these chances (13% of rows are duplicates):
SIZE_P = (0.865, 0.124, 0.0105, 0.0005)
ABBREVIATIONS = {
    "Street": "St",
    "Avenue": "Ave",
    "Road": "Rd",
    "straße": "str.",
    "Rua": "R.",
    "Calle": "C/",
    "Via": "V.",
    "Rue": "R.",
}


def pools(seed: int) -> dict[str, list[str]]:
    """Distinct values per kind, from every locale, in a seeded shuffled order (rank = Zipf)."""
    from faker import Faker

    found: dict[str, set[str]] = {kind: set() for kind in POOL}
    for index, locale in enumerate(LOCALES):
        fake = Faker(locale)
        _sort_set_lists(fake)
        fake.seed_instance(seed + index)
        for kind, size in POOL.items():
            method = getattr(fake, kind)
            found[kind].update(method() for _ in range(size * 2))
    rng = np.random.default_rng(seed)
    return {kind: list(rng.permutation(sorted(values))) for kind, values in found.items()}


def _sort_set_lists(fake: Any) -> None:
    """Sort the pools Faker builds from a set (it_IT ``cities``): their order, hence what a seed
    draws from them, would otherwise follow PYTHONHASHSEED and change between processes."""
    for provider in fake.providers:
        if isinstance(getattr(provider, "cities", None), list):
            provider.cities = sorted(provider.cities)


def zipf_pick(rng: np.random.Generator, pool: list[str], size: int, s: float = ZIPF) -> np.ndarray:
    """``size`` values of ``pool``; the value at rank r is drawn with weight 1 / r**s."""
    return np.asarray(pool, dtype=object)[
        rng.choice(len(pool), size, p=_zipf_weights(len(pool), s))
    ]


def _fold(value: str) -> str:
    """Accents off, as most (not all) mail systems write an address."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def _local_part() -> pl.Expr:
    """The e-mail's local part from the name: several patterns, sometimes with digits, half of
    them folded to ASCII (the rest keep accented letters, as real exports have)."""
    first = pl.col("first_name").str.to_lowercase().str.replace_all(" ", "")
    last = pl.col("last_name").str.to_lowercase().str.replace_all(" ", "")
    pattern = pl.col("_pattern")
    local = (
        pl.when(pattern == 0)
        .then(pl.concat_str(first, pl.lit("."), last))
        .when(pattern == 1)
        .then(pl.concat_str(first, pl.lit("_"), last))
        .when(pattern == 2)
        .then(pl.concat_str(first, last))
        .otherwise(pl.concat_str(first.str.slice(0, 1), last))
    )
    local = pl.when(pl.col("_digits") > 0).then(local + pl.col("_digits").cast(pl.String))
    local = local.otherwise(local)
    return pl.when(pl.col("_ascii")).then(local.map_batches(_fold_series)).otherwise(local)


def _fold_series(values: pl.Series) -> pl.Series:
    """:func:`_fold` once per distinct value."""
    distinct = values.unique().drop_nulls()
    table = pl.DataFrame({"v": distinct, "f": [_fold(v) for v in distinct]})
    return values.to_frame("v").join(table, on="v", how="left", maintain_order="left")["f"]


def _people(rng: np.random.Generator, count: int, pool: dict[str, list[str]]) -> pl.DataFrame:
    """``count`` distinct people, each with every field filled."""
    days = rng.integers(0, 24_000, count)  # 1940-01-01 + up to ~65 years
    free = rng.random(count) < 0.3
    domains = zipf_pick(rng, pool["domain_name"], count)
    city = rng.choice(len(pool["city"]), count, p=_zipf_weights(len(pool["city"])))
    frame = pl.DataFrame(
        {
            "entity_id": np.arange(count),
            "first_name": zipf_pick(rng, pool["first_name"], count),
            "last_name": zipf_pick(rng, pool["last_name"], count),
            "dob": np.datetime64("1940-01-01") + days.astype("timedelta64[D]"),
            "_pattern": rng.integers(0, 4, count),
            "_digits": np.where(rng.random(count) < 0.35, rng.integers(10, 100, count), 0),
            "_ascii": rng.random(count) < 0.5,
            "domain": np.where(free, rng.choice(FREE_MAIL, count), domains),
            "street": pl.Series(rng.integers(1, 400, count)).cast(pl.String)
            + " "
            + pl.Series(zipf_pick(rng, pool["street_name"], count, 0.5)),
            "city": np.asarray(pool["city"], dtype=object)[city],
            "postcode": (city * 7919 + rng.integers(0, 20, count)) % 100_000,
        }
    )
    frame = frame.with_columns(
        email=_local_part() + "@" + pl.col("domain"),
        postcode=pl.col("postcode").cast(pl.String).str.zfill(5),
    )
    return pl.concat([frame, _phones(rng, count)], how="horizontal")


def _zipf_weights(size: int, s: float = ZIPF) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** s
    return weights / weights.sum()


def _phones(rng: np.random.Generator, count: int) -> pl.DataFrame:
    """A country (mostly +1) and a national number; 7% invalid (bad area code or short)."""
    country = rng.choice(["1", "44", "49", "55"], count, p=[0.8, 0.07, 0.07, 0.06])
    first = {"1": rng.integers(2, 10, count), "44": 7, "49": 1, "55": 1}
    lead = np.select([country == c for c in first], list(first.values()))
    rest = rng.integers(0, 10**9, count)
    invalid = rng.random(count) < 0.07
    lead = np.where(invalid & (rng.random(count) < 0.5), rng.integers(0, 2, count), lead)
    national = pl.Series(lead).cast(pl.String) + pl.Series(rest).cast(pl.String).str.zfill(9)
    national = pl.when(pl.lit(invalid)).then(national.str.slice(0, 9)).otherwise(national)
    frame = pl.DataFrame({"_cc": country, "_format": rng.integers(0, 4, count)})
    return frame.with_columns(_national=national)


def _phone_text() -> pl.Expr:
    """The phone as one of four ways people write it."""
    cc, nat, fmt = pl.col("_cc"), pl.col("_national"), pl.col("_format")
    part = [nat.str.slice(0, 3), nat.str.slice(3, 3), nat.str.slice(6)]
    return (
        pl.when(fmt == 0)
        .then(pl.format("+{} {} {} {}", cc, *part))
        .when((fmt == 1) & (cc == "1"))
        .then(pl.format("({}) {}-{}", *part))
        .when(fmt == 1)
        .then(pl.concat_str(pl.lit("0"), nat))
        .when(fmt == 2)
        .then(pl.concat_str(pl.lit("00"), cc, nat))
        .when(cc == "1")
        .then(pl.format("{}.{}.{}", *part))
        .otherwise(nat)
    )


def _typo(column: str) -> pl.Expr:
    """One edit at a random place: delete, substitute, insert or swap two letters (``_pos``,
    ``_op`` and ``_letter`` are the row's random draws)."""
    value = pl.col(column)
    pos = (pl.col("_pos") * value.str.len_chars()).floor().cast(pl.Int64)
    head, letter = value.str.slice(0, pos), pl.col("_letter")
    edits = [
        head + value.str.slice(pos + 1),
        head + letter + value.str.slice(pos + 1),
        head + letter + value.str.slice(pos),
        head + value.str.slice(pos + 1, 1) + value.str.slice(pos, 1) + value.str.slice(pos + 2),
    ]
    chosen = pl.when(pl.col("_op") == 0).then(edits[0])
    for index, edit in enumerate(edits[1:], 1):
        chosen = chosen.when(pl.col("_op") == index).then(edit)
    return chosen.otherwise(value)


def _abbreviated() -> pl.Expr:
    street = pl.col("street")
    for word, short in ABBREVIATIONS.items():
        street = street.str.replace(word, short, literal=True)
    return street


def _draws(rng: np.random.Generator, rows: int, chances: dict[str, float]) -> pl.DataFrame:
    """Per row: whether each corruption happens, and the random numbers a typo needs."""
    flags = {f"_{name}": rng.random(rows) < chance for name, chance in chances.items()}
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    numbers = {"_pos": rng.random(rows), "_op": rng.integers(0, 4, rows)}
    return pl.DataFrame({**flags, **numbers, "_letter": rng.choice(letters, rows)})


CORRUPT = {  # chance per duplicate record
    "typo_first": 0.15,
    "typo_last": 0.15,
    "typo_email": 0.05,
    "typo_street": 0.05,
    "typo_city": 0.05,
    "swap": 0.03,
    "upper": 0.05,
    "email_upper": 0.08,
    "reformat": 0.5,
    "abbreviate": 0.2,
    "dob_swap": 0.05,
    "no_email": 0.08,
    "no_phone": 0.1,
    "no_dob": 0.08,
    "no_street": 0.05,
}
MISSING = {"first_name": 0.004, "dob": 0.08, "email": 0.1, "phone": 0.13, "street": 0.01}
MISSING |= {"postcode": 0.007}


def _corrupted(rows: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Duplicates (``_copy`` > 0) damaged as ``CORRUPT`` says; originals left as they are."""
    rows = pl.concat([rows, _draws(rng, rows.height, CORRUPT)], how="horizontal")
    dup = pl.col("_copy") > 0

    def on(flag: str, then: pl.Expr, column: str) -> pl.Expr:
        return pl.when(dup & pl.col(f"_{flag}")).then(then).otherwise(pl.col(column)).alias(column)

    none = pl.lit(None, pl.String)
    rows = rows.with_columns(
        on("reformat", (pl.col("_format") + 1 + pl.col("_op") % 3) % 4, "_format"),
        on(
            "dob_swap",
            pl.date(
                pl.col("dob").dt.year(),
                pl.col("dob").dt.day().clip(1, 12),
                pl.col("dob").dt.month(),
            ),
            "dob",
        ),
    )
    rows = rows.with_columns(phone=_phone_text(), dob=pl.col("dob").cast(pl.String))
    rows = rows.with_columns(
        on("typo_first", _typo("first_name"), "first_name"),
        on("typo_last", _typo("last_name"), "last_name"),
        on("typo_email", _typo("email"), "email"),
        on("typo_street", _typo("street"), "street"),
        on("typo_city", _typo("city"), "city"),
    )
    rows = rows.with_columns(
        on("swap", pl.col("last_name"), "first_name"),
        on("swap", pl.col("first_name"), "last_name"),
        on("abbreviate", _abbreviated(), "street"),
        on("email_upper", pl.col("email").str.to_uppercase(), "email"),
    )
    rows = rows.with_columns(
        on("upper", pl.col("first_name").str.to_uppercase(), "first_name"),
        on("upper", pl.col("last_name").str.to_uppercase(), "last_name"),
        *(on(f"no_{name}", none, name) for name in ("email", "phone", "dob", "street")),
    )
    return rows


def contacts(rows: int, seed: int = 7) -> pl.DataFrame:
    """``rows`` contacts of independent people, ~13% of them corrupted duplicates, shuffled."""
    rng = np.random.default_rng(seed)
    mean = sum(s * p for s, p in zip(SIZES, SIZE_P, strict=True))
    people = _people(rng, int(rows / mean * 1.02) + 10, pools(seed))
    sizes = rng.choice(SIZES, people.height, p=SIZE_P)
    records = people.select(pl.all().repeat_by(pl.Series(sizes)).explode())
    records = records.head(rows).with_columns(_copy=pl.int_range(pl.len()).over("entity_id"))
    records = _corrupted(records, rng)
    gone = {name: rng.random(records.height) < chance for name, chance in MISSING.items()}
    records = records.with_columns(
        pl.when(pl.lit(mask)).then(None).otherwise(pl.col(name)).alias(name)
        for name, mask in gone.items()
    )
    records = records.sample(fraction=1.0, shuffle=True, seed=seed)
    columns = ["first_name", "last_name", "dob", "email", "phone", "street", "city", "postcode"]
    return records.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("unique_id"),
        pl.col("entity_id").cast(pl.Int64),
        *columns,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help=".parquet or .csv")
    args = parser.parse_args()
    started = time.perf_counter()
    frame = contacts(args.rows, args.seed)
    if args.out.suffix == ".csv":
        frame.write_csv(args.out)
    else:
        frame.write_parquet(args.out)
    pairs = (
        frame.group_by("entity_id").len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum())
    )
    print(
        f"{frame.height:,} contacts, {frame['entity_id'].n_unique():,} people, "
        f"{pairs.item():,} true pairs -> {args.out} ({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
