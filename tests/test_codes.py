"""The finding-code registry: codes and rules unique, every code or rule name the source emits
registered, every code documented in docs/codes.md (generated from the registry).

Regenerate the page: ``CRMCLEAN_REGEN_DOCS=1 .venv/bin/pytest tests/test_codes.py``.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from crmclean.codes import BY_RULE, CODES, SEVERITY_RANK, table

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "codes.md"
CODE = re.compile(r"[A-Z]{2}\d{2}")
RULE = re.compile(r"[a-z_]+\.[a-z0-9_]+")
# Dotted literals in the source that are not finding rules (file names, module paths, ...).
NOT_RULES = re.compile(r".*\.(ya?ml|csv|json|md|db|py|html|xlsx|txt|sql|tsv|vcf)$")
INTRO = """# Finding codes

Every finding and reject reason crmclean can report, from one registry
(`crmclean/codes.py`). A finding names a rule (`email.invalid`) and carries its code and
severity; stages: `read` (cells as first read), `normalize` (a value a normalizer changed or
could not use; `OV01` is the overrides file), `dedupe` (the matcher), `reject` (why a record
left for `rejects`; the gate's rejects name the failed expectation instead), `segment` (orders
the segment stage could not use), `audit` (the audit's own checks, with their quality
dimension).

Renamed when the codes became one registry: the audit's `contact.unreachable` was `CM01`
(which also meant `website.domain`) and is now `CT01`; the audit's `TM02` rule was
`date.future` (also the normalizers' `DT04`) and is now `record.future_date`. The reject
reasons got codes `RJ02`-`RJ05`.

This page is generated from the registry (see `tests/test_codes.py`).

"""


def render() -> str:
    lines = ["| code | rule | severity | stage | meaning |", "|---|---|---|---|---|"]
    lines += [
        f"| `{c.code}` | `{c.rule}` | {c.severity} | {c.stage} | {c.description} |" for c in CODES
    ]
    return INTRO + "\n".join(lines) + "\n"


def _literals() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "crmclean").rglob("*.py"):
        if path.name == "codes.py" and path.parent.name == "crmclean":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_codes_and_rules_are_unique() -> None:
    assert len({c.code for c in CODES}) == len(CODES)
    assert len({c.rule for c in CODES}) == len(CODES)
    assert all(CODE.fullmatch(c.code) and RULE.fullmatch(c.rule) for c in CODES)
    assert {c.severity for c in CODES} <= set(SEVERITY_RANK)
    assert all(c.description.endswith(".") for c in CODES)
    assert table().columns == ["code", "rule", "severity", "stage", "description", "dimension"]


def test_every_code_the_source_names_is_registered() -> None:
    codes = {c.code for c in CODES}
    named = {s for s in _literals() if CODE.fullmatch(s)}
    assert named - codes == set()


def test_every_rule_the_source_emits_is_registered() -> None:
    families = {c.rule.split(".")[0] for c in CODES}
    dotted = {s for s in _literals() if RULE.fullmatch(s) and not NOT_RULES.match(s)}
    emitted = {s for s in dotted if s.split(".")[0] in families}
    assert emitted - set(BY_RULE) == set()


def test_codes_md_lists_every_code() -> None:
    expected = render()
    if os.environ.get("CRMCLEAN_REGEN_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, "docs/codes.md is stale; regenerate it"
    assert all(f"`{c.code}`" in expected for c in CODES)
