"""docs/rules.md lists every finding code; this test keeps the table in sync with codes.py.

Regenerate: ``CRMCLEAN_REGEN_DOCS=1 .venv/bin/pytest tests/test_normalize_docs.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from crmclean.normalize.codes import table

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
BLOCK = re.compile(r"(<!-- codes:start -->\n).*?(<!-- codes:end -->)", re.DOTALL)


def render() -> str:
    lines = ["| code | rule | severity | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c}` | `{r}` | {s} | {d} |" for c, r, s, d in table().iter_rows()]
    return "\n".join(lines) + "\n"


def test_rules_md_lists_every_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    expected = BLOCK.sub(lambda m: m.group(1) + render() + m.group(2), text)
    if os.environ.get("CRMCLEAN_REGEN_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
        text = expected
    assert text == expected, "docs/rules.md is stale; regenerate it"
    assert all(f"`{code}`" in text for code in table()["code"])
