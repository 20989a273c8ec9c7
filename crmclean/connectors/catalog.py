"""What ``crmclean connectors list`` and ``show`` print: every spec, where it comes from."""

from __future__ import annotations

from pathlib import Path

from crmclean import resources
from crmclean.connectors.spec import connector_files, load_connector
from crmclean.errors import UserError
from crmclean.model import ContactModel


def origin(path: Path) -> str:
    """``bundled`` for a spec shipped with crmclean, else ``user``."""
    return "bundled" if path.parent == resources.bundled_dir("connectors") else "user"


def catalog(model: ContactModel, user_dir: Path | None = None) -> list[dict[str, str]]:
    """One line per spec: name, kind, origin, what it reads and what it was checked against."""
    rows: dict[str, dict[str, str]] = {}
    for path in connector_files(user_dir).values():
        spec = load_connector(path, model)
        reads = ", ".join(spec.detect) if spec.kind == "file" else "database query"
        user = origin(path) == "user"
        shadows = user and (resources.bundled_dir("connectors") / path.name).is_file()
        replaced = " (overrides bundled)" if user and (spec.name in rows or shadows) else ""
        rows[spec.name] = {
            "name": spec.name,
            "kind": spec.kind,
            "origin": origin(path) + replaced,
            "title": spec.title,
            "reads": reads,
            "checked": spec.checked,
        }
    return sorted(rows.values(), key=lambda row: row["name"])


def describe(name: str, model: ContactModel, user_dir: Path | None = None) -> str:
    """The spec file of connector ``name`` as written (comments included), after a line saying
    where it comes from; a user's spec of the same name wins over the bundled one."""
    paths = {load_connector(p, model).name: p for p in connector_files(user_dir).values()}
    if name not in paths:
        raise UserError(f"unknown connector '{name}' (known: {', '.join(sorted(paths))})")
    path = paths[name]
    return f"# {origin(path)} spec: {path}\n" + path.read_text(encoding="utf-8")
