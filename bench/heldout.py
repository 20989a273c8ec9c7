"""Held-out normalization accuracy: messy contacts written by their own generator (not the demo
generator, not ``tests/cases``), in Portuguese, Spanish and English exports, each file also as
a cp1252 copy; prints the share of expected values crmclean writes, per family.

Every record starts from a clean truth (a valid phone per ``phonenumbers``, a valid CPF/CNPJ per
``python-stdnum``, a real UF or US state...) and is then typed the way people type it (ALL CAPS
and "Surname, Given" names, labels and notes around phones, spaces around an ``@``, a lost
leading zero, dates in words, month-first dates...). The expected value is the truth in its
canonical form, checked again with the libraries. Values with no single reading are expected
as typed.

    .venv/bin/python bench/heldout.py --records 240 --seed 19
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
import polars as pl
from stdnum.br import cnpj, cpf

from crmclean.api import clean_files
from crmclean.rules import Rules
from crmclean.sources import SourceSpec

FIRST = {
    "pt": ["João", "Maria", "Antônio", "Luíza", "José", "Conceição", "Márcio", "Thaís", "Rafael"],
    "es": ["José", "María", "Íñigo", "Lucía", "Andrés", "Begoña", "Raúl", "Inés", "Tomás"],
    "en": ["John", "Mary", "Robert", "Linda", "Michael", "Karen", "David", "Susan", "Brian"],
}
LAST = {
    "pt": ["da Silva", "Souza", "de Oliveira", "Araújo", "dos Santos", "Gonçalves", "Conceição"],
    "es": ["García", "de la Fuente", "Núñez", "Pérez", "del Río", "Muñoz", "Ibáñez"],
    "en": ["Smith", "Johnson", "Walker", "Brown", "Miller", "Davis", "Wilson"],
}
PROVIDERS = {
    "pt": ["gmail.com", "hotmail.com", "yahoo.com.br", "uol.com.br", "bol.com.br"],
    "es": ["gmail.com", "hotmail.es", "yahoo.es", "outlook.com", "terra.com.mx"],
    "en": ["gmail.com", "yahoo.com", "outlook.com", "aol.com", "comcast.net"],
}
TYPOS = {"gmail.com": "gmial.com", "hotmail.com": "hotmial.com", "outlook.com": "outlok.com"}
UFS = {"SP": "São Paulo", "RJ": "Rio de Janeiro", "MG": "Minas Gerais", "BA": "Bahia"}
UFS |= {"PE": "Pernambuco", "RS": "Rio Grande do Sul", "PR": "Paraná", "CE": "Ceará"}
US_STATES = {"CA": "California", "NY": "New York", "TX": "Texas", "MA": "Massachusetts"}
US_STATES |= {"NJ": "New Jersey", "IL": "Illinois", "WA": "Washington"}
BR_AREAS = ["11", "21", "31", "41", "51", "61", "71", "81", "85", "19", "27", "48"]
MONTHS = {
    "pt": [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
HEADERS = {
    "pt": {"id": "Código", "first_name": "Nome", "last_name": "Sobrenome", "email": "E-mail"}
    | {"phone": "Telefone", "tax_id": "CPF/CNPJ", "postal_code": "CEP", "state": "UF"}
    | {"country": "País", "created_at": "Data de cadastro"},
    "es": {"id": "ID", "first_name": "Nombre", "last_name": "Apellidos", "email": "Correo"}
    | {"phone": "Teléfono", "postal_code": "Código postal", "country": "País"}
    | {"created_at": "Fecha de alta"},
    "en": {"id": "Record ID", "first_name": "First Name", "last_name": "Last Name"}
    | {"email": "Email", "phone": "Phone", "postal_code": "Zip", "state": "State"}
    | {"country": "Country", "created_at": "Create Date"},
}
FAMILIES = {
    "name": ["first_name", "last_name"],
    "email": ["email"],
    "phone": ["phone"],
    "tax_id": ["tax_id"],
    "postal_code": ["postal_code"],
    "state/country": ["state", "country"],
    "date": ["created_at"],
}


@dataclass
class Cell:
    """One field of one record: as typed, and as crmclean should write it."""

    typed: str
    expected: str | None


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _valid(number: str, region: str | None = None) -> str:
    parsed = phonenumbers.parse(number, region)
    assert phonenumbers.is_valid_number(parsed), number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def br_phone(rng: random.Random) -> Cell:
    area = rng.choice(BR_AREAS)
    mobile = rng.random() < 0.7
    lead = "9" + rng.choice("6789") if mobile else rng.choice("2345")
    body = lead + _digits(rng, 7)
    e164 = _valid(f"+55{area}{body}")
    head, tail = body[:-4], body[-4:]
    shapes = [
        f"({area}) {head}-{tail}",
        f"{area}{body}",
        f"+55 {area} {head} {tail}",
        f"0{area} {head}-{tail}",
        f"55 ({area}) {head}-{tail}",
        f"{area} {head}.{tail}",
        f"Cel: ({area}) {head}-{tail}",
        f"({area}) {head}-{tail} (whats)",
        f"0xx{area} {head}-{tail}",
        f"(0{area}) {head}-{tail}",
        f"+55 ({area}) {head[0]}.{head[1:]}-{tail}" if mobile else f"+55 ({area}) {head}-{tail}",
        f"{area} {head[0]} {head[1:]} {tail}" if mobile else f"{area} {head} {tail}",
        f"({area}) {head}-{tail} - ({area}) 3{_digits(rng, 3)}-{_digits(rng, 4)}",
        f"({area}) {head}-{tail} ramal {rng.randrange(10, 400)}",
        f"{area}{body} recado",
    ]
    typed = rng.choice(shapes if mobile else [s for s in shapes if "Cel" not in s])
    return Cell(typed, e164)


def old_br_mobile(rng: random.Random) -> Cell:
    """An 8-digit mobile typed before 2016: the ninth digit is added."""
    area, body = rng.choice(BR_AREAS), rng.choice("89") + _digits(rng, 7)  # 6, 7: radio too
    return Cell(f"({area}) {body[:4]}-{body[4:]}", _valid(f"+55{area}9{body}"))


def nanp_phone(rng: random.Random, region: str) -> Cell:
    while True:
        area = rng.choice(["212", "415", "617", "312", "206", "416", "713"])
        number = f"{area}{rng.choice('23456789')}{_digits(rng, 2)}{_digits(rng, 4)}"
        parsed = phonenumbers.parse(number, region)
        if phonenumbers.is_valid_number(parsed):
            break
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    a, b, c = number[:3], number[3:6], number[6:]
    typed = rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}"])
    typed = rng.choice([typed, typed + " ext. 12", f"1-{a}-{b}-{c}"])
    return Cell(typed, e164)


def es_phone(rng: random.Random, region: str) -> Cell:
    while True:
        number = ("6" + _digits(rng, 8)) if region == "ES" else ("55" + _digits(rng, 8))
        parsed = phonenumbers.parse(number, region)
        if phonenumbers.is_valid_number(parsed):
            break
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    code = "+34" if region == "ES" else "+52"
    spaced = " ".join([number[:3], number[3:6], number[6:]])
    return Cell(rng.choice([spaced, f"{code} {spaced}", f"Móvil: {spaced}", number]), e164)


def tax_id(rng: random.Random) -> Cell:
    if rng.random() < 0.6:
        body = _digits(rng, 9)
        number = body + cpf._calc_check_digits(body)  # the library's own digits
        formatted = cpf.format(number)
        typed = rng.choice([formatted, number, number.lstrip("0") or number, f"CPF {formatted}"])
    else:
        body = _digits(rng, 8) + "0001"
        number = body + cnpj.calc_check_digits(body)
        formatted = cnpj.format(number)
        typed = rng.choice([formatted, number, formatted.replace("/", " / ")])
    assert (cpf if len(number) == 11 else cnpj).is_valid(number)
    return Cell(typed, formatted)


def cep(rng: random.Random, uf: str) -> Cell:
    first = "0" if uf == "SP" and rng.random() < 0.5 else ""  # 01000-000 to 09999-999
    digits = first + rng.choice("123456789") + _digits(rng, 7 - len(first))
    expected = f"{digits[:5]}-{digits[5:]}"
    shapes = [expected, digits, f"{digits[:2]}.{digits[2:5]}-{digits[5:]}"]
    shapes += [f"{digits[:5]} - {digits[5:]}"]
    shapes += [f"CEP {expected}"] + ([digits[1:]] if first == "0" else [])
    return Cell(rng.choice(shapes), expected)


def postal_other(rng: random.Random, country: str, state: str) -> Cell:
    if country == "US":
        zero = state in ("MA", "NJ")
        digits = ("0" if zero else rng.choice("1789")) + rng.choice("12345678") + _digits(rng, 3)
        typed = digits[1:] if zero and rng.random() < 0.5 else digits
        if rng.random() < 0.3:
            plus = _digits(rng, 4)
            return Cell(f"{typed}-{plus}", f"{digits}-{plus}")
        return Cell(typed, digits)
    if country == "GB":
        code = rng.choice(["SW1A 1AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT"])
        return Cell(rng.choice([code, code.lower(), code.replace(" ", "")]), code)
    if country == "ES":
        code = rng.choice(["28013", "08001", "41004", "46002"])
        return Cell(code, code)
    code = rng.choice(["06600", "64000", "44100"])
    return Cell(code, code)


def _serial(day: date) -> int:
    """The Excel serial day number of ``day`` (1900 system)."""
    return (day - date(1899, 12, 30)).days


def when(rng: random.Random) -> date:
    return date(2016, 1, 1) + timedelta(days=rng.randrange(3000))


def a_date(rng: random.Random, lang: str, month_first: bool) -> Cell:
    day = when(rng)
    iso = day.isoformat()
    month = MONTHS[lang][day.month - 1]
    if month_first:  # an English export: every slashed date month first
        shapes = [f"{day.month:02d}/{day.day:02d}/{day.year}", f"{month} {day.day}, {day.year}"]
        shapes += [iso]
        timed = [(f"{iso} 10:30", f"{iso}T10:30:00")]
    else:
        words = f"{day.day} de {month} de {day.year}"
        shapes = [f"{day.day:02d}/{day.month:02d}/{day.year}"]
        shapes += [f"{day.day:02d}-{day.month:02d}-{day.year}"]
        shapes += [f"{day.day:02d}.{day.month:02d}.{day.year}", words, iso.replace("-", "")]
        shapes += [f"{day.day} {month} {day.year}", str(_serial(day))]
        timed = [(f"{day.day:02d}/{day.month:02d}/{day.year} - 11h30", f"{iso}T11:30:00")]
    choice = rng.randrange(len(shapes) + len(timed))
    if choice >= len(shapes):
        return Cell(*timed[choice - len(shapes)])
    return Cell(shapes[choice], iso)


def an_email(rng: random.Random, lang: str, first: str, last: str) -> Cell:
    """An address typed with one reading only (expected: the address), or now and then with
    several (words glued to it, a comma in the local part: expected as typed)."""
    local = _plain(f"{first}.{last.split()[-1]}").lower() + str(rng.randrange(100))
    domain = rng.choice(PROVIDERS[lang])
    address = f"{local}@{domain}"
    if rng.random() < 0.08:
        typed = rng.choice([f"{first.lower()} {address}", address.replace(".", ",", 1)])
        return Cell(typed, typed)
    stem, tld = domain.rsplit(".", 1)
    shapes = [address, address.upper(), f" {address} ", f"mailto:{address}", f"<{address}>"]
    shapes += [f"{first} {last} <{address}>", f"{local} @{domain}", f"{local}@ {domain}"]
    shapes += [f"E-mail: {address}", f"{address} (pessoal)", f"{local}@{stem},{tld}"]
    if domain in ("gmail.com", "hotmail.com", "outlook.com"):
        shapes.append(f"{local}@{domain.replace('.', '')}")
    if domain in TYPOS:
        shapes.append(f"{local}@{TYPOS[domain]}")
    if domain.endswith(".com.br"):
        shapes.append(f"{local}@{domain.replace('.com.br', '.con.br')}")
    return Cell(rng.choice(shapes), address)


def _plain(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def a_name(rng: random.Random, lang: str) -> tuple[Cell, Cell, str, str]:
    first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
    shape = rng.choice(["as is", "upper", "lower", "inverted"])
    typed = {"as is": (first, last), "upper": (first.upper(), last.upper())}
    typed |= {"lower": (first.lower(), last.lower())}
    typed |= {"inverted": (first.swapcase(), last.swapcase())}
    a, b = typed[shape]
    return Cell(a, first), Cell(b, last), first, last


Record = dict[str, Cell]


def brazilian(rng: random.Random) -> Record:
    first, last, f, s = a_name(rng, "pt")
    uf = rng.choice(list(UFS))
    phone = old_br_mobile(rng) if rng.random() < 0.15 else br_phone(rng)
    return {
        "first_name": first,
        "last_name": last,
        "email": an_email(rng, "pt", f, s),
        "phone": phone,
        "tax_id": tax_id(rng),
        "postal_code": cep(rng, uf),
        "state": Cell(rng.choice([uf, uf.lower(), UFS[uf], UFS[uf].upper(), _plain(UFS[uf])]), uf),
        "country": Cell(rng.choice(["Brasil", "BRASIL", "Brazil", "BR"]), "BR"),
        "created_at": a_date(rng, "pt", month_first=False),
    }


def spanish(rng: random.Random) -> Record:
    first, last, f, s = a_name(rng, "es")
    region = rng.choice(["ES", "MX"])
    names = {"ES": ["España", "ESPAÑA", "Spain", "ES"], "MX": ["México", "Mexico", "MÉXICO", "MX"]}
    return {
        "first_name": first,
        "last_name": last,
        "email": an_email(rng, "es", f, s),
        "phone": es_phone(rng, region),
        "postal_code": postal_other(rng, region, ""),
        "country": Cell(rng.choice(names[region]), region),
        "created_at": a_date(rng, "es", month_first=False),
    }


def english(rng: random.Random) -> Record:
    first, last, f, s = a_name(rng, "en")
    if rng.random() < 0.7:
        state = rng.choice(list(US_STATES))
        return {
            "first_name": first,
            "last_name": last,
            "email": an_email(rng, "en", f, s),
            "phone": nanp_phone(rng, "US"),
            "postal_code": postal_other(rng, "US", state),
            "state": Cell(rng.choice([state, US_STATES[state], state.lower()]), state),
            "country": Cell(rng.choice(["USA", "United States", "US", "U.S.A."]), "US"),
            "created_at": a_date(rng, "en", month_first=True),
        }
    return {
        "first_name": first,
        "last_name": last,
        "email": an_email(rng, "en", f, s),
        "phone": Cell("020 7946 0" + _digits(rng, 3), None),
        "postal_code": postal_other(rng, "GB", ""),
        "country": Cell(rng.choice(["United Kingdom", "UK", "England", "GB"]), "GB"),
        "created_at": a_date(rng, "en", month_first=True),
    }


MAKERS: dict[str, Callable[[random.Random], Record]] = {
    "pt": brazilian,
    "es": spanish,
    "en": english,
}


def generate(records: int, seed: int) -> dict[str, list[Record]]:
    """``records`` contacts split over a pt, an es and an en export."""
    rng = random.Random(seed)
    files: dict[str, list[Record]] = {lang: [] for lang in MAKERS}
    for index in range(records):
        lang = ("pt", "pt", "es", "en")[index % 4]
        record = MAKERS[lang](rng)
        if record["phone"].expected is None:  # a UK number: its E.164 from the library
            record["phone"].expected = _valid(record["phone"].typed, "GB")
        files[lang].append(record)
    return files


def write(files: dict[str, list[Record]], folder: Path, encoding: str) -> list[SourceSpec]:
    """One CSV per export in ``encoding``; the specs to read them."""
    specs = []
    for lang, records in files.items():
        headers = HEADERS[lang]
        rows = [
            {headers["id"]: str(n + 1)}
            | {headers[f]: c.typed for f, c in r.items() if f in headers}
            for n, r in enumerate(records)
        ]
        path = folder / f"contacts_{lang}_{encoding}.csv"
        text = pl.DataFrame(rows).write_csv()
        path.write_bytes(text.encode(encoding))
        specs.append(SourceSpec(path))
    return specs


def expected(files: dict[str, list[Record]], encoding: str) -> pl.DataFrame:
    rows = [
        (f"contacts_{lang}_{encoding}", str(n + 1), field, cell.expected)
        for lang, records in files.items()
        for n, record in enumerate(records)
        for field, cell in record.items()
        if field in HEADERS[lang]
    ]
    return pl.DataFrame(rows, schema=["_source", "_source_id", "field", "expected"], orient="row")


def score(files: dict[str, list[Record]], folder: Path, encoding: str) -> pl.DataFrame:
    """Per field: expected, got, and whether they agree."""
    specs = write(files, folder, encoding)
    result = clean_files(specs, Rules(), out=folder / f"out_{encoding}.parquet")
    frame = result.batch.frame
    fields = [f for family in FAMILIES.values() for f in family]
    got = frame.select("_source", "_source_id", *fields).unpivot(
        index=["_source", "_source_id"], variable_name="field", value_name="got"
    )
    both = expected(files, encoding).join(got, on=["_source", "_source_id", "field"], how="left")
    return both.with_columns(ok=pl.col("expected").eq_missing(pl.col("got")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=240)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    args = parser.parse_args()
    files = generate(args.records, args.seed)
    family = pl.DataFrame(
        [(f, name) for name, fields in FAMILIES.items() for f in fields],
        schema=["field", "family"],
        orient="row",
    )
    with tempfile.TemporaryDirectory() as scratch:
        for encoding in ("utf-8", "cp1252"):
            scored = score(files, Path(scratch), encoding).join(family, on="field")
            total = scored["ok"].mean()
            print(f"{encoding}: {scored.height} expected values, {total:.1%} right")
            table = scored.group_by("family").agg(n=pl.len(), right=pl.col("ok").mean())
            for name, n, right in table.sort("family").iter_rows():
                print(f"  {name:<14} {right:6.1%} of {n}")
            misses = scored.filter(~pl.col("ok")).head(args.misses)
            for row in misses.iter_rows(named=True):
                print(
                    f"    miss {row['_source']}:{row['_source_id']} {row['field']}: "
                    f"expected {row['expected']!r}, got {row['got']!r}"
                )


if __name__ == "__main__":
    main()
