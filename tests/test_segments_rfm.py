"""RFM scores on a small order set computed by hand, orders read from Salesforce-, HubSpot-
and Pipedrive-shaped files, linked by the crosswalk or the e-mail, and nothing dropped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmclean.errors import UserError
from crmclean.segments import OrderSource, segment_golden
from crmclean.segments.link import link_orders
from crmclean.segments.orders import parse_amount, parse_amounts, parse_date, read_orders

AS_OF = date(2025, 1, 31)
GOLDEN = pl.DataFrame(
    {
        "golden_id": ["g1", "g2", "g3", "g4", "g5", "g6"],
        "email": ["a@x.com", "b@x.com", None, "d@x.com", None, None],
        "email_alt": [[], [], ["c@x.com"], [], [], []],
        "lifecycle_stage": ["customer", "lead", None, None, "customer", None],
        "last_activity_at": [None, None, None, None, "2024-07-31T09:00:00", None],
    }
)
LINEAGE = pl.DataFrame(
    {
        "golden_id": ["g1", "g2", "g3", "g3", "g4"],
        "_source": ["crm", "crm", "crm", "sheet", "sheet"],
        "_source_id": ["001", "002", "003", "001", "7"],
    }
)
# Salesforce Opportunities: ContactId is the id in source "crm" (001 is also a "sheet" id).
SALESFORCE = """Id,ContactId,CloseDate,Amount,StageName
o1,001,2025-01-30,100.00,Closed Won
o2,001,2025-01-10,200.00,Closed Won
o3,001,2024-12-01,300.00,Closed Won
o4,002,2025-01-20,50.00,Closed Won
o5,003,2024-10-01,"1,000.00",Closed Won
o6,001,2025-01-29,999.00,Closed Lost
o7,999,2025-01-29,5.00,Closed Won
"""
# HubSpot deals: linked by e-mail (primary or alternate, any case).
HUBSPOT = """Record ID,Email,Close Date,Amount,Deal Stage
h1,C@X.COM,01/09/2024,"1.000,00",closedwon
h2,d@x.com,31/12/2023,"R$ 10,00",closedwon
h3,nobody@x.com,31/12/2023,10,closedwon
h4,,31/12/2023,10,closedwon
h5,d@x.com,not a date,10,closedwon
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def segmented(tmp_path, rules):
    orders = [
        OrderSource(_write(tmp_path, "opportunities.csv", SALESFORCE), customer_source="crm"),
        OrderSource(_write(tmp_path, "deals.csv", HUBSPOT)),
    ]
    return segment_golden(GOLDEN, rules, lineage=LINEAGE, orders=orders, as_of=AS_OF)


def test_rfm_scores_match_the_hand_computed_ones(segmented) -> None:
    """By hand (5 scored contacts, score = 1 + floor(5 * (min rank - 1) / 5)):
    g1 3 orders 600, 1 day; g2 1 order 50, 11 days; g3 2 orders 2000, 122 days;
    g4 1 order 10, 397 days; g5 no order, last activity 184 days ago; g6 nothing."""
    got = segmented.assignments.sort("golden_id")
    assert got["orders"].to_list() == [3, 1, 2, 1, 0, 0]
    assert got["revenue"].to_list() == [600.0, 50.0, 2000.0, 10.0, 0.0, 0.0]
    assert got["r"].to_list() == [5, 4, 3, 1, 2, None]
    assert got["f"].to_list() == [5, 2, 4, 2, 1, None]
    assert got["m"].to_list() == [4, 3, 5, 2, 1, None]
    assert got["fm"].to_list() == [5, 3, 5, 2, 1, None]
    assert got["rfm_segment"].to_list() == [
        "Champions", "Potential Loyalist", "Loyal", "Lost", "Hibernating", "Unscored"
    ]  # fmt: skip
    assert got["segment"].to_list() == ["loyal", "potential", "loyal", "inactive", "loyal", "other"]


def test_every_order_is_linked_or_reported_with_its_reason(segmented) -> None:
    assert segmented.orders == {
        "read": 12,
        "linked": 7,
        "order.bad_date": 1,
        "order.no_customer": 1,
        "order.not_won": 1,
        "order.unlinked": 2,
    }
    problems = segmented.problems.sort("source", "row")
    assert problems.select("source", "order_id", "reason", "value").rows() == [
        ("deals", "h3", "order.unlinked", "nobody@x.com"),
        ("deals", "h4", "order.no_customer", None),
        ("deals", "h5", "order.bad_date", "not a date"),
        ("opportunities", "o6", "order.not_won", "Closed Lost"),
        ("opportunities", "o7", "order.unlinked", "999"),
    ]
    assert segmented.sizes == {"inactive": 1, "loyal": 3, "potential": 1, "other": 1}


def test_pipedrive_export_with_month_first_dates(tmp_path, rules) -> None:
    text = "Deal - ID,Deal - Person ID,Deal - Value,Deal - Won time,Deal - Status\n"
    text += "1,7,250,12/31/2024,won\n2,7,100,01/15/2025,open\n"
    kept, problems = read_orders(OrderSource(_write(tmp_path, "pipedrive.csv", text)), rules)
    assert kept["order_date"].to_list() == [date(2024, 12, 31)]
    assert problems["reason"].to_list() == ["order.not_won"]


def test_amounts_in_pt_en_and_es_shapes() -> None:
    texts = ["R$ 1.234,56", "1,234.56", "1234.5", "-10", "€ 99", "1.000", "", "abc", None]
    texts += ["123,45", " 7 ", "1.5"]
    expected = [1234.56, 1234.56, 1234.5, -10.0, 99.0, 1000.0, None, None, None, 123.45, 7.0, 1.5]
    assert pl.select(parse_amount(pl.Series(texts))).to_series().to_list() == expected
    assert parse_amounts(pl.Series(texts)).to_list() == expected  # the fast path agrees
    assert parse_date(pl.Series(["03/04/2024"])).to_list() == [date(2024, 4, 3)]


def test_an_orders_file_without_amount_is_a_user_error(tmp_path, rules) -> None:
    path = _write(tmp_path, "orders.csv", "Customer ID,Order Date\n1,2024-01-01\n")
    with pytest.raises(UserError, match=r"orders\.csv: orders file lacks columns for \['amount'\]"):
        read_orders(OrderSource(path), rules)


ORDER_ROWS = st.fixed_dictionaries(
    {
        "customer_id": st.one_of(st.none(), st.sampled_from(["001", "002", "003", "7", "999"])),
        "customer_source": st.sampled_from([None, "crm", "sheet", "other"]),
        "email": st.one_of(st.none(), st.sampled_from(["A@X.com", "c@x.com", "zz@x.com", ""])),
    }
)


@settings(max_examples=80, deadline=None)
@given(st.lists(ORDER_ROWS, max_size=40))
def test_every_order_is_linked_or_a_problem_never_both(rows) -> None:
    orders = pl.DataFrame(rows, schema=dict.fromkeys(["customer_id", "customer_source", "email"],
                                                     pl.String))  # fmt: skip
    orders = orders.with_row_index("row").with_columns(
        pl.lit("orders").alias("source"), pl.col("row").cast(pl.Int64),
        pl.col("row").cast(pl.String).alias("order_id"),
    )  # fmt: skip
    linked, problems = link_orders(orders, LINEAGE, GOLDEN)
    assert linked.height + problems.height == orders.height
    assert set(linked["row"]).isdisjoint(problems["row"])
    assert linked["golden_id"].null_count() == 0
    assert set(linked["golden_id"]) <= set(GOLDEN["golden_id"])
