from __future__ import annotations

import polars as pl
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from normalize_support import found, frame

from crmclean.normalize.names import fast_path as name_fast
from crmclean.normalize.names.columns import normalize_names, titled
from crmclean.normalize.names.split import FullName, parse_full, take_honorific, take_suffix
from crmclean.normalize.names.vocabulary import NameRules, kept_as_typed, recase
from crmclean.rules import Rules


@pytest.fixture(scope="module")
def vocab() -> NameRules:
    return NameRules.load(Rules())


@pytest.mark.parametrize(
    ("typed", "cased"),
    [
        ("JOÃO DA SILVA", "João da Silva"),
        ("NEVILLE FITZROY, 3RD EARL OF YORK", "Neville Fitzroy, 3rd Earl of York"),
        ("maria das graças", "Maria das Graças"),
        ("JOSÉ DOS SANTOS E SOUZA", "José dos Santos e Souza"),
        ("O'BRIEN", "O'Brien"),
        ("o’neill", "O’Neill"),
        ("MCDONALD", "McDonald"),
        ("D'ÁVILA", "D'Ávila"),
        ("ANA-MARIA", "Ana-Maria"),
        ("DA SILVA", "Da Silva"),
        ("LUDWIG VAN BEETHOVEN", "Ludwig van Beethoven"),
        ("VAN DER BERG", "Van der Berg"),
        ("GABRIEL GARCÍA Y MÁRQUEZ", "Gabriel García y Márquez"),
        ("macdonald", "MacDonald"),
        ("MACHADO", "Machado"),
        ("JOHN SMITH III", "John Smith III"),
        ("ÇAĞLAR ÖZTÜRK", "Çağlar Öztürk"),
        ("joão Silva", "João Silva"),
        ("Tatiane De Freitas", "Tatiane de Freitas"),
        ("mARIANA cASTRO", "Mariana Castro"),
        ("Ana SILVA", "Ana Silva"),
        ("da Silva", "da Silva"),
        ("McDONALD", "McDONALD"),  # mixed case: kept as typed
        ("DeLorean", "DeLorean"),
        ("J. R. R.", "J. R. R."),
    ],
)
def test_recase(vocab: NameRules, typed: str, cased: str) -> None:
    assert recase(typed, vocab) == cased


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("Maria da Silva Santos", (None, "Maria", None, "da Silva Santos", None)),
        ("Silva, João", (None, "João", None, "Silva", None)),
        ("da Silva, Maria José", (None, "Maria José", None, "da Silva", None)),
        ("SILVA, JOÃO", (None, "João", None, "Silva", None)),
        ("Dr. Carlos de Souza", ("Dr.", "Carlos", None, "de Souza", None)),
        ("Sra Ana Lima", ("Sra.", "Ana", None, "Lima", None)),
        ("Madonna", (None, "Madonna", None, None, None)),
        ("joão Silva", (None, "João", None, "Silva", None)),
        ("Dr.", (None, "Dr.", None, None, None)),
        ("O'Brien Jr., Patrick", (None, "Patrick", None, "O'Brien", "Jr.")),
        ("Goldman, Sachs & Co.", (None, "Goldman,", "Sachs", "& Co.", None)),
        ("João Carlos da Silva Santos", (None, "João Carlos", None, "da Silva Santos", None)),
        ("Juan Pablo de la Cruz García", (None, "Juan Pablo", None, "de la Cruz García", None)),
        ("João Silva Carlos Santos", (None, "João", "Silva", "Carlos Santos", None)),
        ("Pedro Alves Neto", (None, "Pedro", None, "Alves", "Neto")),
        ("Prof. Dr. Luiz Souza Filho", ("Prof. Dr.", "Luiz", None, "Souza", "Filho")),
        ("Dña. María López García", ("Doña", "María", None, "López García", None)),
        ("Dna. Camila Esteban", ("Doña", "Camila", None, "Esteban", None)),
        ("Herr Dr. Jörg Schmidt", ("Herr Dr.", "Jörg", None, "Schmidt", None)),
        ("Fr. Dragica Jäkel", ("Frau", "Dragica", None, "Jäkel", None)),
        ("Mtra. Sessa Quesada Luévano", ("Mtra.", "Sessa", None, "Quesada Luévano", None)),
        ("Trude Herr", (None, "Trude", None, "Herr", None)),
        ("Anne Chatley, 1st Baron Hull", (None, "Anne", None, "Chatley", None)),
        ("Sir Roger Penham, 3rd Earl of York", ("Sir", "Roger", None, "Penham", None)),
        ("Hastings, of Durham", (None, "Hastings", None, None, None)),
        ("Smith, Earl", (None, "Earl", None, "Smith", None)),
    ],
)
def test_parse_full(vocab: NameRules, full: str, parts: tuple[str | None, ...]) -> None:
    parsed = parse_full(full, vocab)
    assert (parsed.honorific, parsed.first, parsed.middle, parsed.last, parsed.suffix) == parts


@pytest.mark.parametrize(
    ("full", "display", "rule"),
    [
        ("Silva, João", "João Silva", "name.reordered"),
        ("O'Brien Jr., Patrick", "Patrick O'Brien Jr.", "name.reordered"),
        ("Dra. Ana Lima", "Ana Lima", "name.honorific_moved"),
        ("Ana Lima Filho", "Ana Lima Filho", None),
        ("Sir Rui Lee, 1st Baron Hull", "Rui Lee, 1st Baron Hull", "name.honorific_moved"),
    ],
)
def test_parse_full_display(vocab: NameRules, full: str, display: str, rule: str | None) -> None:
    parsed: FullName = parse_full(full, vocab)
    assert (parsed.full, parsed.rule) == (display, rule)


def test_normalize_names_recases_splits_and_fills(rules: Rules) -> None:
    data = frame(
        full_name=["JOÃO DA SILVA", "Silva, João", None, "Ana Lima", None],
        first_name=[None, None, "O'BRIEN", "Ana", None],
        middle_name=[None, None, "PAUL", None, None],
        last_name=[None, None, "MCDONALD", None, None],
    )
    step = normalize_names(data, rules)
    assert step.frame.select("full_name", "first_name", "middle_name", "last_name").rows() == [
        ("João da Silva", "João", None, "da Silva"),
        ("João Silva", "João", None, "Silva"),
        ("O'Brien Paul McDonald", "O'Brien", "Paul", "McDonald"),
        ("Ana Lima", "Ana", None, None),
        (None, None, None, None),
    ]
    assert found(step.findings) == [
        ("1", "first_name", "NM02", "name.split_full_name", "info", "João da Silva", "João"),
        ("1", "full_name", "NM01", "name.recased", "info", "JOÃO DA SILVA", "João da Silva"),
        ("1", "last_name", "NM02", "name.split_full_name", "info", "João da Silva", "da Silva"),
        ("2", "first_name", "NM02", "name.split_full_name", "info", "Silva, João", "João"),
        ("2", "full_name", "NM04", "name.reordered", "info", "Silva, João", "João Silva"),
        ("2", "last_name", "NM02", "name.split_full_name", "info", "Silva, João", "Silva"),
        ("3", "first_name", "NM01", "name.recased", "info", "O'BRIEN", "O'Brien"),
        ("3", "full_name", "NM03", "name.filled_full_name", "info", None, "O'Brien Paul McDonald"),
        ("3", "last_name", "NM01", "name.recased", "info", "MCDONALD", "McDonald"),
        ("3", "middle_name", "NM01", "name.recased", "info", "PAUL", "Paul"),
    ]


@pytest.mark.parametrize(
    ("first", "last", "full"),
    [
        ("Carl", "Da Costa", "Carl da Costa"),  # a particle after the given name: lower case
        (None, "DA", "Da"),  # a lone particle: lower case as a surname, capital as a name
    ],
)
def test_a_built_full_name_is_recased_as_a_whole(
    rules: Rules, first: str | None, last: str, full: str
) -> None:
    """Joining recased parts does not give a recased name: the built name is recased again."""
    data = frame(full_name=[None], first_name=[first], middle_name=[None], last_name=[last])
    assert normalize_names(data, rules).frame["full_name"].to_list() == [full]


NAME_COLUMNS = ("full_name", "first_name", "last_name")
NAMES = st.text(alphabet=st.sampled_from("aeiouãéçAEIOUÃÉÇ'’-. ,dDsSmMcC"), max_size=25)


@settings(max_examples=200, deadline=None)
@given(NAMES | st.text(max_size=25))
@example("p §2ØÒª")  # found by the stage's property: ª is lower case but has no capital
@example("p NUNESª")
def test_recase_is_idempotent_and_never_raises(vocab: NameRules, name: str) -> None:
    once = recase(name, vocab)
    assert recase(once, vocab) == once
    parse_full(name, vocab)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES, NAMES), min_size=1, max_size=8))
def test_normalize_names_twice_changes_nothing(
    rules: Rules, rows: list[tuple[str, str, str]]
) -> None:
    columns = {
        name: [value.strip() or None for value in values]
        for name, values in zip(NAME_COLUMNS, zip(*rows, strict=True), strict=True)
    }
    data = frame(**columns, middle_name=[None] * len(rows)).with_columns(
        pl.col(name).str.replace_all(r"\s+", " ") for name in columns
    )
    once = normalize_names(data, rules)
    twice = normalize_names(once.frame, rules)
    assert twice.frame.equals(once.frame)
    assert twice.findings.is_empty()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=20))
def test_the_mixed_case_test_agrees_with_recase(values: list[str]) -> None:
    vocab = NameRules.load(Rules())
    kept = pl.DataFrame({"v": values}, schema={"v": pl.String}).select(kept_as_typed(pl.col("v")))
    for value, as_typed in zip(values, kept["v"], strict=True):
        if as_typed:
            assert recase(value, vocab) == value


NAME_WORDS = (
    st.sampled_from(
        ["Ana", "ana", "LIMA", "Souza", "da", "de", "la", "Dos", "e", "Dr.", "Filho", "Maria"]
    )
    | st.sampled_from(["Eduarda", "J.", "O'Brien", "a|b", "DA"])
    | st.text(alphabet="aZé ,.|\u00a0\x1c", min_size=1, max_size=6)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(NAME_WORDS, min_size=1, max_size=6).map(" ".join), max_size=20))
def test_the_full_name_fast_path_splits_as_parse_full(names: list[str]) -> None:
    vocab = NameRules.load(Rules())
    fast = name_fast.fast_path("n", vocab)
    table = fast.prepared(pl.DataFrame({"n": names}, schema={"n": pl.String}))
    taken = table.filter(fast.when.fill_null(False)).select("n", **fast.then)
    for name, *parts in taken.iter_rows():
        assert tuple(parts) == tuple(parse_full(name, vocab))


TAG_WORDS = NAME_WORDS | st.sampled_from(["DRA.", "sr", "Jr.", "NETO,", "İ", "Herr", "ſr"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TAG_WORDS, min_size=1, max_size=4).map(" ".join), max_size=20))
def test_the_title_and_suffix_fast_paths_agree_with_python(names: list[str]) -> None:
    """A value either fast path takes is one the Python function leaves whole, untagged."""
    vocab = NameRules.load(Rules())
    table = pl.DataFrame({"n": names}, schema={"n": pl.String})
    for fast, func in (
        (name_fast.untitled("n", vocab), take_honorific),
        (name_fast.unsuffixed("n", vocab), take_suffix),
    ):
        for (name,) in table.filter(fast.when.fill_null(False)).iter_rows():
            assert func(name, vocab) == (None, name)


def test_the_title_and_suffix_fast_paths_leave_tags_to_python() -> None:
    vocab = NameRules.load(Rules())
    names = pl.DataFrame({"n": ["Dra. Ana", "Ana", "Silva Filho", "Ana Lima", "DR"]})
    assert names.select(name_fast.untitled("n", vocab).when)["n"].to_list() == [
        False,
        True,
        True,
        True,
        True,
    ]
    assert names.select(name_fast.unsuffixed("n", vocab).when)["n"].to_list() == [
        True,
        True,
        False,
        True,
        True,
    ]


def test_the_full_name_fast_path_takes_plain_names() -> None:
    vocab = NameRules.load(Rules())
    fast = name_fast.fast_path("n", vocab)
    names = [
        "Ana Lima Souza",
        "Carlos Pereira",
        "Maria Eduarda Santos",
        "João da Silva",
        "ANA LIMA",
    ]
    table = fast.prepared(pl.DataFrame({"n": names}))
    assert table.select(fast.when)["n"].to_list() == [True, True, False, True, False]


HONOURS = st.sampled_from(["1st Baron Hull", "of Durham", "Viscount Lisle", "3rd Earl of York"])


@given(st.lists(NAME_WORDS, min_size=1, max_size=5).map(" ".join), HONOURS)
def test_an_honour_after_the_name_changes_no_part(name: str, honour: str) -> None:
    """A name without a comma of its own (and a word) splits the same with an honour after it."""
    assume("," not in name and name.strip())
    vocab = NameRules.load(Rules())
    alone, honoured = parse_full(name, vocab), parse_full(f"{name}, {honour}", vocab)
    assert honoured == alone._replace(full=f"{alone.full}, {honour}")


_TITLE_HEADS = st.builds(
    lambda title, flips, tail, rest: (
        "".join(c.upper() if flip else c for c, flip in zip(title, flips, strict=False))
        + title[len(flips) :]
        + tail
        + rest
    ),
    st.sampled_from(sorted(NameRules.load(Rules()).titles)),
    st.lists(st.booleans(), max_size=12),
    st.sampled_from(["", ".", ",", ".,", "x", "-", "\t"]),
    st.sampled_from(["", " Ana", " Lima Souza", "Ana"]),
)


@settings(max_examples=300)
@given(value=st.one_of(_TITLE_HEADS, st.text(max_size=12)))
@example(value="ſr Ana")
def test_the_title_pattern_misses_no_titled_name(value: str, vocab: NameRules) -> None:
    """Every name whose first word's key is a title matches the one-pass pattern (it may
    match a few more, which are then parsed to no effect)."""
    table = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    key = name_fast.word_key(pl.col("v").str.extract(r"^([^ ]*)", 1)).is_in(list(vocab.titles))
    keyed, matched = table.select(key.alias("k"), pl.col("v").str.contains(titled(vocab.titles)))
    assert not keyed.item() or matched.item()


def test_full_names_left_unparsed_come_out_as_if_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full names with a first or last name, no comma and no leading title are not parsed
    (the names _fill builds): the frame and findings are those of parsing every one."""
    from crmclean.normalize.names import columns

    rows = [
        ("Ana", None, "Lima", None),
        ("JOÃO", "pedro", "DA SILVA", None),
        ("Dr.", None, "Souza", None),
        ("Maria", None, "Eduarda Santos", None),
        (None, None, None, "Silva, João"),
        ("João", None, "Silva", "SILVA, JOÃO"),
        ("Ana", None, "Lima", "Dra. Ana Lima"),
        ("Ana", None, "Lima", "Ana Lima, 1st Baroness Lima"),
        ("Carlos", None, "Souza Neto", "carlos souza neto"),
        (None, "José", None, None),
        (None, None, None, "Pedro Álvares Cabral"),
    ]
    first, middle, last, full = (list(column) for column in zip(*rows, strict=True))
    typed = frame(first_name=first, middle_name=middle, last_name=last, full_name=full)
    rules = Rules()
    lazy = normalize_names(typed, rules)
    monkeypatch.setattr(columns, "_parsed", lambda vocab: pl.lit(True))
    eager = normalize_names(typed, rules)
    assert lazy.frame.equals(eager.frame)
    assert found(lazy.findings) == found(eager.findings)


_CELLS = st.none() | st.just("") | st.lists(TAG_WORDS, min_size=1, max_size=4).map(" ".join)
_NAME_ROWS = st.lists(st.tuples(_CELLS, _CELLS, _CELLS, _CELLS, _CELLS), min_size=1, max_size=12)


def _name_frame(rows: list[tuple[str | None, ...]]) -> pl.DataFrame:
    fields = ("first_name", "middle_name", "last_name", "full_name", "name_suffix")
    columns = dict(zip(fields, (list(column) for column in zip(*rows, strict=True)), strict=True))
    return frame(**columns, honorific=[None] * len(rows))


@settings(max_examples=200, deadline=None)
@given(_NAME_ROWS)
def test_parts_on_the_rows_it_may_change_equal_parts_on_all(
    vocab: NameRules, rows: list[tuple[str | None, ...]]
) -> None:
    """Working only the rows ``_parts`` may change gives the frame and findings of working
    every row."""
    from crmclean.normalize.names import columns

    typed = _name_frame(rows)
    some, every = columns._parts(typed, vocab), columns._parts_of(typed, vocab)
    assert some.frame.equals(every.frame)
    assert some.findings.equals(every.findings)


@settings(max_examples=200, deadline=None)
@given(_NAME_ROWS)
def test_the_full_name_is_filled_as_the_parts_joined(
    vocab: NameRules, rows: list[tuple[str | None, ...]]
) -> None:
    """An empty full name becomes the present parts and suffix joined by spaces, unless the
    parts alone join to nothing."""
    from crmclean.normalize.names import columns

    def joined(*parts: str | None) -> str:
        return " ".join(part for part in parts if part is not None)

    filled = columns._fill(_name_frame(rows), vocab).frame["full_name"].to_list()
    expected = [
        full if full is not None else (joined(f, m, s, x) if joined(f, m, s) else None)
        for f, m, s, full, x in rows
    ]
    assert filled == expected
