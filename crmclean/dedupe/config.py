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
from crmclean.dedupe.keys import KEYS, LIST_KEYS, is_key
from crmclean.dedupe.nicknames import load_nicknames
from crmclean.dedupe.survivorship import Survivorship
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


def _key(name: str) -> str:
    """A registered key or ``extra.<column>`` (a source column no field maps)."""
    if not is_key(name):
        known = ", ".join(sorted(KEYS))
        raise ValueError(f"unknown key '{name}'; known: {known}, or extra.<source column>")
    return name


KeyName = Annotated[str, AfterValidator(_key)]
MethodName = Annotated[str, AfterValidator(_known(METHODS, "method"))]


class Level(BaseModel):
    """A similarity level: pairs reaching ``at``; ``m`` is its share among true matches."""

    model_config = ConfigDict(extra="forbid")

    at: float = Field(ge=0.0, le=1.0)
    m: float = Field(gt=0.0, lt=1.0)
    u: float = Field(gt=0.0, lt=1.0)


class ComparisonSpec(BaseModel):
    """One field comparison and the evidence each of its levels gives."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    key: KeyName
    method: MethodName
    levels: list[Level] = Field(min_length=1)
    tf: bool = False
    tf_min: float = Field(default=1.0, gt=0.0)
    tf_own: float = Field(default=1.0, ge=1.0)
    tf_common_only: bool = False  # term frequencies only weaken a value more common than u
    tf_levels: bool = False  # the lower levels weigh by the commoner value's frequency too
    group: str | None = None
    group_against: str | None = None
    veto: bool = False
    veto_unless: list[str] = []
    explained_by: list[str] = []
    superseded_by: list[str] = []

    @field_validator("levels")
    @classmethod
    def _descending(cls, levels: list[Level]) -> list[Level]:
        thresholds = [level.at for level in levels]
        if thresholds != sorted(set(thresholds), reverse=True):
            raise ValueError("levels must go from the highest 'at' to the lowest, without repeats")
        for share in ("m", "u"):
            if sum(getattr(level, share) for level in levels) >= 1.0:
                raise ValueError(f"the {share} of the levels must add up to less than 1")
        return levels

    @property
    def m(self) -> list[float]:
        """``m`` of each level, then of disagreement (below every level)."""
        shares = [level.m for level in self.levels]
        return [*shares, 1.0 - sum(shares)]

    @property
    def u(self) -> list[float]:
        """The prior ``u`` of each level, then of disagreement."""
        shares = [level.u for level in self.levels]
        return [*shares, 1.0 - sum(shares)]

    @model_validator(mode="after")
    def _method_fits_key(self) -> ComparisonSpec:
        if METHODS[self.method].on_lists != (self.key in LIST_KEYS):
            kind = "list" if self.key in LIST_KEYS else "text"
            raise ValueError(f"method '{self.method}' cannot compare the {kind} key '{self.key}'")
        return self


def comparison_name(part: str) -> str:
    """The comparison a ``veto_unless`` part names: ``birth_date@0.8`` -> ``birth_date``,
    ``~last_name`` and ``!address`` -> ``last_name`` and ``address``."""
    return part.partition("@")[0].lstrip("~!")


def _similarity(part: str, field: str = "veto_unless") -> None:
    """A ``veto_unless`` part's (or ``field``'s) ``@`` similarity, when it has one, is a number
    from 0 to 1."""
    _, at, value = part.partition("@")
    try:
        if at and not 0.0 <= float(value) <= 1.0:
            raise ValueError
    except ValueError:
        raise ValueError(f"{field} '{part}': the similarity after @ is from 0 to 1") from None


def rule_name(rule: list[str]) -> str:
    """A blocking rule as the report and ``rule_caps`` name it: its keys joined by ``+``."""
    return " + ".join(rule)


class RuleCap(BaseModel):
    """A blocking rule's own cap: its blocks over ``max_block_size`` records are compared only
    within the smaller blocks each of ``split_keys`` makes of them."""

    model_config = ConfigDict(extra="forbid")

    max_block_size: int = Field(ge=2)
    split_keys: list[KeyName] = Field(min_length=1)


_AT = r"^([a-z][a-z0-9_]*@[0-9.]+)?$"  # a comparison at a similarity: name_order@0.7


class Bridge(BaseModel):
    """When a name veto between two records only disputes their cluster: both match one third
    record by one of ``through`` (a shared e-mail, number, birth date), only vetoes of
    ``vetoes`` disagree, and the whole names agree as loosely as ``names`` asks
    (``name_order@0.7``: that comparison at similarity 0.7 or more), or the two records share
    one of ``shared`` (a subset of ``through``: a mobile, a personal mailbox) and their whole
    names agree as loosely as ``shared_names`` asks. Nothing without ``through``."""

    model_config = ConfigDict(extra="forbid")

    through: list[str] = []
    shared: list[str] = []
    vetoes: list[str] = []
    names: str = Field(default="", pattern=_AT)
    shared_names: str = Field(default="", pattern=_AT)

    @property
    def names_at(self) -> tuple[str, float]:
        """The comparison ``names`` names and its similarity (none: ``"", 0.0``)."""
        return _at(self.names)

    @property
    def shared_names_at(self) -> tuple[str, float]:
        """The comparison ``shared_names`` names and its similarity (none: ``"", 0.0``)."""
        return _at(self.shared_names)


def _at(text: str) -> tuple[str, float]:
    name, _, at = text.partition("@")
    return name, float(at or 0.0)


class MatchConfig(BaseModel):
    """Blocking keys, comparisons, thresholds and the vocabularies they use."""

    model_config = ConfigDict(extra="forbid")

    version: int
    auto_merge_threshold: float = Field(gt=0.0, lt=1.0)
    review_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    split_below: float = Field(default=0.01, ge=0.0, lt=1.0)
    chain_check_size: int = Field(default=6, ge=2)
    chain_check_max_size: int = Field(default=1_000, ge=2)
    doubt_check_size: int = Field(default=3, ge=2)
    identifiers: list[str] = []
    contradicting: list[str] = []
    doubting: list[str] = []
    bridge: Bridge = Bridge()
    duplicates_per_record: float = Field(default=0.8, gt=0.0)
    u_sample_pairs: int = Field(default=200_000, ge=1_000)
    u_prior_pairs: int = Field(default=1_000, ge=1)
    min_population: int = Field(default=1_000, ge=2)
    seed: int = 42
    em_iterations: int = Field(default=0, ge=0)
    em_sample_pairs: int = Field(default=200_000, ge=1_000)
    em_prior_range: float = Field(default=1.0, ge=1.0)
    em_prior_min_pairs: int = Field(default=1_000, ge=1)
    m_prior_pairs: int = Field(default=1_000, ge=1)
    training_prior_pairs: int = Field(default=10, ge=1)
    max_block_size: int = Field(default=200, ge=2)
    split_keys: list[KeyName] = []
    cap_rows: int | None = Field(default=None, ge=2)
    cap_exponent: float = Field(default=0.5, ge=0.0, le=1.0)
    oversized_report: int = Field(default=10, ge=0)
    role_email_local_parts: list[str] = []
    free_email_domains: list[str] = []
    common_names: dict[str, dict[FoldedWord, float]] = {}
    name_suffixes: dict[FoldedWord, FoldedWord] = {}
    nicknames: dict[FoldedWord, FoldedWord] = {}
    blocking: list[list[KeyName]] = Field(min_length=1)
    rule_caps: dict[str, RuleCap] = {}
    comparisons: list[ComparisonSpec] = Field(min_length=1)
    survivorship: Survivorship = Survivorship()

    @model_validator(mode="after")
    def _survivorship_knows_emails(self) -> MatchConfig:
        """Survivorship ranks role and misspelled free-mail addresses with these lists."""
        self.survivorship = self.survivorship.model_copy(
            update={
                "role_local_parts": self.survivorship.role_local_parts
                or self.role_email_local_parts,
                "free_email_domains": self.survivorship.free_email_domains
                or self.free_email_domains,
            }
        )
        return self

    @model_validator(mode="after")
    def _review_below_merge(self) -> MatchConfig:
        if self.review_threshold > self.auto_merge_threshold:
            raise ValueError("review_threshold must not be above auto_merge_threshold")
        return self

    @field_validator("blocking")
    @classmethod
    def _rules_not_empty(cls, blocking: list[list[str]]) -> list[list[str]]:
        if any(not keys for keys in blocking):
            raise ValueError("every blocking rule needs at least one key")
        return blocking

    @model_validator(mode="after")
    def _identifiers_named(self) -> MatchConfig:
        names = {spec.name for spec in self.comparisons}
        for field in ("identifiers", "contradicting", "doubting"):
            unknown = sorted(set(getattr(self, field)) - names)
            if unknown:
                raise ValueError(f"{field} names unknown comparisons: {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _bridge_named(self) -> MatchConfig:
        specs = {spec.name: spec for spec in self.comparisons}
        bridge = self.bridge
        _similarity(bridge.names, "bridge names")
        _similarity(bridge.shared_names, "bridge shared_names")
        loose = filter(None, [bridge.names_at[0], bridge.shared_names_at[0]])
        named = [*bridge.through, *bridge.vetoes, *loose]
        unknown = sorted(set(named) - set(specs))
        if unknown:
            raise ValueError(f"bridge names unknown comparisons: {', '.join(unknown)}")
        if not_vetoes := sorted(name for name in bridge.vetoes if not specs[name].veto):
            raise ValueError(f"bridge vetoes are no vetoes: {', '.join(not_vetoes)}")
        if not_through := sorted(set(bridge.shared) - set(bridge.through)):
            raise ValueError(f"bridge shared not in through: {', '.join(not_through)}")
        return self

    @model_validator(mode="after")
    def _caps_name_rules(self) -> MatchConfig:
        named = {rule_name(rule) for rule in self.blocking}
        unknown = sorted(set(self.rule_caps) - named)
        if unknown:
            raise ValueError(f"rule_caps names no blocking rule: {', '.join(unknown)}")
        return self

    @field_validator("comparisons")
    @classmethod
    def _unique_names(cls, comparisons: list[ComparisonSpec]) -> list[ComparisonSpec]:
        names = [spec.name for spec in comparisons]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"comparison names must be unique; repeated: {', '.join(repeated)}")
        for field in ("veto_unless", "explained_by", "superseded_by"):
            named = {
                comparison_name(part)
                for spec in comparisons
                for name in getattr(spec, field)
                for part in name.split("+")
            }
            unknown = sorted(named - set(names))
            if unknown:
                raise ValueError(f"{field} names unknown comparisons: {', '.join(unknown)}")
        for spec in comparisons:
            for part in (part for name in spec.veto_unless for part in name.split("+")):
                _similarity(part)
        return comparisons

    def caps_for(self, records: int) -> MatchConfig:
        """The config with its block caps (``max_block_size`` and every rule's) shrunk for a
        file of ``records`` past ``cap_rows``: times ``(cap_rows / records) ** cap_exponent``,
        never below 2 (unchanged up to ``cap_rows``)."""
        if self.cap_rows is None or records <= self.cap_rows:
            return self
        factor = (self.cap_rows / records) ** self.cap_exponent

        def cap(size: int) -> int:
            return max(2, round(size * factor))

        caps = {
            name: rule.model_copy(update={"max_block_size": cap(rule.max_block_size)})
            for name, rule in self.rule_caps.items()
        }
        return self.model_copy(
            update={"max_block_size": cap(self.max_block_size), "rule_caps": caps}
        )

    @property
    def key_names(self) -> list[str]:
        """Every key a blocking rule or a comparison uses, in first-use order."""
        used = [key for keys in self.blocking for key in keys] + self.split_keys
        used += [key for cap in self.rule_caps.values() for key in cap.split_keys]
        used += [spec.key for spec in self.comparisons]
        return list(dict.fromkeys(used))


def load_match_config(rules: Rules) -> MatchConfig:
    """Load and validate ``match.yaml``, reporting every problem at once; its ``nicknames``
    are added to those of ``nicknames.yaml``."""
    path = rules.path(MATCH_FILE)
    try:
        config = MatchConfig.model_validate(rules.load(MATCH_FILE))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    nicknames = {**load_nicknames(rules), **config.nicknames}
    return config.model_copy(update={"nicknames": nicknames})
