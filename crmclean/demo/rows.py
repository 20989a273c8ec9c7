"""One source row per appearance of a person, written the way each source writes people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from random import Random
from typing import Any

from crmclean.demo.damage import (
    blank,
    company_text,
    damage_name,
    email_variant,
    phone_text,
    postal_text,
)
from crmclean.demo.people import Job, Person, Phone
from crmclean.demo.vocab import Vocab, Weighted

Row = dict[str, Any]

_EXPORTED = datetime(2025, 6, 30, 18, 0)
_EVENT_OPENS = datetime(2025, 2, 3, 9, 0)
_SHARED_MAILBOX = 0.04
_PLANILHA_PHONES = Weighted(
    {"paren": 40, "spaced": 20, "intl": 8, "digits": 10, "excel": 8, "no_area": 5}
)
_CRM_PHONES = Weighted({"e164": 60, "intl_dash": 25, "intl": 15})
_EVENTO_PHONES = Weighted({"paren": 45, "spaced": 20, "intl": 15, "digits": 20})


@dataclass(frozen=True)
class Appearance:
    """A person as one source saw them, holding ``job`` (None: no job on record)."""

    person: Person
    job: Job | None

    @property
    def after_move(self) -> bool:
        """The record was made after the person changed jobs."""
        return self.job is not None and self.job is self.person.next_job


def _at(day: date, rng: Random) -> datetime:
    """A moment in office hours on ``day``."""
    return datetime.combine(day, time(8)) + timedelta(seconds=rng.randint(0, 10 * 3600))


def _email(rng: Random, seen: Appearance, work_share: float, variant_share: float) -> str:
    job = seen.job
    if job and rng.random() < _SHARED_MAILBOX:
        return job.company.shared_email
    address = job.email if job and rng.random() < work_share else seen.person.email
    return email_variant(rng, address) if rng.random() < variant_share else address


def _phone(rng: Random, phone: Phone | None, styles: Weighted[str], missing: float) -> str | None:
    if phone is None or rng.random() < missing:
        return None
    return phone_text(rng, phone, styles)


def _landline(rng: Random, seen: Appearance) -> Phone | None:
    """The company switchboard or the home phone, whichever the person gave."""
    home = seen.person.home_phone
    if seen.job and (home is None or rng.random() < 0.5):
        return seen.job.company.switchboard
    return home


def _started(seen: Appearance) -> date:
    return seen.job.start if seen.after_move and seen.job else seen.person.since


def _full_name(rng: Random, person: Person) -> str:
    if rng.random() < 0.08:
        return " ".join(p for p in (f"{person.last},", person.first, person.suffix) if p)
    return person.full_name


def _family(rng: Random, person: Person, keep_all: float) -> str:
    """The family name, sometimes cut to its last word, with the generation suffix."""
    last = person.last if rng.random() < keep_all else person.last.split()[-1]
    return " ".join(p for p in (last, person.suffix) if p)


def _given(rng: Random, person: Person, nickname_share: float) -> str:
    if person.nickname and rng.random() < nickname_share:
        return person.nickname
    return person.first


def planilha_row(rng: Random, vocab: Vocab, seen: Appearance) -> tuple[datetime, Row]:
    """A row of the Brazilian spreadsheet (``Código`` is added when rows are numbered)."""
    person, job = seen.person, seen.job
    created = _at(_started(seen) + timedelta(days=rng.randint(0, 90)), rng)
    opt_in = ["Sim", "S"] if person.opt_in else ["Não", "N"]
    return created, {
        "Nome completo": damage_name(rng, _full_name(rng, person)),
        "E-mail": blank(rng, 0.08, _email(rng, seen, 0.5, 0.08)),
        "Telefone": _phone(rng, _landline(rng, seen), _PLANILHA_PHONES, 0.1),
        "Celular": _phone(rng, person.mobile, _PLANILHA_PHONES, 0.15),
        "Empresa": blank(rng, 0.1, company_text(rng, job.company)) if job else None,
        "Cargo": blank(rng, 0.3, job.title) if job else None,
        "Cidade": blank(rng, 0.05, damage_name(rng, person.city.name, 0.5)),
        "UF": blank(rng, 0.05, person.city.state),
        "CEP": blank(rng, 0.1, postal_text(rng, person.postal_code)),
        "Data de cadastro": created.strftime("%d/%m/%Y"),
        "Aceita receber e-mails": blank(rng, 0.1, rng.choice(opt_in)),
    }


def _crm_dates(rng: Random, seen: Appearance) -> tuple[datetime, datetime]:
    """Created and last modified; a record from before a job change stops changing at the move."""
    created = min(_at(_started(seen) + timedelta(days=rng.randint(0, 120)), rng), _EXPORTED)
    next_job = seen.person.next_job
    frozen_at = _at(next_job.start, rng) if next_job and not seen.after_move else _EXPORTED
    modified = created + timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 36000))
    return created, max(created, min(modified, frozen_at - timedelta(days=1)))


def crm_row(rng: Random, vocab: Vocab, seen: Appearance) -> tuple[datetime, Row]:
    """A row of the CRM export (``Record ID`` is added when rows are numbered)."""
    person, job = seen.person, seen.job
    created, modified = _crm_dates(rng, seen)
    return created, {
        "First Name": damage_name(rng, _given(rng, person, 0.3), 0.3),
        "Last Name": damage_name(rng, _family(rng, person, 0.85), 0.3),
        "Email": blank(rng, 0.04, _email(rng, seen, 0.7, 0.04)),
        "Phone Number": _phone(rng, _landline(rng, seen), _CRM_PHONES, 0.15),
        "Mobile Phone Number": _phone(rng, person.mobile, _CRM_PHONES, 0.2),
        "Company Name": job.company.legal_name if job else None,
        "Job Title": blank(rng, 0.2, job.title) if job else None,
        "City": blank(rng, 0.1, person.city.name),
        "State/Region": blank(rng, 0.1, person.city.state),
        "Postal Code": blank(rng, 0.2, person.postal_code),
        "Country/Region": blank(rng, 0.1, rng.choice(vocab.countries[person.country].names)),
        "Lifecycle Stage": vocab.lifecycle_stages.draw(rng),
        "Contact owner": blank(rng, 0.1, rng.choice(vocab.owners)),
        "Create Date": created.isoformat(sep=" "),
        "Last Modified Date": modified.isoformat(sep=" "),
    }


def _whatsapp(rng: Random, phone: Phone) -> int | str:
    """Typed as text, or as a number cell (national digits for Brazil, else with country code)."""
    if rng.random() >= 0.35:
        return phone_text(rng, phone, _EVENTO_PHONES)
    national = phone.calling_code == "55" and rng.random() < 0.7
    return int(("" if national else phone.calling_code) + phone.area + phone.local)


def evento_row(rng: Random, vocab: Vocab, seen: Appearance) -> tuple[datetime, Row]:
    """A row of the event sign-up sheet; sometimes the whole name lands in ``Nome``."""
    person, job = seen.person, seen.job
    signed = _EVENT_OPENS + timedelta(minutes=rng.randint(0, 40 * 24 * 60))
    first, last = _given(rng, person, 0.2), _family(rng, person, 0.7)
    if rng.random() < 0.04:
        first, last = f"{first} {last}", ""
    email = job.email if job and rng.random() < 0.3 else person.email
    return signed, {
        "Nome": damage_name(rng, first, 0.8),
        "Sobrenome": damage_name(rng, last, 0.8) or None,
        "Email": email_variant(rng, email) if rng.random() < 0.2 else email,
        "WhatsApp": _whatsapp(rng, person.mobile),
        "Empresa": blank(rng, 0.3, company_text(rng, job.company)) if job else None,
        "Data de inscrição": signed,
    }
