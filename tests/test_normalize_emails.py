from __future__ import annotations

import polars as pl
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.distinct import INDEX, cell_parts
from crmclean.normalize.emails.columns import (
    PLAIN,
    fast_path,
    is_plain,
    normalize_emails,
    parse_cell,
)
from crmclean.normalize.values.multi_cells import PART_SCHEMA, Part


def values_and_rules(cell: str) -> tuple[list[str], list[str]]:
    parts = parse_cell(cell)
    values = list(dict.fromkeys(p.value for p in parts if p.value is not None))
    return values, [p.rule for p in parts if p.rule is not None]


@pytest.mark.parametrize(
    ("cell", "values", "rules"),
    [
        ("joao@example.com", ["joao@example.com"], []),
        ("Joao.Silva@Gmail.COM", ["joao.silva@gmail.com"], ["email.lowercased"]),
        ("a@b.com; c@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("a@b.com, c@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("a@b.com / c@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("a@b.com\nc@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("a@b.com e c@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("a@b.com ou c@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("a@b.com or c@d.com", ["a@b.com", "c@d.com"], ["email.split"]),
        ("A@B.COM; a@b.com", ["a@b.com"], ["email.lowercased", "email.split"]),
        ("joao@@x.com", [], ["email.invalid"]),
        ("joao@x..com", [], ["email.invalid"]),
        ("a..b@x.com", [], ["email.invalid"]),
        (".joao@x.com", [], ["email.invalid"]),
        ("joao@-x.com", [], ["email.invalid"]),
        ("joao@x", [], ["email.invalid"]),
        ("joao@intranet.local", [], ["email.invalid"]),
        ("joao gmail.com", [], ["email.invalid"]),
        ("n/a", [], ["email.invalid"]),
        ("sem e-mail", [], ["email.invalid"]),
        ("bad@; good@x.com", ["good@x.com"], ["email.invalid", "email.split"]),
        ("João Silva <JS@X.com>", ["js@x.com"], ["email.lowercased"]),
        ('"Silva, João" <js@x.com>; b@y.org', ["js@x.com", "b@y.org"], ["email.split"]),
        ("mailto:x@y.com", ["x@y.com"], ["email.normalized"]),
        ("(x@y.com)", ["x@y.com"], ["email.normalized"]),
        ("a@münchen.de", ["a@xn--mnchen-3ya.de"], ["email.normalized"]),
        ("joão@exemplo.com.br", ["joão@exemplo.com.br"], []),
        ("a@b.com;; ", ["a@b.com"], []),
    ],
)
def test_parse_cell(cell: str, values: list[str], rules: list[str]) -> None:
    assert values_and_rules(cell) == (values, rules)


def test_normalize_emails_primary_alternates_and_findings() -> None:
    cells = ["Joao.Silva@Gmail.COM; joao@work.com", "joao@@x.com", None, "a@b.com e A@B.com"]
    step = normalize_emails(frame(email=cells))
    gmail = "joao.silva@gmail.com"
    assert step.frame["email"].to_list() == [gmail, None, None, "a@b.com"]
    assert step.frame["email_alt"].to_list() == [["joao@work.com"], [], [], []]
    assert found(step.findings) == [
        ("1", "email", "EM03", "email.lowercased", "info", "Joao.Silva@Gmail.COM", gmail),
        ("1", "email", "EM05", "email.split", "info", cells[0], gmail),
        ("2", "email", "EM01", "email.invalid", "warning", "joao@@x.com", None),
        ("4", "email", "EM03", "email.lowercased", "info", "A@B.com", "a@b.com"),
        ("4", "email", "EM05", "email.split", "info", cells[3], "a@b.com"),
    ]


def test_normalizing_twice_keeps_alternates_and_finds_nothing() -> None:
    once = normalize_emails(frame(email=["a@x.com; b@x.com; c@x.com", "d@x.com"]))
    twice = normalize_emails(once.frame)
    assert twice.frame.equals(once.frame)
    assert twice.findings.is_empty()
    assert once.frame["email_alt"].to_list() == [["b@x.com", "c@x.com"], []]


REJECTED_BY_THE_LIBRARY = [
    "a..b@x.com",
    ".a@x.com",
    "a.@x.com",
    "a@-x.com",
    "a@x-.com",
    "a@x.local",
    "a@x.test",
    "a@mail.onion",
    "a@ab--cd.com",
    "a@xn--zz.com",
    f"a@{'x' * 64}.com",
    f"{'a' * 250}@x.com",
    "a@x.123",
]


@pytest.mark.parametrize("address", REJECTED_BY_THE_LIBRARY)
def test_fast_path_refuses_what_email_validator_refuses(address: str) -> None:
    with pytest.raises(EmailNotValidError):
        validate_email(address, check_deliverability=False)
    assert not plain([address])[0]


def plain(addresses: list[str]) -> list[bool]:
    table = pl.DataFrame({"e": addresses}, schema={"e": pl.String})
    return table.select(is_plain(pl.col("e")))["e"].to_list()


LOCAL = st.text(alphabet="abz09._%+-", max_size=12)
LABEL = st.text(alphabet="az09-", max_size=8) | st.integers(60, 66).map(lambda n: "a" * n)
DOMAIN = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
TLD = st.sampled_from(["com", "br", "c", "co", "local", "test", "onion", "arpa", "x1", "invalid"])
NEAR_EMAILS = st.builds(lambda local, domain, tld: f"{local}@{domain}.{tld}", LOCAL, DOMAIN, TLD)


ADDRESSES = NEAR_EMAILS | st.from_regex(PLAIN) | st.from_regex(r"[a-z0-9.@-]{1,30}")


@settings(max_examples=100, deadline=None)
@given(st.lists(ADDRESSES, max_size=15))
@example(["a-b@x.com", "a@b-c.com", "a@b.c0m", "x@" + "a" * 63 + ".com"])
def test_fast_path_never_accepts_what_email_validator_rejects(addresses: list[str]) -> None:
    for address, accepted in zip(addresses, plain(addresses), strict=True):
        if accepted:
            result = validate_email(address, check_deliverability=False)
            assert result.normalized == result.ascii_email == address


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aZ09._%+-@ ;", max_size=25) | NEAR_EMAILS, max_size=20))
def test_fast_path_gives_exactly_what_parse_cell_gives(cells: list[str]) -> None:
    path = fast_path("email")
    table = pl.DataFrame({"email": cells}, schema={"email": pl.String})
    fast = path.prepared(table).filter(path.when).with_columns(**path.then)
    for cell, value, rule, before, after in fast.select("email", *path.then).iter_rows():
        assert parse_cell(cell) == [Part(value, rule, before, after)]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_cell_never_raises_and_its_output_is_stable(cell: str) -> None:
    for part in parse_cell(cell):
        if part.value is None:
            continue
        # A cell kept as typed (EM08) stays as it is and keeps its error on every run.
        again = parse_cell(part.value)
        if part.rule == "email.ambiguous":
            assert [(p.value, p.rule) for p in again if p.value] == [(part.value, part.rule)]
        else:
            assert again == [Part(part.value)]


SEVERAL = st.lists(NEAR_EMAILS | st.from_regex(PLAIN), min_size=2, max_size=4).flatmap(
    lambda addresses: st.sampled_from(["; ", ",", " / ", " ", "|", ";;"]).map(
        lambda separator: separator.join(addresses)
    )
)


@settings(max_examples=100, deadline=None)
@given(st.lists(SEVERAL | NEAR_EMAILS | st.text(alphabet="aZ09.@ ;", max_size=25), max_size=20))
def test_cell_parts_with_the_fast_paths_give_what_parse_cell_gives(cells: list[str]) -> None:
    table = pl.DataFrame({"email": cells}, schema={"email": pl.String})
    parts = cell_parts(table, ["email"], parse_cell, PART_SCHEMA, fast_path("email"))
    several = parts.rest.group_by(INDEX, maintain_order=True).agg(pl.all())
    got = {index: list(zip(*rest, strict=True)) for index, *rest in several.iter_rows()}
    for index, (cell, head) in enumerate(zip(cells, parts.head.iter_rows(), strict=True)):
        expected = [tuple(part) for part in parse_cell(cell)]
        assert (got[index] if head[-1] else [head[:-1]] if head[0] or head[1] else []) == expected


INTL_LOCAL = st.text(alphabet="aZ9._-éÉçÇãßẞñÑüİıŁłœ÷×\u0301", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(lambda local, host: f"{local}@{host}", INTL_LOCAL, DOMAIN), max_size=20))
@example(["joão.silva@gmail.com", "JOÃO@X.COM", "ulla.heß92@x.biz", "İlker@x.com", "e\u0301@x.com"])
def test_the_fast_path_for_accented_local_parts_gives_what_parse_cell_gives(
    cells: list[str],
) -> None:
    path = fast_path("email")
    table = pl.DataFrame({"email": cells}, schema={"email": pl.String})
    fast = path.prepared(table).filter(path.when.fill_null(False)).with_columns(**path.then)
    for cell, value, rule, before, after in fast.select("email", *path.then).iter_rows():
        assert parse_cell(cell) == [Part(value, rule, before, after)]


def test_the_fast_path_takes_accented_local_parts() -> None:
    cells = [
        "joão.silva@gmail.com",
        "FÉLINE.ÉTIENNE93@DUNN.COM",
        "ulla.heß92@x.biz",
        "a@münchen.de",
    ]
    path = fast_path("email")
    taken = path.prepared(pl.DataFrame({"email": cells})).select(path.when)["email"].to_list()
    assert taken == [True, True, True, False]
