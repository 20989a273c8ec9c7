"""The demo population: distinct people, some of them look-alikes on purpose (hard negatives)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from random import Random

from crmclean.demo.people import Company, Job, PeopleFactory, Person, Phone
from crmclean.demo.vocab import City, Vocab, fill, load_vocab

_EMPLOYED = 0.75
_MOVED = 0.12
_HOME_PHONE = 0.35
_OPT_IN = 0.6


@dataclass(frozen=True)
class Draft:
    """What a look-alike fixes before the rest of a person is drawn."""

    country: str
    female: bool | None = None
    city: City | None = None
    first: str | None = None
    last: str | None = None
    suffix: str | None = None
    home_phone: Phone | None = None
    postal_code: str | None = None
    company: Company | None = None


def make_people(count: int, rng: Random, vocab: Vocab | None = None) -> list[Person]:
    """``count`` distinct people (``P000001``...); about one in eight resembles another."""
    factory = PeopleFactory(rng, vocab or load_vocab())
    people: list[Person] = []
    for index in range(count):
        people.append(_next_person(factory, f"P{index + 1:06d}", people))
    return people


def build(factory: PeopleFactory, person_id: str, draft: Draft) -> Person:
    """Complete ``draft`` into a person with unique e-mails and phones."""
    rng = factory.rng
    female = rng.random() < 0.5 if draft.female is None else draft.female
    city = draft.city or factory.city(draft.country)
    first = draft.first or factory.first_name(city.country, female)
    last = draft.last or factory.family_name(city.country)
    since = factory.since()
    job = _first_job(factory, first, last, city, since, draft.company)
    mail_domain = rng.choice(factory.vocab.countries[city.country].mail_domains)
    return Person(
        person_id=person_id,
        female=female,
        first=first,
        last=last,
        suffix=draft.suffix,
        nickname=factory.nickname(first),
        email=factory.email(first, last, mail_domain),
        mobile=factory.phone(city, "mobile"),
        home_phone=draft.home_phone or _home_phone(factory, city),
        city=city,
        postal_code=draft.postal_code or fill(rng.choice(city.postal), rng),
        since=since,
        opt_in=rng.random() < _OPT_IN,
        job=job,
        next_job=_next_job(factory, first, last, city, job) if job else None,
    )


def _first_job(
    factory: PeopleFactory, first: str, last: str, city: City, since: date, company: Company | None
) -> Job | None:
    if company is None and factory.rng.random() >= _EMPLOYED:
        return None
    return factory.job(first, last, city, since, company)


def _next_job(factory: PeopleFactory, first: str, last: str, city: City, job: Job) -> Job | None:
    """A later job at another company, for the few who moved."""
    if factory.rng.random() >= _MOVED:
        return None
    company = factory.company(city)
    while company is job.company:
        company = factory.company(city)
    start = job.start + timedelta(days=factory.rng.randint(200, 700))
    return factory.job(first, last, city, start, company)


def _home_phone(factory: PeopleFactory, city: City) -> Phone | None:
    return factory.phone(city, "landline") if factory.rng.random() < _HOME_PHONE else None


def _shared_home(factory: PeopleFactory, people: list[Person]) -> Phone:
    """The last person's home phone, giving them one first if they had none."""
    other = people[-1]
    home = other.home_phone or factory.phone(other.city, "landline")
    people[-1] = replace(other, home_phone=home)
    return home


def _namesake(factory: PeopleFactory, person_id: str, people: list[Person]) -> Person | None:
    """Someone with one of the most common names in Brazil ("Maria Silva")."""
    first, last = factory.rng.choice(factory.vocab.common_names)
    female = first in factory.vocab.first_names["BR"]["female"]
    return build(factory, person_id, Draft("BR", female=female, first=first, last=last))


def _son(factory: PeopleFactory, person_id: str, people: list[Person]) -> Person | None:
    """The last person's son: same name plus Filho/Júnior, same home and home phone."""
    father = people[-1]
    if father.female or father.suffix:
        return None
    home = _shared_home(factory, people)
    suffix = factory.rng.choice(factory.vocab.generation_suffixes)
    draft = Draft(
        father.country,
        female=False,
        city=father.city,
        first=father.first,
        last=father.last,
        suffix=suffix,
        home_phone=home,
        postal_code=father.postal_code,
    )
    return build(factory, person_id, draft)


def _spouse(factory: PeopleFactory, person_id: str, people: list[Person]) -> Person | None:
    """The last person's spouse: same home and home phone, often the same family name."""
    partner = people[-1]
    home = _shared_home(factory, people)
    own = factory.family_name(partner.country).split()[0]
    last = f"{own} {partner.last.split()[-1]}" if factory.rng.random() < 0.6 else own
    draft = Draft(
        partner.country,
        female=not partner.female,
        city=partner.city,
        last=last,
        home_phone=home,
        postal_code=partner.postal_code,
    )
    return build(factory, person_id, draft)


def _branch_namesake(factory: PeopleFactory, person_id: str, people: list[Person]) -> Person | None:
    """Someone with the last person's name at the same company, in another city."""
    colleague = people[-1]
    if colleague.job is None:
        return None
    city = factory.city(colleague.country, avoid=colleague.city)
    draft = Draft(
        colleague.country,
        female=colleague.female,
        city=city,
        first=colleague.first,
        last=colleague.last,
        company=colleague.job.company,
    )
    return build(factory, person_id, draft)


_Lookalike = Callable[[PeopleFactory, str, list[Person]], Person | None]
_LOOKALIKES: tuple[tuple[float, _Lookalike], ...] = (
    (0.04, _namesake),
    (0.03, _son),
    (0.03, _spouse),
    (0.02, _branch_namesake),
)


def _lookalike(roll: float) -> _Lookalike | None:
    for share, lookalike in _LOOKALIKES:
        if roll < share:
            return lookalike
        roll -= share
    return None


def _next_person(factory: PeopleFactory, person_id: str, people: list[Person]) -> Person:
    lookalike = _lookalike(factory.rng.random())
    person = lookalike(factory, person_id, people) if lookalike and people else None
    return person or build(factory, person_id, Draft(factory.country()))
