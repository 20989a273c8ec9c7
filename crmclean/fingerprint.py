"""A stable hash of what configures a run: rule files, connector specs, sources and options."""

from __future__ import annotations

import hashlib
from pathlib import Path

from crmclean import resources
from crmclean.rules import Rules
from crmclean.sources import SourceSpec


def _rule_files(rules: Rules) -> list[Path]:
    files = resources.listing("rules", "**/*.*", rules.directory)
    files.update(resources.listing("connectors", "*.yaml", rules.connectors_dir))
    return [files[name] for name in sorted(files)]


def config_hash(sources: list[SourceSpec], rules: Rules) -> str:
    """SHA-256 over the rule/connector contents, the source specs and the default region."""
    digest = hashlib.sha256(f"region={rules.default_region}\n".encode())
    for path in _rule_files(rules):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for spec in sources:
        digest.update(repr(spec).encode())
        if spec.mapping is not None and spec.mapping.is_file():
            digest.update(spec.mapping.read_bytes())
    return digest.hexdigest()
