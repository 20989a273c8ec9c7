"""Fail unless the wheel carries every rule and connector file (under crmclean/_bundled/)
and the package's own data files."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def expected_files() -> set[str]:
    names = set()
    for kind in ("rules", "connectors"):
        for path in (ROOT / kind).rglob("*"):
            if path.is_file():
                names.add(f"crmclean/_bundled/{path.relative_to(ROOT).as_posix()}")
    for path in (ROOT / "crmclean").rglob("*"):
        data = path.suffix in (".yaml", ".html", ".js", ".css")  # rules, the review page
        if data and "_bundled" not in path.parts:
            names.add(path.relative_to(ROOT).as_posix())
    return names


def main(wheel: str) -> int:
    inside = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(expected_files() - inside)
    if missing:
        print(f"{wheel}: missing {len(missing)} bundled files, e.g. {missing[:5]}")
        return 1
    print(f"{wheel}: all {len(expected_files())} rule, connector and data files bundled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
