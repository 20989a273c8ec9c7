"""The link rules (``rules/link.yaml``): free-mail domains, evidence order, created companies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crmclean.normalize.spec import load_spec
from crmclean.rules import Rules

SPEC = "link.yaml"
Method = Literal["cnpj", "domain", "name"]


class LinkSpec(BaseModel):
    """The contents of ``rules/link.yaml``."""

    model_config = ConfigDict(extra="forbid")

    free_mail_domains: list[str] = Field(default_factory=list)
    methods: list[Method] = Field(default=["cnpj", "domain", "name"], min_length=1)
    create_companies: bool = True


def load(rules: Rules) -> LinkSpec:
    """The link rules of a run."""
    return load_spec(rules, SPEC, LinkSpec)
