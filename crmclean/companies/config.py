"""The company matching rules: ``rules/match_company.yaml``, the same model as contacts'."""

from __future__ import annotations

from pydantic import ValidationError

from crmclean.dedupe.config import MatchConfig
from crmclean.errors import UserError
from crmclean.model import format_validation_error
from crmclean.rules import Rules

MATCH_FILE = "match_company.yaml"


def load_company_config(rules: Rules, threshold: float | None = None) -> MatchConfig:
    """Load and validate ``match_company.yaml`` (every problem at once); a ``threshold``
    overrides its ``auto_merge_threshold`` (and lowers the review band's start to it)."""
    try:
        config = MatchConfig.model_validate(rules.load(MATCH_FILE))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(rules.path(MATCH_FILE))) from None
    if threshold is None:
        return config
    review = min(config.review_threshold, threshold)
    return config.model_copy(update={"auto_merge_threshold": threshold, "review_threshold": review})
