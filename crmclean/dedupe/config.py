"""The matching rules: ``rules/match.yaml`` as a validated pydantic model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from crmclean.dedupe.compare import METHODS
from crmclean.dedupe.keys import KEYS, LIST_KEYS
from crmclean.errors import UserError
from crmclean.model import format_validation_error
from crmclean.rules import Rules

MATCH_FILE = "match.yaml"


def _known(registry: Mapping[str, object], what: str) -> Callable[[str], str]:
    """A validator accepting only names registered in ``registry``."""

    def check(name: str) -> str:
        if name not in registry:
            raise ValueError(f"unknown {what} '{name}'; known: {', '.join(sorted(registry))}")
        return name

    return check


FoldedWord = Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]
KeyName = Annotated[str, AfterValidator(_known(KEYS, "key"))]
MethodName = Annotated[str, AfterValidator(_known(METHODS, "method"))]


class Level(BaseModel):
    """A similarity level: pairs reaching ``at`` add ``weight`` to the score."""

    model_config = ConfigDict(extra="forbid")

    at: float = Field(ge=0.0, le=1.0)
    weight: float


class ComparisonSpec(BaseModel):
    """One field comparison and the evidence each of its levels gives."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    key: KeyName
    method: MethodName
    levels: list[Level] = Field(min_length=1)
    disagree: float = 0.0
    veto: bool = False

    @field_validator("levels")
    @classmethod
    def _descending(cls, levels: list[Level]) -> list[Level]:
        thresholds = [level.at for level in levels]
        if thresholds != sorted(set(thresholds), reverse=True):
            raise ValueError("levels must go from the highest 'at' to the lowest, without repeats")
        return levels

    @model_validator(mode="after")
    def _method_fits_key(self) -> ComparisonSpec:
        if METHODS[self.method].on_lists != (self.key in LIST_KEYS):
            kind = "list" if self.key in LIST_KEYS else "text"
            raise ValueError(f"method '{self.method}' cannot compare the {kind} key '{self.key}'")
        return self


class MatchConfig(BaseModel):
    """Blocking keys, comparisons, thresholds and the vocabularies they use."""

    model_config = ConfigDict(extra="forbid")

    version: int
    auto_merge_threshold: float = Field(gt=0.0, le=1.0)
    max_block_size: int = Field(default=200, ge=2)
    oversized_report: int = Field(default=10, ge=0)
    role_email_local_parts: list[str] = []
    name_suffixes: dict[FoldedWord, FoldedWord] = {}
    nicknames: dict[FoldedWord, FoldedWord] = {}
    blocking: list[list[KeyName]] = Field(min_length=1)
    comparisons: list[ComparisonSpec] = Field(min_length=1)

    @field_validator("blocking")
    @classmethod
    def _rules_not_empty(cls, blocking: list[list[str]]) -> list[list[str]]:
        if any(not keys for keys in blocking):
            raise ValueError("every blocking rule needs at least one key")
        return blocking

    @field_validator("comparisons")
    @classmethod
    def _unique_names(cls, comparisons: list[ComparisonSpec]) -> list[ComparisonSpec]:
        names = [spec.name for spec in comparisons]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"comparison names must be unique; repeated: {', '.join(repeated)}")
        return comparisons

    @property
    def key_names(self) -> list[str]:
        """Every key a blocking rule or a comparison uses, in first-use order."""
        used = [key for keys in self.blocking for key in keys]
        used += [spec.key for spec in self.comparisons]
        return list(dict.fromkeys(used))


def load_match_config(rules: Rules) -> MatchConfig:
    """Load and validate ``match.yaml``, reporting every problem at once."""
    path = rules.path(MATCH_FILE)
    try:
        return MatchConfig.model_validate(rules.load(MATCH_FILE))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
