"""The polars twins of libraries, compared with the library exhaustively.

- The phonenumbers port (``normalize/phones/parse_port.py``) and the phone fast path
  (``normalize/phones/fast_path.py``): every example number phonenumbers ships, for every
  supported region and every number type, typed in national, international and E.164 format.
- The CPF/CNPJ check-digit fast path (``normalize/ids/fast_path.py``): a large seeded set of
  valid, mistyped, formatted, repeated and zero-stripped ids against python-stdnum.

The libraries' versions are pinned in pyproject.toml to the range these tests passed on.
"""

from __future__ import annotations

import random

import phonenumbers
import polars as pl
from phonenumbers import PhoneNumberFormat
from stdnum.br import cnpj, cpf
from test_normalize_phone_parse import library

from crmclean.normalize.ids.fast_path import fast_path as tax_id_fast_path
from crmclean.normalize.ids.tax_ids import check
from crmclean.normalize.phones import parse_port as port
from crmclean.normalize.phones.columns import parse_cell
from crmclean.normalize.phones.fast_path import fast_path as phone_fast_path

FORMATS = (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164)


def example_numbers() -> list[tuple[str, str]]:
    """``(typed text, region)`` for every example number of every region and type, in each
    format."""
    cases = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                cases += [(phonenumbers.format_number(example, f), region) for f in FORMATS]
    return sorted(set(cases))


EXAMPLES = example_numbers()


def test_every_example_number_is_many() -> None:
    assert len({region for _, region in EXAMPLES}) == len(phonenumbers.SUPPORTED_REGIONS)
    assert len(EXAMPLES) > 3_000  # 3,366 with phonenumbers 9.0.43


def test_the_port_agrees_with_the_library_on_every_example_number() -> None:
    rows = [
        (text.startswith("+"), "".join(c for c in text if c.isdigit()), region)
        for text, region in EXAMPLES
    ]
    schema = {port.PLUS: pl.Boolean, port.DIGITS: pl.String, port.REGION: pl.String}
    table = pl.DataFrame(rows, schema=schema, orient="row").with_row_index("i")
    analyzed = port.analyze(table).sort("i")
    wrong = []
    for row in analyzed.filter(port.SURE).iter_rows(named=True):
        expected = library(row[port.PLUS], row[port.DIGITS], row[port.REGION])
        if row[port.UNPARSEABLE]:
            if expected is not None:
                wrong.append((row[port.DIGITS], row[port.REGION], expected, None))
            continue
        valid = row[port.KIND] is not None
        problem = "local" if row[port.LOCAL] else row[port.NINTH]
        got = (row[port.CC], row[port.NATIONAL] if valid else None, row[port.KIND])
        if expected != (*got, None if valid else problem):
            wrong.append((row[port.DIGITS], row[port.REGION], expected, got))
    assert wrong == []
    assert analyzed[port.SURE].mean() > 0.9  # the port, not the library, answers most


def test_the_fast_path_agrees_with_the_library_on_every_example_number() -> None:
    fast = phone_fast_path("p", "r")
    cells = fast.prepared(pl.DataFrame(EXAMPLES, schema=["p", "r"], orient="row"))
    taken = cells.filter(fast.when.fill_null(False)).select("p", "r", **fast.then)
    wrong = [
        (text, where)
        for text, where, *part in taken.iter_rows()
        if [tuple(part)] != [tuple(p) for p in parse_cell(text, where)]
    ]
    assert wrong == []
    assert taken.height > len(EXAMPLES) / 2


def _check_digits(module: object, base: str) -> str:
    """stdnum's own check digits of ``base`` (cnpj names it publicly, cpf privately)."""
    calc = getattr(module, "calc_check_digits", None) or module._calc_check_digits  # type: ignore[attr-defined]
    return str(calc(base))


def tax_ids(count: int, seed: int = 13) -> list[str]:
    """Seeded CPFs and CNPJs as people type them: valid or with a wrong check digit, bare,
    formatted or with stray spaces, leading zeros kept or lost, some of one repeated digit."""
    rng = random.Random(seed)
    typed = []
    for _ in range(count):
        module, size = (cpf, 9) if rng.random() < 0.6 else (cnpj, 12)
        zeros = rng.choice([0, 0, 0, 1, 2, 3])
        base = "0" * zeros + "".join(rng.choice("0123456789") for _ in range(size - zeros))
        if rng.random() < 0.02:
            base = rng.choice("0123456789") * size
        number = base + _check_digits(module, base)
        if rng.random() < 0.3:
            last = str((int(number[-1]) + rng.randint(1, 9)) % 10)
            number = number[:-1] + last
        shape = rng.random()
        if shape < 0.3:
            number = module.format(number)
        elif shape < 0.4:
            number = number.lstrip("0") or "0"
        elif shape < 0.45:
            number = f" {number[:3]} {number[3:]} "
        typed.append(number)
    return typed


def test_the_tax_id_fast_path_agrees_with_stdnum_on_a_large_set() -> None:
    typed = list(dict.fromkeys(tax_ids(60_000)))
    fast = tax_id_fast_path("t")
    cells = fast.prepared(pl.DataFrame({"t": typed}))
    taken = cells.filter(fast.when.fill_null(False)).select("t", **fast.then)
    wrong = [(t, v, r) for t, v, r in taken.iter_rows() if check(t) != (v, r)]
    assert wrong == []
    assert taken.height > len(typed) / 2
    valid = [t for t, v, r in taken.iter_rows() if r != "tax_id.invalid" and v is not None]
    module_of = {11: cpf, 14: cnpj}
    digits = ["".join(c for c in t if c.isdigit()) for t in valid]
    assert all(module_of[len(d)].is_valid(d) for d in digits)
