"""The phone fast path: numbers typed in a plain shape, parsed and checked in polars by
:mod:`~crmclean.normalize.phones.parse_port` instead of one library call each.

A cell of digits and ``+ ( ) . -`` spaces (optionally ending in an extension such as
``ramal 23``), or an Excel number without spaces (``5.511987654321E12``), gets exactly what
:func:`~crmclean.normalize.phones.one_number.to_e164` would give: the E.164 number and its
kind, or the rule saying why not (no area code, a missing 9th digit, invalid, digits lost by
Excel, no calling code). A North American number typed without ``+`` where area codes have two
digits is answered invalid without parsing. Cells with letters, several numbers or an answer
the port is not sure of go to the library; property tests check the two always agree.
"""

from __future__ import annotations

from functools import partial

import polars as pl

from crmclean.normalize.distinct import FastPath
from crmclean.normalize.phones import parse_port as port
from crmclean.normalize.phones.one_number import EXTENSION, NANP_SHAPE, TWO_DIGIT_AREAS

SHAPE = r"^\+?[0-9 ().-]{6,25}$"
_PUNCTUATION = ["+", " ", "(", ")", ".", "-"]  # all a SHAPE cell holds besides digits
EXCEL = r"^([0-9])[.,]([0-9]+)[eE]\+?([0-9]{1,2})$"  # no spaces: spaced ones may be split
_BODY, _EXT, _EXCEL, _ROW, _QUERY = "__body", "__ext", "__excel", "__row", "__query"
_SHAPED = "__excel_shaped"  # the cell matches EXCEL (found once, by :func:`_texts`)
_TYPED, _AS_PLUS, _AS_DIGITS = 0, 1, 2  # the typed number, Excel digits with "+", without
_VALUE, _KIND, _SURE, _NONE = "__value", "__kind_", "__sure_", "__unparseable_"
_FOREIGN, _PLAIN = "__foreign", "__plain"


def _plain(body: pl.Expr) -> pl.Expr:
    """A cell (without its extension) typed in the plain shape, not as an Excel number."""
    return body.str.contains(SHAPE) & pl.col(_EXCEL).is_null()


def _foreign(body: pl.Expr, region: str) -> pl.Expr:
    """A plain (``__plain``) North American number typed without "+" under two-digit area
    codes: invalid whatever its digits (``to_e164`` says so once it parses, and such a shape
    always parses), so it is answered without parsing."""
    return (
        pl.col(region).is_in(list(TWO_DIGIT_AREAS))
        & ~body.str.starts_with("+")
        & pl.col(_PLAIN)
        & body.str.contains(NANP_SHAPE)
    )


def _queries(cells: pl.DataFrame, region: str) -> pl.DataFrame:
    """The numbers to parse: each plain cell's but the :func:`_foreign` ones (``cells`` says
    which in columns), and both readings of each Excel cell."""
    body, excel = pl.col(_BODY), pl.col(_EXCEL)
    typed = cells.filter(pl.col(_PLAIN) & ~pl.col(_FOREIGN)).select(
        _ROW,
        pl.lit(_TYPED).alias(_QUERY),
        body.str.starts_with("+").alias(port.PLUS),
        body.str.replace_many(_PUNCTUATION, [""] * len(_PUNCTUATION)).alias(port.DIGITS),
        pl.col(region).alias(port.REGION),
    )
    damaged = cells.filter(excel.is_not_null())
    readings = [
        damaged.select(
            _ROW,
            pl.lit(query).alias(_QUERY),
            pl.lit(query == _AS_PLUS).alias(port.PLUS),
            excel.alias(port.DIGITS),
            pl.col(region).alias(port.REGION),
        )
        for query in (_AS_PLUS, _AS_DIGITS)
    ]
    return pl.concat([typed, *readings])


def _answers(cells: pl.DataFrame, region: str) -> pl.DataFrame:
    """``cells`` plus, for each query, whether the port is sure, the E.164 value and kind."""
    plain = _plain(pl.col(_BODY)).alias(_PLAIN)  # a column: the two tests below read it
    foreign = _foreign(pl.col(_BODY), region).fill_null(False).alias(_FOREIGN)
    indexed = cells.with_row_index(_ROW).with_columns(plain).with_columns(foreign)
    answers = port.analyze(_queries(indexed, region))
    valid = pl.col(port.SURE) & pl.col(port.KIND).is_not_null()
    for query in (_TYPED, _AS_PLUS, _AS_DIGITS):
        found = answers.filter(pl.col(_QUERY) == query).select(
            _ROW,
            pl.col(port.SURE).alias(_col_name(_SURE, query)),
            pl.col(port.UNPARSEABLE).alias(_col_name(_NONE, query)),
            pl.when(valid)
            .then("+" + pl.col(port.CC) + pl.col(port.NATIONAL))
            .alias(_col_name(_VALUE, query)),
            pl.col(port.KIND).alias(_col_name(_KIND, query)),
            pl.col(port.LOCAL).alias(_col_name(port.LOCAL, query)),
            pl.col(port.NINTH).alias(_col_name(port.NINTH, query)),
        )
        indexed = indexed.with_columns(_placed(found, indexed.height))
    return indexed.drop(_ROW, _PLAIN)


def _placed(found: pl.DataFrame, height: int) -> list[pl.Series]:
    """The columns of ``found`` (one row per ``__row``) at their rows of a frame of
    ``height`` rows, null elsewhere (a left join on the row number, without hashing)."""
    rows = found[_ROW]
    return [
        pl.repeat(None, height, dtype=found[name].dtype, eager=True)
        .alias(name)
        .scatter(rows, found[name])
        for name in found.columns
        if name != _ROW
    ]


def _col_name(name: str, query: int) -> str:
    return f"{name}_{query}"


def _texts(cells: pl.DataFrame, field: str) -> pl.DataFrame:
    """``cells`` plus the typed extension and the text without it, whether the cell is typed
    as an Excel number, and the digits of one when its mantissa holds them all (capture
    groups only on the cells that match)."""
    cell = pl.col(field)
    ext_pattern = "(?i)" + EXTENSION.pattern
    found = cells.with_columns(
        pl.lit(None, pl.String).alias(_EXT),
        cell.alias(_BODY),
        pl.lit(None, pl.String).alias(_EXCEL),
        cell.str.contains(EXCEL).fill_null(False).alias(_SHAPED),
    )
    extended = found.select(cell.str.contains(ext_pattern).fill_null(False).arg_true()).to_series()
    excel = found.select(pl.col(_SHAPED).arg_true()).to_series()
    if len(extended):
        typed = (
            found[field]
            .gather(extended)
            .to_frame()
            .select(
                cell.str.extract(ext_pattern, 1).alias(_EXT),
                cell.str.replace(ext_pattern, "").alias(_BODY),
            )
        )
        found = found.with_columns(
            found[name].clone().scatter(extended, typed[name]) for name in (_EXT, _BODY)
        )
    if len(excel):
        groups = [cell.str.extract(EXCEL, group) for group in (1, 2, 3)]
        whole = pl.when(groups[1].str.len_chars() == groups[2].cast(pl.UInt32))
        digits = found[field].gather(excel).to_frame().select(whole.then(groups[0] + groups[1]))
        found = found.with_columns(found[_EXCEL].clone().scatter(excel, digits.to_series()))
    return found


def _col(name: str, query: int) -> pl.Expr:
    return pl.col(_col_name(name, query))


_RULES = (
    "phone.unparseable",
    "phone.ninth_digit_added",
    "phone.extension_kept",
    "phone.formatted_e164",
    "phone.missing_area_code",
    "phone.missing_ninth_digit",
    "phone.invalid",
)
_RULE_NAMES = pl.Series(_RULES, dtype=pl.String)


def _code(rule: str) -> pl.Expr:
    return pl.lit(_RULES.index(rule), pl.UInt32)


def fast_path(field: str, region_column: str, ninth: bool = True) -> FastPath:
    """Plain-shaped and Excel cells: what
    :func:`~crmclean.normalize.phones.one_number.to_e164` gives (``ninth``: an old Brazilian
    mobile gets its 9). Two numbers joined by a spaced dash go to the library path, which
    splits them."""
    cell = pl.col(field)
    sure, parsed = _col(_SURE, _TYPED).fill_null(False), _col(_VALUE, _TYPED)
    ext = pl.col(_EXT)
    foreign = pl.col(_FOREIGN)  # found once by :func:`_answers`
    # A foreign cell is no query (:func:`_queries`): its port answers are all null.
    nine, local = _col(port.NINTH, _TYPED), _col(port.LOCAL, _TYPED).fill_null(False)
    added = parsed.is_null() & ~local & nine.is_not_null() & pl.lit(ninth)
    value = pl.coalesce(parsed, pl.when(added).then(nine))
    # The rule as its place in _RULES (a chain of numbers costs a fraction of one of texts),
    # named once at the end.
    code = (
        pl.when(_col(_NONE, _TYPED).fill_null(False))
        .then(_code("phone.unparseable"))
        .when(added)
        .then(_code("phone.ninth_digit_added"))
        .when(value.is_not_null() & ext.is_not_null())
        .then(_code("phone.extension_kept"))
        .when(value.is_not_null() & (value != cell))
        .then(_code("phone.formatted_e164"))
        .when(value.is_not_null())
        .then(pl.lit(None, pl.UInt32))
        .when(local)
        .then(_code("phone.missing_area_code"))
        .when(nine.is_not_null())
        .then(_code("phone.missing_ninth_digit"))
        .otherwise(_code("phone.invalid"))
    )
    # an added 9 is the value, and so is no extension; without a value, the number with its 9
    extended = value.is_not_null() & ext.is_not_null() & ~added
    after = (
        pl.when(extended)
        .then(pl.format("{} ext. {}", value, ext))
        .otherwise(pl.coalesce(value, pl.when(~local).then(nine)))
    )
    typed = {
        "value": value,
        "rule": pl.lit(_RULE_NAMES).gather(code),
        "before": pl.when(code.is_not_null()).then(cell),
        "after": pl.when(code.is_not_null()).then(after),
        "kind": pl.when(added).then(pl.lit("mobile")).otherwise(_col(_KIND, _TYPED)),
        "extension": pl.when(parsed.is_not_null()).then(ext),
    }
    excel_when, excel = _excel(cell)
    return FastPath(
        prepare=(partial(_texts, field=field), partial(_answers, region=region_column)),
        when=~cell.str.contains(r"^\s|\s$|\s[-–]\s") & (sure | foreign | excel_when),
        then={
            name: pl.when(sure | foreign)
            .then(expr)
            .otherwise(excel.get(name, pl.lit(None, pl.String)))
            for name, expr in typed.items()
        },
    )


def _excel(cell: pl.Expr) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """When an Excel cell is decided, and its part: recovered from the first valid reading
    (with "+", then without), or damaged (lost digits, or no reading valid)."""
    lost = pl.col(_SHAPED) & pl.col(_EXCEL).is_null()
    plus_sure, plain_sure = _col(_SURE, _AS_PLUS), _col(_SURE, _AS_DIGITS)
    plus, plain = _col(_VALUE, _AS_PLUS), _col(_VALUE, _AS_DIGITS)
    decided = lost | (plus_sure & (plus.is_not_null() | plain_sure)).fill_null(False)
    value = pl.when(~lost).then(pl.coalesce(plus, plain))
    kind = (
        pl.when(plus.is_not_null()).then(_col(_KIND, _AS_PLUS)).otherwise(_col(_KIND, _AS_DIGITS))
    )
    rule = pl.when(value.is_not_null()).then(pl.lit("phone.excel_recovered"))
    return decided, {
        "value": value,
        "rule": rule.otherwise(pl.lit("phone.excel_damaged")),
        "before": cell,
        "after": value,
        "kind": pl.when(value.is_not_null()).then(kind),
    }
