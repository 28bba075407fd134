from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.domain.credit_note import CreditLineRequest, check_within_total, credit_lines, settle
from remit.domain.totals import Discount, LineItem, price_lines
from remit.errors import ValidationFailed


def line(id_: str, unit: int, qty: str = "1", rate: str | None = "19") -> LineItem:
    return LineItem(
        id=id_,
        description=id_,
        quantity=Decimal(qty),
        unit_amount=unit,
        tax_rate=None if rate is None else Decimal(rate),
    )


def test_part_of_a_line_is_credited_at_its_price_and_tax() -> None:
    items, totals = price_lines([line("a", 1000, "3")], None)
    credit = credit_lines(
        [CreditLineRequest(line_item_id="a", quantity=Decimal(1))], items, totals.discount_total
    )
    assert credit.subtotal == 1000
    assert credit.tax_total == 190
    assert credit.total == 1190


def test_the_invoice_discount_share_is_credited_too() -> None:
    items, totals = price_lines([line("a", 1000), line("b", 3000)], Discount(amount=400))
    credit = credit_lines(
        [CreditLineRequest(line_item_id="b", quantity=Decimal(1))], items, totals.discount_total
    )
    assert credit.subtotal == 2700  # 3000 less its 3/4 share of the 400 off


def test_a_free_amount_is_taxed_per_rate() -> None:
    credit = credit_lines(
        [
            CreditLineRequest(description="goodwill", amount=333, tax_rate=Decimal("19")),
            CreditLineRequest(description="goodwill", amount=333, tax_rate=Decimal("19.0")),
            CreditLineRequest(description="untaxed", amount=100),
        ],
        [],
        0,
    )
    # One row per rate, tax rounded once on the sum (666 * 19% = 126.54 -> 127), not 63+63.
    assert [(r.rate, r.taxable_amount, r.tax_amount) for r in credit.tax_breakdown] == [
        (Decimal("19"), 666, 127)
    ]
    assert credit.total == 666 + 100 + 127


@pytest.mark.parametrize(
    ("req", "field"),
    [
        (CreditLineRequest(line_item_id="zz", quantity=Decimal(1)), "lines[0].lineItemId"),
        (CreditLineRequest(line_item_id="a", quantity=Decimal(4)), "lines[0].quantity"),
        (CreditLineRequest(line_item_id="a", quantity=Decimal(0)), "lines[0].quantity"),
        (CreditLineRequest(description="x", amount=0), "lines[0].amount"),
        (CreditLineRequest(amount=10), "lines[0].description"),
        (CreditLineRequest(description="x", amount=10, tax_rate=Decimal(101)), "lines[0].taxRate"),
        (CreditLineRequest(line_item_id="a", quantity=Decimal(1), amount=5), "lines[0]"),
    ],
)
def test_bad_lines_name_the_field(req: CreditLineRequest, field: str) -> None:
    items, totals = price_lines([line("a", 1000, "3")], None)
    with pytest.raises(ValidationFailed) as err:
        credit_lines([req], items, totals.discount_total)
    assert err.value.field == field


def test_unpaid_part_is_reduced_first() -> None:
    s = settle(credit_total=1900, amount_due=11900, refund=0, credit=0, out_of_band=0)
    assert s.against_due == 1900


def test_the_part_above_amount_due_must_be_allocated_exactly() -> None:
    assert settle(1900, 0, 0, 0, 1900).out_of_band_amount == 1900
    assert settle(1900, 1000, 0, 0, 900).against_due == 1000
    with pytest.raises(ValidationFailed) as short:
        settle(1900, 1000, 0, 0, 0)
    assert short.value.field == "outOfBandAmount"
    with pytest.raises(ValidationFailed) as over:
        settle(1900, 1000, 0, 1000, 0)
    assert over.value.field == "creditAmount"
    with pytest.raises(ValidationFailed) as negative:
        settle(1900, 0, -1, 0, 1901)
    assert negative.value.field == "refundAmount"


@given(
    unit=st.integers(min_value=1, max_value=10**8),
    qty=st.integers(min_value=1, max_value=50),
    rate=st.sampled_from(["0", "7", "19", "20", "8.875"]),
    cuts=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=20),
)
def test_credits_never_exceed_the_total(unit: int, qty: int, rate: str, cuts: list[int]) -> None:
    items, totals = price_lines([line("a", unit, str(qty), rate)], None)
    credited = 0
    for cut in cuts:
        q = Decimal(min(cut, qty))
        amounts = credit_lines(
            [CreditLineRequest(line_item_id="a", quantity=q)], items, totals.discount_total
        )
        try:
            check_within_total(amounts.total, totals.total, credited)
        except ValidationFailed:
            continue
        credited += amounts.total
        assert credited <= totals.total
    # Crediting the whole line once is exactly its total (no rounding drift).
    full = credit_lines(
        [CreditLineRequest(line_item_id="a", quantity=Decimal(qty))], items, totals.discount_total
    )
    assert full.total == totals.total


@given(total=st.integers(min_value=1, max_value=10**9), due=st.integers(min_value=0, max_value=10**9))
def test_settlement_adds_up(total: int, due: int) -> None:
    s = settle(total, due, 0, 0, max(0, total - due))
    assert s.against_due + s.refund_amount + s.credit_amount + s.out_of_band_amount == total
    assert s.against_due <= due
