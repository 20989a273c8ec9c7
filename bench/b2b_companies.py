"""A labelled B2B company set, built independently of crmclean's demo generator.

True companies (``company`` = the true id) in Brazil, Mexico, Spain, Portugal, Germany, the US
and the UK, each with a made-up distinctive word (syllables, so names are not drawn from a
small pool) and often common words (``Comercial``, ``Group``, ``Distribuidora``,
``Solutions``); 1 to 4 records each in three sources (a CRM, an ERP, a spreadsheet), damaged
the way B2B data is: legal form written another way or missing, ``Cia``/``Companhia`` and
``&``/``e``/``and``, the acronym of a long name, a typo, all caps, the website or an e-mail
address instead of the domain, the CNPJ formatted or not or missing, the street type
abbreviated, the phone in another format, fields missing. Traps that must stay apart: branches
(same name, domain and CNPJ root, another establishment, address and phone: a different true
company, the child of the head office), sister companies sharing a group domain, and
namesakes (another company with the same common words in another city).

    python bench/b2b_companies.py --companies 2000 --out /tmp/b2b.csv
"""

from __future__ import annotations

import argparse
import unicodedata
from dataclasses import dataclass, replace
from random import Random

import polars as pl
from stdnum.br import cnpj as cnpj_check

SYLLABLES = ["ka", "ri", "to", "mu", "ne", "sa", "lo", "vi", "da", "te", "bra", "zo", "qui",
             "fen", "tar", "mel", "gor", "dul", "pax", "ver", "nor", "lin", "cas", "bel", "mar",
             "ron", "tix", "ul", "ar", "en", "os", "ix"]  # fmt: skip
COMMON = {
    "pt": ["Comercial", "Distribuidora", "Indústria", "Serviços", "Transportes", "Construtora",
           "Tecnologia", "Alimentos", "Engenharia", "Logística"],
    "es": ["Comercializadora", "Distribuidora", "Servicios", "Grupo", "Constructora",
           "Alimentos", "Tecnología", "Logística"],
    "de": ["Handel", "Technik", "Logistik", "Bau", "Maschinenbau", "Software"],
    "en": ["Group", "Solutions", "Holdings", "Industries", "Logistics", "Systems", "Foods",
           "Consulting"],
}  # fmt: skip
COUNTRIES = {
    "BR": ("pt", ["Ltda", "S.A.", "EIRELI", "ME", "EPP", "Ltda ME"], ".com.br",
           ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Recife"],
           ["Rua", "Avenida", "Alameda"], "+55 11 "),
    "MX": ("es", ["S.A. de C.V.", "S. de R.L. de C.V.", "S.A.B. de C.V."], ".com.mx",
           ["Ciudad de México", "Guadalajara", "Monterrey", "Puebla"], ["Calle", "Avenida"],
           "+52 55 "),
    "ES": ("es", ["S.L.", "S.A.", "S.L.U."], ".es", ["Madrid", "Barcelona", "Valencia"],
           ["Calle", "Avenida"], "+34 91 "),
    "PT": ("pt", ["Lda", "S.A.", "Unipessoal Lda"], ".pt", ["Lisboa", "Porto", "Braga"],
           ["Rua", "Avenida"], "+351 21 "),
    "DE": ("de", ["GmbH", "AG", "GmbH & Co. KG"], ".de", ["Berlin", "München", "Hamburg"],
           ["Straße", "Weg"], "+49 30 "),
    "US": ("en", ["Inc.", "LLC", "Corp.", "Corporation"], ".com",
           ["Austin", "Denver", "Boston", "Chicago"], ["Street", "Avenue", "Boulevard"], "+1 512 "),
    "GB": ("en", ["Ltd", "PLC", "Limited"], ".co.uk", ["London", "Leeds", "Bristol"],
           ["Road", "Street", "Lane"], "+44 20 "),
}  # fmt: skip
ABBREVIATED = {"Rua": "R.", "Avenida": "Av.", "Alameda": "Al.", "Calle": "C.", "Street": "St.",
               "Avenue": "Ave.", "Boulevard": "Blvd.", "Road": "Rd.", "Lane": "Ln.",
               "Straße": "Str."}  # fmt: skip


@dataclass(frozen=True)
class Company:
    """One true company."""

    company: str
    country: str
    name: str
    legal_form: str
    domain: str
    cnpj: str | None
    phone: str
    street: str
    number: str
    city: str


def _word(rng: Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _new_word(rng: Random, used: set[str]) -> str:
    """A distinctive word no other true company has (two real companies seldom share one)."""
    word = _word(rng)
    while word in used:
        word += rng.choice(SYLLABLES)
    used.add(word)
    return word


def _cnpj(rng: Random, root: str, establishment: int) -> str:
    body = f"{root}{establishment:04d}"
    return body + cnpj_check.calc_check_digits(body)


def _company(rng: Random, index: int, country: str, used: set[str]) -> Company:
    language, forms, tld, cities, streets, prefix = COUNTRIES[country]
    words = [_new_word(rng, used)]
    if rng.random() < 0.6:
        words.append(rng.choice(COMMON[language]))
    if rng.random() < 0.25:  # a long name, known by its initials too
        middle = rng.choice(COMMON[language])
        words = [_new_word(rng, used), middle, _new_word(rng, used)]
    if rng.random() < 0.1:
        words = [_new_word(rng, used), "&" if rng.random() < 0.5 else "e", _new_word(rng, used)]
    name = " ".join(words)
    plain = unicodedata.normalize("NFKD", "".join(w for w in words if w not in ("&", "e")))
    domain = plain.encode("ascii", "ignore").decode().lower()[:18] + tld
    root = f"{rng.randint(10_000_000, 99_999_999)}"
    return Company(
        company=f"c{index}",
        country=country,
        name=name,
        legal_form=rng.choice(forms),
        domain=domain,
        cnpj=_cnpj(rng, root, 1) if country == "BR" else None,
        phone=f"{prefix}{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}",
        street=f"{rng.choice(streets)} {_word(rng)}",
        number=str(rng.randint(1, 3000)),
        city=rng.choice(cities),
    )


def _branch(rng: Random, head: Company, index: int, establishment: int, used: set[str]) -> Company:
    """Another establishment of ``head``: its own true id, address, phone and CNPJ."""
    other = _company(rng, index, head.country, used)
    cnpj = _cnpj(rng, head.cnpj[:8], establishment) if head.cnpj else None
    return replace(other, name=head.name, legal_form=head.legal_form, domain=head.domain,
                   cnpj=cnpj)  # fmt: skip


def _typo(rng: Random, text: str) -> str:
    at = rng.randrange(1, max(len(text) - 1, 2))
    return text[:at] + text[at + 1 :] if rng.random() < 0.5 else text[:at] + text[at] + text[at:]


def _name(rng: Random, company: Company) -> str:
    words = company.name.split(" ")
    roll = rng.random()
    if roll < 0.12 and len(words) >= 3 and "&" not in words and "e" not in words:
        return "".join(word[0] for word in words).upper()
    if roll < 0.2:
        words = ["and" if w == "&" else "&" if w in ("e", "and") else w for w in words]
    if roll < 0.3 and len(words[0]) > 5:
        words[0] = _typo(rng, words[0])
    name = " ".join(words)
    form = rng.random()
    if form < 0.5:
        name = f"{name} {company.legal_form}"
    elif form < 0.6:
        name = f"{name} {company.legal_form.replace('.', '').upper()}"
    if rng.random() < 0.15:
        name = name.upper()
    return name


def _record(rng: Random, company: Company, source: str, number: int) -> dict[str, str | None]:
    def maybe(value: str | None, keep: float = 0.8) -> str | None:
        return value if rng.random() < keep else None

    kind, _, street_name = company.street.partition(" ")
    kind = ABBREVIATED.get(kind, kind) if rng.random() < 0.5 else kind
    domain = rng.choice([company.domain, f"https://www.{company.domain}/",
                         f"contato@{company.domain}", f"www.{company.domain}"])  # fmt: skip
    cnpj = company.cnpj
    if cnpj and rng.random() < 0.5:
        cnpj = cnpj_check.format(cnpj)
    phone = company.phone if rng.random() < 0.5 else company.phone.replace(" ", "").replace("-", "")
    return {
        "source": source,
        "source_id": f"{source}-{number}",
        "company": company.company,
        "name": _name(rng, company),
        "domain": maybe(domain, 0.7),
        "cnpj": maybe(cnpj, 0.6),
        "phone": maybe(phone, 0.6),
        "street": maybe(f"{kind} {street_name}, {company.number}", 0.75),
        "city": maybe(company.city, 0.85),
        "country": company.country,
    }


def generate(companies: int, seed: int) -> pl.DataFrame:
    """Records of ``companies`` true companies (branches and sisters among them), with the
    true id in ``company``."""
    rng, used = Random(seed), set[str]()
    truth: list[Company] = []
    while len(truth) < companies:
        head = _company(rng, len(truth), rng.choice(list(COUNTRIES)), used)
        truth.append(head)
        if head.cnpj and rng.random() < 0.15:  # branches: children, not duplicates
            for establishment in range(2, rng.randint(3, 5)):
                truth.append(_branch(rng, head, len(truth), establishment, used))
        if rng.random() < 0.05:  # a sister company on the group's domain
            sister = _company(rng, len(truth), head.country, used)
            truth.append(replace(sister, domain=head.domain))
        if rng.random() < 0.1:  # a namesake: the same common words, another distinctive one
            twin = _company(rng, len(truth), head.country, used)
            common = head.name.split(" ")[1:]
            truth.append(replace(twin, name=" ".join([_new_word(rng, used), *common])))
    rows, number = [], 0
    for company in truth:
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            number += 1
            rows.append(_record(rng, company, rng.choice(("crm", "erp", "sheet")), number))
    return pl.DataFrame(rows).sample(fraction=1.0, shuffle=True, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    frame = generate(args.companies, args.seed)
    frame.write_csv(args.out)
    print(f"{frame.height:,} records of {frame['company'].n_unique():,} companies -> {args.out}")


if __name__ == "__main__":
    main()
