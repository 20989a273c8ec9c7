"""The true people behind the demo records, and the factory that draws their parts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from random import Random
from typing import NamedTuple

from crmclean.demo.vocab import City, Vocab, Weighted, fill

_EPOCH = date(2018, 1, 8)
_NEW_COMPANY = 0.12


class Phone(NamedTuple):
    """A phone number split the way people write it: country, area code, subscriber number."""

    calling_code: str
    area: str
    local: str

    @property
    def e164(self) -> str:
        """The number in E.164 (``+5511987654321``)."""
        return f"+{self.calling_code}{self.area}{self.local}"


@dataclass(frozen=True)
class Company:
    """An employer with its switchboard and shared mailbox (``contato@...``)."""

    name: str
    legal_suffix: str
    domain: str
    switchboard: Phone
    shared_email: str

    @property
    def legal_name(self) -> str:
        """The name with its legal suffix (``Horizonte Logística Ltda``)."""
        return f"{self.name} {self.legal_suffix}"


@dataclass(frozen=True)
class Job:
    """A position at a company, from ``start`` on."""

    company: Company
    title: str
    email: str
    start: date


@dataclass(frozen=True)
class Person:
    """One real person; every demo record is a damaged view of one of these."""

    person_id: str
    female: bool
    first: str
    last: str
    suffix: str | None
    nickname: str | None
    email: str
    mobile: Phone
    home_phone: Phone | None
    city: City
    postal_code: str
    since: date
    opt_in: bool
    job: Job | None
    next_job: Job | None

    @property
    def full_name(self) -> str:
        """Given name, family name and generation suffix."""
        return " ".join(p for p in (self.first, self.last, self.suffix) if p)

    @property
    def country(self) -> str:
        """ISO 3166-1 alpha-2 code of the person's country."""
        return self.city.country


@cache
def mailbox(address: str) -> str:
    """The mailbox an address reaches: Gmail ignores dots, so two people never share one."""
    local, domain = address.split("@")
    return f"{local.replace('.', '')}@{domain}" if domain == "gmail.com" else address


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits only (``"Conceição"`` -> ``"conceicao"``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class PeopleFactory:
    """Draws names, places, unique phones, unique e-mails and companies from one random stream."""

    def __init__(self, rng: Random, vocab: Vocab) -> None:
        self.rng = rng
        self.vocab = vocab
        self._taken: set[str] = set()
        self._companies: dict[str, list[Company]] = {}
        self._countries = Weighted({code: c.weight for code, c in vocab.countries.items()})
        self._cities = {
            code: Weighted({c: c.weight for c in cities}) for code, cities in vocab.cities.items()
        }

    def country(self) -> str:
        """A country code, weighted by how many contacts come from there."""
        return self._countries.draw(self.rng)

    def city(self, country: str, avoid: City | None = None) -> City:
        """A city of ``country`` (other than ``avoid`` when the country has another)."""
        city = self._cities[country].draw(self.rng)
        while city == avoid and len(self.vocab.cities[country]) > 1:
            city = self._cities[country].draw(self.rng)
        return city

    def phone(self, city: City, kind: str) -> Phone:
        """A never-used ``mobile`` or ``landline`` number in ``city``."""
        pattern = getattr(self.vocab.countries[city.country], kind)
        area = self.rng.choice(city.area) if "{area}" in pattern else ""
        calling_code = self.vocab.countries[city.country].calling_code
        while True:
            phone = Phone(calling_code, area, fill(pattern.replace("{area}", ""), self.rng))
            if phone.e164 not in self._taken:
                self._taken.add(phone.e164)
                return phone

    def email(self, first: str, last: str, domain: str, *, work: bool = False) -> str:
        """A never-used address built from the name the way people pick theirs."""
        given, family = slug(first.split()[0]), slug(last.split()[-1])
        shapes = [f"{given}.{family}", f"{given[0]}{family}"]
        if work:
            shapes.append(given)
        else:
            shapes += [
                f"{given}{family}",
                f"{given}_{family}",
                f"{given}.{family}{self.rng.randint(1, 99)}",
            ]
        local = self.rng.choice(shapes)
        address = f"{local}@{domain}"
        while mailbox(address) in self._taken:
            address = f"{local}{self.rng.randint(1, 999)}@{domain}"
        self._taken.add(mailbox(address))
        return address

    def family_name(self, country: str) -> str:
        """One or two surnames, sometimes with a particle (``Oliveira dos Santos``)."""
        rng, vocab = self.rng, self.vocab
        if country == "BR" and rng.random() < 0.05:
            return rng.choice(vocab.compound_surnames)
        last = rng.choice(vocab.surnames[country])
        if last in vocab.particles and rng.random() < 0.3:
            last = f"{vocab.particles[last]} {last}"
        if rng.random() < vocab.second_surname_share[country]:
            last = f"{rng.choice(vocab.surnames[country])} {last}"
        return last

    def first_name(self, country: str, female: bool) -> str:
        """A given name of the right sex for ``country``."""
        return self.rng.choice(self.vocab.first_names[country]["female" if female else "male"])

    def nickname(self, first: str) -> str | None:
        """What friends call someone named ``first``, if anything."""
        return self.vocab.nicknames.get(first) or self.vocab.nicknames.get(first.split()[0])

    def company(self, city: City) -> Company:
        """An employer in ``city``'s country: usually an existing one, sometimes a new one."""
        pool = self._companies.setdefault(city.country, [])
        if pool and self.rng.random() > _NEW_COMPANY:
            return self.rng.choice(pool)
        country = self.vocab.countries[city.country]
        name = self._company_name(city.country)
        domain = slug(name) + country.company_tld
        while domain in self._taken:
            domain = f"{slug(name)}{self.rng.randint(2, 9999)}{country.company_tld}"
        self._taken.add(domain)
        suffix = self.rng.choice(country.legal_suffixes)
        switchboard = self.phone(city, "landline")
        company = Company(name, suffix, domain, switchboard, f"{country.shared_mailbox}@{domain}")
        pool.append(company)
        return company

    def _company_name(self, country: str) -> str:
        rng, vocab = self.rng, self.vocab
        root, activity = rng.choice(vocab.company_roots), rng.choice(vocab.company_activities)
        shapes = [f"{root} {activity}", f"{activity} {root}", f"Grupo {root}", root]
        return rng.choice([*shapes, f"{activity} {rng.choice(vocab.surnames[country])}"])

    def job(
        self, first: str, last: str, city: City, start: date, company: Company | None = None
    ) -> Job:
        """A position for the named person at ``company`` (or any employer near ``city``)."""
        company = company or self.company(city)
        language = self.vocab.countries[city.country].title_language
        title = self.rng.choice(self.vocab.job_titles[language])
        return Job(company, title, self.email(first, last, company.domain, work=True), start)

    def since(self) -> date:
        """When the person first appeared in any system."""
        return _EPOCH + timedelta(days=self.rng.randint(0, 1990))
