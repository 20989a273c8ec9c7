"""Character differences of the pair view: nothing lost, equal runs equal on both sides."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crmclean.review.evidence import char_diff

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@given(TEXT, TEXT)
def test_the_runs_rebuild_both_values_and_agree_where_equal(a: str, b: str) -> None:
    left, right = char_diff(a, b)
    assert "".join(text for text, _ in left) == a
    assert "".join(text for text, _ in right) == b
    same_left = "".join(text for text, differs in left if not differs)
    same_right = "".join(text for text, differs in right if not differs)
    assert same_left == same_right
    assert all(text for text, _ in left + right)


@given(TEXT)
def test_a_value_compared_with_itself_has_no_difference(a: str) -> None:
    left, right = char_diff(a, a)
    assert left == right == ([(a, False)] if a else [])


def test_an_accent_is_the_one_difference() -> None:
    assert char_diff("Belem", "Belém") == (
        [("Bel", False), ("e", True), ("m", False)],
        [("Bel", False), ("é", True), ("m", False)],
    )
