"""A probe set built another way: Faker people in households, life events and a corruption model
of its own, for finding what crmclean's other stand-ins (outside_crm.py, person_like.py,
neutral.py) never show it.

People from Brazil, Spain, Mexico, the US and Germany (Faker's pt_BR, es_ES, es_MX, en_US and
de_DE names, streets and towns) live in households: a couple and children share the address and
the landline, children carry the family surname (Iberian children both parents' first surnames),
a son may carry his father's name (Jr, Filho), twins share a birth date. Life events split a
person's records in time: a move (new address, new mobile, same e-mail) and a marriage (the
married name, or the maiden name in older records). Each record then suffers its own damage:
OCR slips (rn/m, 0/O, l/1), keyboard slips (a neighbouring key, a doubled or dropped letter),
the first name as an initial, titles and suffixes typed into name fields, lost accents, upper
case, a birth date in the source's own format (day-first, US month-first, German dots, month
names, run together) or slightly wrong, street words abbreviated, and some records missing most
fields. Three sources with their own headers: a ``;``-separated Brazilian store export, a US
web shop (month-first dates) and a newsletter list with the whole name in one column.

    PYTHONPATH=$PWD:bench python bench/probe_set.py OUT_DIR --people 5000 [--seed 11]
"""

from __future__ import annotations

import argparse
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from random import Random

import polars as pl
from cases import Case, _splink_view
from faker import Faker

from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

LOCALES = {"pt_BR": 35, "es_ES": 15, "es_MX": 15, "en_US": 25, "de_DE": 10}
COUNTRY = {"pt_BR": "BR", "es_ES": "ES", "es_MX": "MX", "en_US": "US", "de_DE": "DE"}
TITLES = {
    "pt_BR": (["Sr.", "Dr.", "Prof."], ["Sra.", "Dra.", "Profa."]),
    "es_ES": (["D.", "Sr.", "Dr."], ["Dña.", "Sra.", "Dra."]),
    "es_MX": (["Lic.", "Ing.", "Sr."], ["Lic.", "Sra.", "Mtra."]),
    "en_US": (["Mr.", "Dr.", "Mr"], ["Mrs.", "Ms.", "Dr."]),
    "de_DE": (["Herr", "Dr.", "Prof. Dr."], ["Frau", "Dr.", "Fr."]),
}
JUNIOR = {"pt_BR": "Filho", "es_ES": "Jr.", "es_MX": "Jr.", "en_US": "Jr.", "de_DE": "jun."}
FREE = ["gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "icloud.com"]
LOCAL_FREE = {"pt_BR": "uol.com.br", "es_ES": "telefonica.net", "es_MX": "prodigy.net.mx",
              "en_US": "aol.com", "de_DE": "web.de"}  # fmt: skip
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
OCR = [("rn", "m"), ("m", "rn"), ("o", "0"), ("O", "0"), ("l", "1"), ("i", "l"), ("e", "c"),
       ("S", "5"), ("B", "8"), ("cl", "d"), ("h", "b"), ("u", "v")]  # fmt: skip
ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
STREET_SHORT = {"Rua ": "R. ", "Avenida ": "Av. ", "Calle ": "C/ ", "Street": "St",
                "Avenue": "Ave", "straße": "str.", "Boulevard ": "Blvd. ", "Travessa ": "Tv. ",
                "Court": "Ct", "Road": "Rd", "Drive": "Dr", "Lane": "Ln"}  # fmt: skip


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _neighbour(letter: str, rng: Random) -> str:
    for row in ROWS:
        if letter.lower() in row:
            at = row.index(letter.lower())
            near = [row[i] for i in (at - 1, at + 1) if 0 <= i < len(row)]
            return rng.choice(near)
    return letter


def _keyboard(rng: Random, text: str) -> str:
    if len(text) < 4:
        return text
    at = rng.randrange(1, len(text) - 1)
    roll = rng.random()
    if roll < 0.4:
        return text[:at] + _neighbour(text[at], rng) + text[at + 1 :]
    if roll < 0.6:
        return text[:at] + text[at] + text[at:]
    if roll < 0.8:
        return text[:at] + text[at + 1 :]
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def _ocr(rng: Random, text: str) -> str:
    found = [(a, b) for a, b in OCR if a in text]
    if not found:
        return _keyboard(rng, text)
    a, b = rng.choice(found)
    return text.replace(a, b, 1)


def _damage(rng: Random, text: str, rate: float) -> str:
    if rng.random() < rate:
        text = _ocr(rng, text) if rng.random() < 0.4 else _keyboard(rng, text)
    return text


def _phone(rng: Random, locale: str, mobile: bool) -> tuple[str, str]:
    """(country code, national number) of a plausible number."""
    digits = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
    if locale == "pt_BR":
        area = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81", "85", "19"])
        return "55", area + ("9" + rng.choice("6789") + digits(7) if mobile else "3" + digits(7))
    if locale == "es_ES":
        return "34", (rng.choice("67") + digits(8)) if mobile else "91" + digits(7)
    if locale == "es_MX":
        return "52", rng.choice(["55", "33", "81"]) + digits(8)
    if locale == "en_US":
        area = rng.choice(["212", "415", "312", "617", "303", "206", "512", "404", "713"])
        return "1", area + rng.choice("23456789") + digits(6)
    return "49", ("15" + rng.choice("129") + digits(8)) if mobile else "30" + digits(7)


def _written_phone(rng: Random, number: tuple[str, str], locale: str) -> str:
    code, national = number
    roll = rng.random()
    if roll < 0.3:
        return f"+{code} {national}"
    if roll < 0.45:
        return f"+{code}{national}"
    if locale == "pt_BR":
        return f"({national[:2]}) {national[2:-4]}-{national[-4:]}"
    if locale == "en_US":
        return f"({national[:3]}) {national[3:6]}-{national[6:]}"
    if locale == "de_DE":
        return "0" + national[:3] + " " + national[3:]
    return " ".join([national[:3], national[3:6], national[6:]])


def _person(fake: Faker, rng: Random, locale: str, sex: str, born: date) -> dict:
    given = fake.first_name_female if sex == "f" else fake.first_name_male
    first, middle = given(), given() if rng.random() < 0.3 else None
    return {"locale": locale, "sex": sex, "first": first, "middle": middle,
            "born": born, "maiden": None}  # fmt: skip


def _surnames(fake: Faker, locale: str, rng: Random) -> str:
    if locale.startswith("es") or (locale == "pt_BR" and rng.random() < 0.5):
        return f"{fake.last_name()} {fake.last_name()}"
    return fake.last_name()


def _household(fakes: dict[str, Faker], rng: Random, taken: set[str]) -> list[dict]:
    locale = rng.choices(list(LOCALES), weights=list(LOCALES.values()))[0]
    fake = fakes[locale]
    home = {"street": fake.street_address(), "city": fake.city(), "postcode": fake.postcode(),
            "landline": _phone(rng, locale, False)}  # fmt: skip
    head_born = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    head = _person(fake, rng, locale, "m" if rng.random() < 0.6 else "f", head_born)
    head["last"] = _surnames(fake, locale, rng)
    members = [head]
    if rng.random() < 0.45:  # a partner
        born = head_born + timedelta(days=rng.randrange(-2000, 2000))
        partner = _person(fake, rng, locale, "f" if head["sex"] == "m" else "m", born)
        own = _surnames(fake, locale, rng)
        partner["last"] = own
        if locale in {"en_US", "de_DE"} and rng.random() < 0.7:  # takes the partner's name
            partner["maiden"], partner["last"] = own, head["last"]
        elif locale == "pt_BR" and rng.random() < 0.5:  # adds it
            partner["maiden"], partner["last"] = own, f"{own.split()[0]} {head['last'].split()[-1]}"
        members.append(partner)
        family = head["last"]
        if locale.startswith("es"):
            family = f"{head['last'].split()[0]} {own.split()[0]}"
        twins = rng.random() < 0.05
        born = head_born + timedelta(days=rng.randrange(365 * 20, 365 * 35))
        for index in range(rng.choices([0, 1, 2, 3], weights=[40, 30, 20, 10])[0]):
            child_born = (
                born if twins and index == 1 else born + timedelta(days=rng.randrange(400, 3000))
            )
            child = _person(fake, rng, locale, rng.choice("mf"), child_born)
            child["last"] = family
            if index == 0 and child["sex"] == "m" and head["sex"] == "m" and rng.random() < 0.15:
                child["first"], child["junior"] = head["first"], True
            members.append(child)
    for person in members:
        person["home"] = home
        person["mobile"] = _phone(rng, locale, True)
        person["email"] = _email(rng, person, taken)
        if rng.random() < 0.2:  # moves out: new address and number, same e-mail
            person["moved"] = {
                "street": fake.street_address(), "city": fake.city(),
                "postcode": fake.postcode(), "mobile": _phone(rng, locale, True),
            }  # fmt: skip
    return members


def _email(rng: Random, person: dict, taken: set[str]) -> str:
    """A personal address nobody else holds (a provider hands each out once)."""
    first, last = (_ascii(w).lower().replace(" ", "") for w in (person["first"], person["last"]))
    year = person["born"].year % 100
    users = [f"{first}.{last}", f"{first[0]}{last}", f"{first}{year}", f"{last}{first[0]}",
             f"{first}_{last}{rng.randrange(100)}"]  # fmt: skip
    domain = rng.choice([*FREE, LOCAL_FREE[person["locale"]]])
    address, suffix = f"{rng.choice(users)}@{domain}", 1
    while address in taken:
        suffix += 1
        address = address.split("@")[0].rstrip("0123456789") + f"{suffix}@{domain}"
    taken.add(address)
    return address


def _birth(rng: Random, born: date, style: str) -> str | None:
    if rng.random() < 0.25:
        return None
    if rng.random() < 0.04:  # a wrong day or a swapped day and month
        born = (
            born.replace(day=min(born.day % 28 + 1, 28))
            if born.day > 12
            else born.replace(day=born.month, month=born.day)
        )
    if style == "us":
        return born.strftime("%m/%d/%Y") if rng.random() < 0.8 else born.isoformat()
    if style == "br":
        return born.strftime("%d/%m/%Y") if rng.random() < 0.85 else born.strftime("%d-%m-%y")
    roll = rng.random()
    if roll < 0.3:
        return f"{born.day} {MONTHS[born.month - 1]} {born.year}"
    if roll < 0.5:
        return born.strftime("%d.%m.%Y")
    if roll < 0.6:
        return born.strftime("%Y%m%d")
    return born.isoformat()


def _names(rng: Random, person: dict, later: bool) -> tuple[str, str]:
    first, last = person["first"], person["last"]
    if person["maiden"] and not later:
        last = person["maiden"]
    if person["middle"] and rng.random() < 0.3:
        first = f"{first} {person['middle']}"
    if " " in last and rng.random() < 0.25:  # one surname of two
        last = last.split()[0] if rng.random() < 0.6 else last.split()[-1]
    first, last = _damage(rng, first, 0.08), _damage(rng, last, 0.08)
    if rng.random() < 0.06:
        first = first[0] + ("." if rng.random() < 0.7 else "")
    if rng.random() < 0.07:
        first = f"{rng.choice(TITLES[person['locale']][person['sex'] == 'f'])} {first}"
    if person.get("junior") and rng.random() < 0.6:
        last = f"{last} {JUNIOR[person['locale']]}"
    if rng.random() < 0.25:
        first, last = _ascii(first), _ascii(last)
    if rng.random() < 0.07:
        first, last = first.upper(), last.upper()
    return first, last


def _street(rng: Random, street: str) -> str:
    if rng.random() < 0.4:
        for long, short in STREET_SHORT.items():
            street = street.replace(long, short)
    return _damage(rng, street, 0.05)


def _record(rng: Random, person: dict, source: int) -> dict:
    later = rng.random() < 0.5
    place = person["moved"] if later and "moved" in person else person["home"]
    mobile = place.get("mobile", person["mobile"])
    first, last = _names(rng, person, later)
    email = person["email"]
    if rng.random() < 0.04:
        local, domain = email.split("@")
        email = f"{local}@{_keyboard(rng, domain)}"
    record = {
        "first": first, "last": last,
        "email": None if rng.random() < 0.15 else email.upper() if rng.random() < 0.03 else email,
        "phone": None if rng.random() < 0.25 else _written_phone(rng, mobile, person["locale"]),
        "landline": _written_phone(rng, person["home"]["landline"], person["locale"])
        if rng.random() < 0.3 else None,
        "street": None if rng.random() < 0.2 else _street(rng, place["street"]),
        "city": None if rng.random() < 0.1 else place["city"],
        "postcode": None if rng.random() < 0.2 else place["postcode"],
        "dob": _birth(rng, person["born"], ["br", "us", "any"][source]),
        "country": COUNTRY[person["locale"]] if rng.random() < 0.6 else None,
    }  # fmt: skip
    if rng.random() < 0.08:  # a record missing most fields
        keep = rng.choice(["email", "phone", "dob"])
        record = {k: (v if k in {"first", "last", keep} else None) for k, v in record.items()}
    return record


def _write(folder: Path, records: list[dict]) -> list[Path]:
    frames: list[list[dict]] = [[], [], []]
    for record in records:
        frames[record["source"]].append(record)
    paths = []
    for index, rows in enumerate(frames):
        table = pl.DataFrame(rows, infer_schema_length=None)
        if index == 0:
            path, separator = folder / "clientes_loja.csv", ";"
            table = table.select(
                Nome="first", Sobrenome="last", **{"Data de nascimento": "dob"},
                **{"Endereço": "street"}, CEP="postcode", Cidade="city", Celular="phone",
                **{"Telefone fixo": "landline"}, **{"E-mail": "email"}, **{"País": "country"},
            )  # fmt: skip
        elif index == 1:
            path, separator = folder / "webshop_customers.csv", ","
            table = table.select(
                first_name="first", last_name="last", date_of_birth="dob", address="street",
                zip="postcode", city="city", phone="landline", mobile="phone", email="email",
                country="country",
            )  # fmt: skip
        else:
            path, separator = folder / "newsletter.csv", ","
            table = table.select(
                pl.concat_str("first", "last", separator=" ").alias("Full Name"),
                pl.col("email").alias("Email Address"), pl.col("dob").alias("Birthday"),
                pl.col("phone").alias("Phone"), pl.col("city").alias("Town"),
                pl.col("country").alias("Country"),
            )  # fmt: skip
        table.write_csv(path, separator=separator)
        paths.append(path)
    return paths


def probe_records(people: int, seed: int) -> list[dict]:
    """Every record (with ``pid`` and ``source``), shuffled."""
    rng = Random(seed * 104729 + people)
    fakes = {locale: Faker(locale) for locale in LOCALES}
    for offset, fake in enumerate(fakes.values()):
        fake.seed_instance(seed * 31 + offset)
    persons: list[dict] = []
    taken: set[str] = set()
    while len(persons) < people:
        persons.extend(_household(fakes, rng, taken))
    records = []
    for pid, person in enumerate(persons[:people]):
        for _ in range(rng.choices([1, 2, 3, 4], weights=[45, 30, 17, 8])[0]):
            record = _record(rng, person, source := rng.randrange(3))
            records.append({**record, "pid": pid, "source": source})
    rng.shuffle(records)
    return records


def probe_case(people: int, seed: int, directory: Path) -> Case:
    """The set at ``people`` people, read -> map -> normalize as a user runs it."""
    folder = directory / f"probe_{people}_{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    records = probe_records(people, seed)
    paths = _write(folder, records)
    truth = [
        pl.DataFrame(
            {
                "source": path.stem,
                "source_id": [str(i + 1) for i in range(len(pids))],
                "person_id": [str(p) for p in pids],
            }
        )
        for index, path in enumerate(paths)
        for pids in [[r["pid"] for r in records if r["source"] == index]]
    ]
    rules = Rules()
    batch = normalize(read_all([SourceSpec(str(path)) for path in paths], rules), rules)
    return Case(f"probe {people:,} people", batch, _splink_view(batch.frame), pl.concat(truth))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    records = probe_records(args.people, args.seed)
    for path in _write(args.out, records):
        print(path)
    truth = pl.DataFrame(records).select("source", "pid")
    truth.write_csv(args.out / "truth.csv")


if __name__ == "__main__":
    main()
