"""The rule set a run uses: bundled files, overridden by a user's rules directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from crmclean import resources
from crmclean.connectors import ConnectorSpec, load_connectors
from crmclean.model import ContactModel, load_model, load_yaml


@dataclass(frozen=True)
class Rules:
    """Where rule files come from, plus run-wide settings.

    ``directory`` is a user folder whose files override bundled files of the same relative
    path (``connectors_dir`` likewise for connector specs); ``default_region`` is the ISO
    country used for phones with no country of their own.
    """

    directory: Path | None = None
    default_region: str = "BR"
    connectors_dir: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        """Path of a rule file, the user's copy first."""
        return resources.find("rules", relative, self.directory)

    def load(self, relative: str) -> Any:
        """Parsed YAML of a rule file."""
        return load_yaml(self.path(relative))

    @cached_property
    def model(self) -> ContactModel:
        return load_model(self.path("contact.yaml"))

    @cached_property
    def connectors(self) -> list[ConnectorSpec]:
        return load_connectors(self.model, self.connectors_dir)
