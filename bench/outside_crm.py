"""A multi-source CRM set built apart from crmclean's demo generator (own vocabulary, own damage,
own file layouts), for measuring matching on data the matcher was not shaped on.

People from Brazil, Portugal, Spain, Mexico, the US, Germany and Italy: compound given names,
Iberian double surnames (a source keeps both, one, or the other), nicknames, typos, lost
accents, swapped first/last, the whole name in one column, work and personal e-mails (+tags,
previous employers), shared team mailboxes, phones written with or without the country code,
company names abbreviated, run together or as acronyms; namesakes at the same company, fathers
and sons (Jr/Filho), colleagues on one switchboard. Three sources with their own headers:
a Salesforce-style export, a ``;``-separated Portuguese spreadsheet and an event sign-up list.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from random import Random

import polars as pl
from cases import Case, _splink_view, _truth  # noqa: F401 - shared bench helpers

from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

LOCALES = {
    "br": {
        "given_m": "João Pedro Lucas Gustavo Rafael Thiago Luís Vinícius Leandro Márcio Rodrigo "
        "Sérgio André Fábio Otávio Renato Caio Murilo Heitor Wellington",
        "given_f": "Ana Júlia Letícia Larissa Camila Bruna Patrícia Vanessa Aline Tatiana "
        "Renata Simone Débora Luana Priscila Cristiane Daniele Jéssica Raquel Cíntia",
        "compound": "Maria Eduarda|Maria Aparecida|Ana Clara|João Vitor|José Carlos|Luiz Henrique"
        "|Maria Luiza|Ana Beatriz|Pedro Henrique|Maria Fernanda",
        "surname": "Silva Santos Oliveira Souza Lima Carvalho Ribeiro Almeida Nascimento Araújo "
        "Cavalcanti Albuquerque Monteiro Figueiredo Medeiros Teixeira Moraes Batista Rezende "
        "Quintanilha Brandão Magalhães Guimarães Sampaio Pacheco Tavares Vasconcelos Siqueira",
        "double": 0.6,
        "code": "+55",
        "cities": "São Paulo|Belo Horizonte|Curitiba|Florianópolis|Goiânia|Recife|Niterói",
    },
    "pt": {
        "given_m": "Duarte Tiago Gonçalo Rui Nuno Henrique Afonso Vasco Bernardo Tomás",
        "given_f": "Inês Beatriz Leonor Matilde Catarina Joana Sofia Mafalda Margarida Rita",
        "compound": "Maria João|Ana Rita|João Miguel|Maria Inês",
        "surname": "Ferreira Pereira Costa Martins Rodrigues Gonçalves Lopes Marques Fonseca "
        "Pinto Simões Antunes Loureiro Magalhães Coelho",
        "double": 0.7,
        "code": "+351",
        "cities": "Lisboa|Porto|Braga|Coimbra|Setúbal",
    },
    "es": {
        "given_m": "Alejandro Javier Sergio Álvaro Rubén Iñaki Jorge Adrián Raúl Íker",
        "given_f": "Lucía Paula Nuria Elena Marta Irene Aitana Ainhoa Begoña Rocío",
        "compound": "José Luis|María José|Juan Carlos|Ana Belén|José Antonio|María del Carmen",
        "surname": "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez "
        "Jiménez Muñoz Álvarez Ruiz Ibáñez Castaño Echeverría Zubizarreta Olazábal",
        "double": 0.9,
        "code": "+34",
        "cities": "Madrid|Barcelona|Sevilla|Bilbao|Valencia|Málaga",
    },
    "mx": {
        "given_m": "Diego Emiliano Santiago Mateo Rodrigo Fernando Arturo Ricardo Eduardo Héctor",
        "given_f": "Ximena Valeria Regina Fernanda Daniela Guadalupe Alejandra Mónica Verónica",
        "compound": "Juan Pablo|María Guadalupe|José Manuel|Luis Ángel",
        "surname": "Hernández Ramírez Flores Cruz Morales Reyes Gutiérrez Ortiz Chávez Vázquez "
        "Castillo Mendoza Aguilar Domínguez Salazar Cervantes Villanueva",
        "double": 0.8,
        "code": "+52",
        "cities": "Ciudad de México|Guadalajara|Monterrey|Puebla|Querétaro",
    },
    "us": {
        "given_m": "William Robert Michael Thomas James Christopher Matthew Andrew Joshua Ryan "
        "Kevin Brian Steven Patrick Gregory",
        "given_f": "Elizabeth Katherine Jennifer Jessica Ashley Amanda Stephanie Rebecca Megan "
        "Lauren Nicole Samantha Heather",
        "compound": "Mary Ann|Anne Marie",
        "surname": "Smith Johnson Miller Davis Wilson Anderson Taylor Thompson Harris Clark "
        "Lewis Walker Young Allen Wright Mitchell Carter Campbell",
        "double": 0.0,
        "code": "+1",
        "cities": "Austin|Boston|Denver|Chicago|Seattle|Atlanta",
    },
    "de": {
        "given_m": "Jürgen Matthias Stefan Andreas Tobias Florian Sebastian Lukas Jörg Günter",
        "given_f": "Katharina Stefanie Sabine Ursula Jana Anja Franziska Jutta Birgit",
        "compound": "Hans Peter|Karl Heinz|Anna Lena",
        "surname": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schäfer Koch "
        "Hoffmann Schröder Krüger Köhler",
        "double": 0.0,
        "code": "+49",
        "cities": "München|Köln|Düsseldorf|Nürnberg|Berlin",
    },
    "it": {
        "given_m": "Giuseppe Giovanni Francesco Alessandro Lorenzo Matteo Davide Federico",
        "given_f": "Giulia Francesca Chiara Alessandra Federica Valentina Elisabetta Silvia",
        "compound": "Gian Marco|Maria Grazia|Pier Luigi",
        "surname": "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco "
        "Bruno Gallo Conti De Luca Mancini",
        "double": 0.0,
        "code": "+39",
        "cities": "Milano|Roma|Torino|Bologna|Firenze",
    },
}
WEIGHTS = {"br": 35, "pt": 8, "es": 14, "mx": 14, "us": 17, "de": 6, "it": 6}
SHORT = {
    "José": ["Zé", "Pepe"],
    "Francisco": ["Chico", "Paco"],
    "Eduardo": ["Dudu", "Lalo"],
    "Maria Eduarda": ["Duda"],
    "Roberto": ["Beto"],
    "Fernando": ["Nando"],
    "Guadalupe": ["Lupe"],
    "William": ["Bill", "Will"],
    "Robert": ["Bob", "Rob"],
    "Michael": ["Mike"],
    "Thomas": ["Tom"],
    "James": ["Jim"],
    "Christopher": ["Chris"],
    "Matthew": ["Matt"],
    "Andrew": ["Andy"],
    "Elizabeth": ["Liz", "Beth"],
    "Katherine": ["Kate", "Katie"],
    "Jennifer": ["Jenny"],
    "Rebecca": ["Becky"],
    "Alejandro": ["Alex"],
    "Javier": ["Javi"],
    "Giuseppe": ["Beppe"],
    "Francesca": ["Franci"],
    "Katharina": ["Kathi"],
    "Matthias": ["Matze"],
    "Stefanie": ["Steffi"],
    "Gustavo": ["Guga"],
    "Rafael": ["Rafa"],
    "Gabriela": ["Gabi"],
    "Beatriz": ["Bia"],
    "Santiago": ["Santi"],
    "Ignacio": ["Nacho"],
}
FREE = ["gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "icloud.com", "gmx.de"]
TEAM = ["adm", "kontakt", "enquiries", "vertrieb", "equipe", "compras", "oficina", "team"]
COMPANY_WORDS = "Nova Vale Prima Alfa Delta Horizonte Atlântica Serra Litoral Norte Sul Aurora "
COMPANY_WORDS += "Global Nexus Vertex Solar Terra Lumen Orion Cobalto Granito Pampa Andes"
KINDS = [
    ("Tecnologia", "Ltda."),
    ("Logística", "S.A."),
    ("Consultores", "S.L."),
    ("Systems", "Inc."),
    ("Engenharia", "Ltda."),
    ("Soluciones", "S.A. de C.V."),
    ("Software", "GmbH"),
    ("Servizi", "S.r.l."),
]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _typo(rng: Random, text: str) -> str:
    """One keystroke off: a letter dropped, doubled, swapped with the next or replaced."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstnl") + text[i + 1 :]


def _companies(rng: Random, count: int) -> list[dict]:
    words = COMPANY_WORDS.split()
    made = []
    for index in range(count):
        first, second = rng.sample(words, 2)
        kind, form = rng.choice(KINDS)
        core = f"{first} {second}" if rng.random() < 0.5 else first
        domain = (
            _ascii(core.replace(" ", "")).lower()
            + f"{index}."
            + rng.choice(["com", "com.br", "es", "de"])
        )
        made.append(
            {
                "name": f"{core} {kind} {form}",
                "core": core,
                "kind": kind,
                "domain": domain,
                "team": rng.choice(TEAM) if rng.random() < 0.35 else None,
                "switchboard": str(rng.randrange(10**7, 10**8)),
            }
        )
    return made


MOBILE = {
    "+55": (2, "11961"),
    "+351": (0, "912"),
    "+34": (0, "612"),
    "+52": (3, "2221"),
    "+1": (3, "2015"),
    "+49": (0, "1512"),
    "+39": (0, "312"),
}
NATIONAL = {"+55": 11, "+351": 9, "+34": 9, "+52": 10, "+1": 10, "+49": 11, "+39": 10}


def _mobile(rng: Random, code: str) -> tuple[str, str, str]:
    """A plausible mobile number: the country code, the area part and the subscriber part."""
    area, start = MOBILE[code]
    rest = NATIONAL[code] - len(start)
    number = start + "".join(str(rng.randrange(10)) for _ in range(rest))
    return code, number[:area], number[area:]


FAKER = {"br": "pt_BR", "pt": "pt_PT", "es": "es_ES", "mx": "es_MX", "us": "en_US",
         "de": "de_DE", "it": "it_IT"}  # fmt: skip


def _names(rng: Random, locale: str) -> tuple[str, list[str]]:
    """A given name and two surnames: the locale's own short list (compound given names,
    nicknamed names) or Faker's larger pools, so namesakes are as rare as in real data."""
    vocab = LOCALES[locale]
    female = rng.random() < 0.5
    if rng.random() < 0.4:
        fake = _faker(locale, rng)
        given = fake.first_name_female() if female else fake.first_name_male()
        return given, [fake.last_name(), fake.last_name()]
    if rng.random() < 0.25:
        given = rng.choice(vocab["compound"].split("|"))
    else:
        given = rng.choice(vocab["given_f" if female else "given_m"].split())
    return given, rng.sample(vocab["surname"].split(), 2)


_FAKERS: dict[str, object] = {}


def _faker(locale: str, rng: Random):
    from faker import Faker

    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(FAKER[locale])
        _FAKERS[locale].seed_instance(rng.randrange(2**31))
    return _FAKERS[locale]


def _person(rng: Random, pid: int, companies: list[dict]) -> dict:
    locale = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    vocab = LOCALES[locale]
    given, surnames = _names(rng, locale)
    family = surnames if rng.random() < vocab["double"] else surnames[:1]
    company = rng.choice(companies)
    local = _ascii(f"{given.split()[0]}.{family[-1]}").lower().replace(" ", "")
    return {
        "pid": pid,
        "locale": locale,
        "given": given,
        "family": family,
        "suffix": None,
        "company": company,
        "old_company": rng.choice(companies) if rng.random() < 0.3 else None,
        "personal": f"{local}{rng.randrange(10**4)}@{rng.choice(FREE)}",
        "work": f"{local[0]}{_ascii(family[-1]).lower()}@{company['domain']}",
        "mobile": _mobile(rng, vocab["code"]),
        "city": rng.choice(vocab["cities"].split("|")),
    }


def _relatives(rng: Random, person: dict, pid: int) -> dict:
    """A namesake colleague, or the person's son (the same name, Jr/Filho)."""
    other = dict(person, pid=pid)
    other["mobile"] = _mobile(rng, person["mobile"][0])
    other["personal"] = f"{rng.randrange(10**5)}{person['personal']}"
    if rng.random() < 0.5:
        other["suffix"] = "Filho" if person["locale"] == "br" else "Jr"
        other["work"] = f"{rng.randrange(10)}{person['work']}"
    else:
        other["work"] = f"{_ascii(person['given'].split()[0]).lower()}.{person['work']}"
    return other


def _name(rng: Random, person: dict) -> tuple[str, str]:
    """The given and family name as one record writes them."""
    given, family = person["given"], list(person["family"])
    if rng.random() < 0.08 and (given in SHORT or given.split()[0] in SHORT):
        given = rng.choice(SHORT.get(given) or SHORT[given.split()[0]])
    elif " " in given and rng.random() < 0.3:
        given = given.split()[rng.randrange(2)]
    if len(family) == 2 and rng.random() < 0.4:
        family = [family[rng.randrange(2)]]
    last = " ".join(family) + (f" {person['suffix']}" if person["suffix"] else "")
    if rng.random() < 0.12:
        given = _typo(rng, given)
    if rng.random() < 0.1:
        last = _typo(rng, last)
    if rng.random() < 0.3:
        given, last = _ascii(given), _ascii(last)
    if rng.random() < 0.08:
        given, last = given.upper(), last.upper()
    return given, last


def _phone(rng: Random, person: dict) -> str | None:
    code, area, number = person["mobile"]
    roll = rng.random()
    if roll < 0.25:
        return None
    if roll < 0.35:
        return f"{code} {area} {person['company']['switchboard'][: len(number)]}"
    if roll < 0.55:
        return f"{code}{area}{number}"
    if roll < 0.75:
        return (
            f"({area}) {number[:-4]}-{number[-4:]}"
            if code in {"+55", "+1"}
            else f"{code} {area}{number}"
        )
    if code == "+55" and rng.random() < 0.3:
        return f"{area} {number[1:]}"  # an old mobile without the 9th digit
    return f"00{code[1:]} {area} {number}"


def _email(rng: Random, person: dict) -> str | None:
    roll = rng.random()
    company = person["company"]
    if roll < 0.15:
        return None
    if roll < 0.2 and company["team"]:
        return f"{company['team']}@{company['domain']}"
    if roll < 0.55:
        return person["personal"]
    if roll < 0.62 and person["old_company"]:
        return person["work"].split("@")[0] + "@" + person["old_company"]["domain"]
    if roll < 0.67:
        local, domain = person["work"].split("@")
        return f"{local}+crm@{domain}"
    return person["work"].upper() if rng.random() < 0.05 else person["work"]


def _company(rng: Random, person: dict) -> str | None:
    company = person["company"]
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.35:
        return company["core"]
    if roll < 0.45:
        return company["core"].replace(" ", "") + " " + company["kind"]
    if roll < 0.55:
        words = (company["core"] + " " + company["kind"]).split()
        return "".join(word[0] for word in words).upper()
    return company["name"]


def _record(rng: Random, person: dict) -> dict:
    given, last = _name(rng, person)
    if rng.random() < 0.05:
        given, last = last, given
    city = person["city"] if rng.random() < 0.8 else None
    return {
        "pid": person["pid"],
        "given": given,
        "last": last,
        "email": _email(rng, person),
        "phone": _phone(rng, person),
        "company": _company(rng, person),
        "city": _ascii(city) if city and rng.random() < 0.3 else city,
        "country": person["locale"].upper().replace("UK", "GB") if rng.random() < 0.5 else None,
    }


def _population(people: int, rng: Random) -> list[dict]:
    companies = _companies(rng, max(people // 12, 5))
    persons = [_person(rng, pid, companies) for pid in range(people)]
    for index in rng.sample(range(people), people // 25):
        persons.append(_relatives(rng, persons[index], len(persons)))
    return persons


def _write(directory: Path, records: list[dict]) -> list[Path]:
    """Three sources with their own headers; the truth by source and data row."""
    frames = {0: [], 1: [], 2: []}
    for record in records:
        frames[record["source"]].append(record)
    layouts = [
        ("crm_export.csv", ","),
        ("planilha_vendas.csv", ";"),
        ("evento_inscritos.csv", ","),
    ]
    paths = []
    for index, (name, separator) in enumerate(layouts):
        rows = pl.DataFrame(frames[index])
        if index == 0:
            table = rows.select(
                FirstName="given",
                LastName="last",
                Email="email",
                MobilePhone="phone",
                AccountName="company",
                MailingCity="city",
                MailingCountry="country",
            )
        elif index == 1:
            table = rows.select(
                pl.concat_str("given", "last", separator=" ").alias("Nome completo"),
                pl.col("email").alias("E-mail"),
                pl.col("phone").alias("Telefone"),
                pl.col("company").alias("Empresa"),
                pl.col("city").alias("Cidade"),
            )
        else:
            swapped = pl.concat_str("last", "given", separator=", ")
            straight = pl.concat_str("given", "last", separator=" ")
            table = rows.select(
                pl.when(pl.col("swap")).then(swapped).otherwise(straight).alias("Attendee name"),
                pl.col("email").alias("Email"),
                pl.col("phone").alias("Celular"),
                pl.col("company").alias("Company"),
                pl.col("country").alias("Country"),
            )
        path = directory / name
        table.write_csv(path, separator=separator)
        paths.append(path)
    return paths


def outside_crm_case(people: int, seed: int, directory: Path) -> Case:
    """The set at ``people`` people, read and normalized as the pipeline does."""
    rng = Random(seed * 7919 + people)
    folder = directory / f"outside_crm_{people}"
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for person in _population(people, rng):
        for _ in range(rng.choices([1, 2, 3, 4], weights=[40, 35, 18, 7])[0]):
            record = _record(rng, person)
            record["source"] = rng.randrange(3)
            record["swap"] = rng.random() < 0.3
            records.append(record)
    rng.shuffle(records)
    paths = _write(folder, records)
    truth = []
    for index, path in enumerate(paths):
        pids = [r["pid"] for r in records if r["source"] == index]
        truth.append(
            pl.DataFrame(
                {
                    "source": path.stem,
                    "source_id": [str(i + 1) for i in range(len(pids))],
                    "person_id": [str(p) for p in pids],
                }
            )
        )
    rules = Rules()
    batch = normalize(read_all([SourceSpec(str(path)) for path in paths], rules), rules)
    return Case(
        f"outside crm {people:,} people", batch, _splink_view(batch.frame), pl.concat(truth)
    )
