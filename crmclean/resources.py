"""Find bundled rule and connector files, letting user directories override them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def bundled_dir(kind: str) -> Path:
    """The bundled ``rules`` or ``connectors`` folder (wheel first, then the repository)."""
    packaged = Path(str(resources.files("crmclean") / "_bundled" / kind))
    if packaged.is_dir():
        return packaged
    return _REPO_ROOT / kind


def find(kind: str, relative: str, user_dir: Path | None = None) -> Path:
    """Path of ``relative`` inside ``kind``; a file in ``user_dir`` wins over the bundled one."""
    if user_dir is not None and (user_dir / relative).is_file():
        return user_dir / relative
    return bundled_dir(kind) / relative


def _files(base: Path, pattern: str) -> dict[str, Path]:
    return {p.relative_to(base).as_posix(): p for p in sorted(base.glob(pattern)) if p.is_file()}


def listing(kind: str, pattern: str, user_dir: Path | None = None) -> dict[str, Path]:
    """Files matching ``pattern`` by relative path, user files overriding bundled ones."""
    found = _files(bundled_dir(kind), pattern)
    if user_dir is not None:
        found.update(_files(user_dir, pattern))
    return found
