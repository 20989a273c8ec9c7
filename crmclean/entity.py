"""Which entity a source holds: contacts (people) or companies (accounts, organisations).

The project file says it per source (``entity: companies``); else the connector spec does
(``salesforce_account`` is companies); else the mapped columns tell: a company name with no
person columns (names, job title, birth date or place) and no e-mail, or with a company-only column
(website, domain, CNPJ), is a list of companies.
"""

from __future__ import annotations

from typing import Literal

from crmclean.connectors import ConnectorSpec
from crmclean.mapping import Mapping

Entity = Literal["contacts", "companies"]
ENTITIES: tuple[Entity, ...] = ("contacts", "companies")
PERSON_FIELDS = frozenset(
    {
        "full_name",
        "first_name",
        "middle_name",
        "last_name",
        "job_title",
        "birth_date",
        "birth_place",
        "gender",
        "honorific",
        "mobile",
    }
)
COMPANY_ONLY_FIELDS = frozenset({"website", "company_domain", "tax_id"})


def entity_of(
    mapping: Mapping, connector: ConnectorSpec | None = None, given: Entity | None = None
) -> Entity:
    """The entity named by the project, else by the connector, else guessed from ``mapping``."""
    if given is not None:
        return given
    if connector is not None:
        return connector.entity
    fields = set(mapping.fields())
    if "company" not in fields or fields & PERSON_FIELDS:
        return "contacts"
    return "companies" if "email" not in fields or fields & COMPANY_ONLY_FIELDS else "contacts"
