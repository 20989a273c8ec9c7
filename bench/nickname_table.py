"""The `en_list` section of rules/nicknames.yaml, from a public nickname list.

The source is the `names.csv` of carltonnorthern/nicknames (Apache-2.0; the `nicknames` package
on PyPI ships it: `pip download --no-deps nicknames==1.0.1`), rows `name1,has_nickname,name2`.
A short form is kept when it is unambiguous and not a given name of its own:

- both names plain letters, the short form shorter than the full name (the list also holds
  rows the other way round, "bill,has_nickname,william");
- exactly one full name has it (`al` is Albert, Alan, Alfred...: left out), or its full names
  are spellings of one name (Jaro-Winkler 0.88 or more between each two) and only one of them
  is a first name of Faker's English pools: that one (`jenn` is Jennifer, not Jennet; `drea`,
  Andre or Andrea, is left out);
- it is not a full name of the list itself, nor a given name in Faker's first-name pools of
  the locales crmclean serves, and of the US baby names of Faker's `en` (a typo of `millie`
  must still compare with `millie`, not `camille`);
- neither name is a generation marker of rules/match.yaml (`jr` is no short form of `junior`);
- no locale section of rules/nicknames.yaml has it (those are kept by hand and win).

    PYTHONPATH=$PWD python bench/nickname_table.py PATH/names.csv

prints the counts on stderr and the YAML mapping on stdout.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml
from rapidfuzz.distance import JaroWinkler

ENGLISH = ["en", "en_US", "en_GB", "en_IE", "en_NZ"]
LOCALES = [*ENGLISH, "pt_BR", "pt_PT", "es_ES", "es_MX", "de_DE", "it_IT", "fr_FR"]
_PLAIN = re.compile(r"^[a-z]+$")
SPELLINGS = 0.88


def given_names(locales: list[str]) -> set[str]:
    """Every first name of Faker's person providers for ``locales``, folded."""
    names: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in ("first_names", "first_names_female", "first_names_male"):
            names |= {_fold(name) for name in getattr(provider, attr, ())}
    return names


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def short_forms(
    rows: list[dict[str, str]], excluded: set[str], english: set[str]
) -> dict[str, str]:
    """Short form -> its full name, by the rules of the module docstring."""
    full_names = {row["name1"] for row in rows}
    fulls: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        full, short = row["name1"], row["name2"]
        if _PLAIN.match(full) and _PLAIN.match(short) and len(short) < len(full):
            fulls[short].add(full)
    table = {short: _one_name(names, english) for short, names in sorted(fulls.items())}
    return {
        short: full
        for short, full in table.items()
        if full and short not in full_names and short not in excluded
    }


def _one_name(names: set[str], english: set[str]) -> str | None:
    """The one full name, or the only common one of spellings of one name; else None."""
    if len(names) == 1:
        return next(iter(names))
    spellings = all(JaroWinkler.similarity(a, b) >= SPELLINGS for a in names for b in names)
    common = names & english
    return next(iter(common)) if spellings and len(common) == 1 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names_csv", type=Path)
    args = parser.parse_args()
    with args.names_csv.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["relationship"] == "has_nickname"]
    markers = set(yaml.safe_load(Path("rules/match.yaml").read_text())["name_suffixes"])
    rows = [row for row in rows if not {row["name1"], row["name2"]} & markers]
    tables = yaml.safe_load(Path("rules/nicknames.yaml").read_text())
    kept = {short for name, table in tables.items() if name != "en_list" for short in table}
    table = short_forms(rows, given_names(LOCALES) | kept, given_names(ENGLISH))
    print(f"{len(rows)} rows -> {len(table)} short forms", file=sys.stderr)
    for short, full in table.items():
        print(f"  {short}: {full}")


if __name__ == "__main__":
    main()
