from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.br import cnpj, cpf

from crmclean.normalize.ids.fast_path import fast_path
from crmclean.normalize.ids.tax_ids import check


def _fast(typed: str) -> tuple[str | None, str | None] | None:
    """What the fast path gives for one value, or None when it leaves it to the library."""
    fast = fast_path("t")
    cells = fast.prepared(pl.DataFrame({"t": [typed]}))
    if not cells.select(fast.when.fill_null(False)).item():
        return None
    return cells.select(v=fast.then["value"], r=fast.then["rule"]).row(0)


@pytest.mark.parametrize(
    ("typed", "result"),
    [
        ("529.982.247-25", ("529.982.247-25", None)),
        ("52998224725", ("529.982.247-25", "tax_id.formatted")),
        ("529.982.247-26", ("529.982.247-26", "tax_id.invalid")),
        ("111.111.111-11", (None, "tax_id.repeated_digits")),
        ("11222333000181", ("11.222.333/0001-81", "tax_id.formatted")),
        ("00000000000191", ("00.000.000/0001-91", "tax_id.formatted")),
    ],
)
def test_the_fast_path_takes_plain_ids(typed: str, result: tuple[str | None, str | None]) -> None:
    assert _fast(typed) == result == check(typed)


@pytest.mark.parametrize(
    "typed", ["12.ABC.345/01DE-35", "1234567890", "CPF 529.982.247-25", "000000000000191"]
)
def test_odd_shapes_go_to_the_library(typed: str) -> None:
    assert _fast(typed) is None


def _valid_ids() -> st.SearchStrategy[str]:
    """Valid CPFs and CNPJs built from random bodies, formatted or not."""
    cpfs = st.from_regex(r"[0-9]{9}", fullmatch=True).map(
        lambda body: body + cpf._calc_check_digits(body + "00")
    )
    cnpjs = st.from_regex(r"[0-9]{12}", fullmatch=True).map(
        lambda body: body + cnpj.calc_check_digits(body + "00")
    )
    return st.one_of(cpfs, cnpjs, cpfs.map(cpf.format), cnpjs.map(cnpj.format))


@settings(max_examples=150, deadline=None)
@given(_valid_ids() | st.from_regex(r"[0-9 ./-]{11,18}", fullmatch=True) | st.text(max_size=20))
def test_the_fast_path_agrees_with_stdnum_and_check_is_idempotent(typed: str) -> None:
    fast = _fast(typed)
    assert fast is None or fast == check(typed)
    value, _ = check(typed)
    if value is not None:
        assert check(value) == (value, None) or check(value)[1] == "tax_id.invalid"
