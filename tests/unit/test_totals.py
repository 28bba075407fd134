from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.domain.totals import Discount, LineItem, price_lines
from remit.errors import ValidationFailed


def line(unit: int, qty: str = "1", rate: str | None = None, discount: Discount | None = None) -> LineItem:
    return LineItem(
        id="li",
        description="x",
        quantity=Decimal(qty),
        unit_amount=unit,
        tax_rate=None if rate is None else Decimal(rate),
        discount=discount,
    )


def test_lines_discounts_and_taxes_add_up() -> None:
    lines, totals = price_lines(
        [line(15000, "10", "19"), line(4999, "1", "7", Discount(percent=Decimal(10)))], None
    )
    assert [(li.amount, li.discount_amount) for li in lines] == [(150000, 0), (4999, 500)]
    assert totals.subtotal == 154999
    assert totals.discount_total == 500
    # 19% of 1500.00 = 285.00; 7% of 44.99 = 3.1493 -> 3.15
    assert [(t.rate, t.taxable_amount, t.tax_amount) for t in totals.tax_breakdown] == [
        (Decimal(7), 4499, 315),
        (Decimal(19), 150000, 28500),
    ]
    assert totals.tax_total == 28815
    assert totals.total == 154999 - 500 + 28815


def test_fractional_quantities_round_half_up_to_the_minor_unit() -> None:
    [priced], totals = price_lines([line(1999, "2.5")], None)
    assert priced.amount == 4998  # 49.975 -> 49.98
    assert totals.total == 4998


def test_tax_is_rounded_once_per_rate_not_per_line() -> None:
    # Three lines of 0.10 at 5%: per line 0.005 each would round to 0.03 in all;
    # on the rate's total (0.30 -> 0.015) it is 0.02.
    _, totals = price_lines([line(10, rate="5")] * 3, None)
    assert totals.tax_breakdown[0].taxable_amount == 30
    assert totals.tax_total == 2


def test_same_rate_written_differently_is_one_breakdown_row() -> None:
    _, totals = price_lines([line(1000, rate="19"), line(1000, rate="19.00")], None)
    assert len(totals.tax_breakdown) == 1
    assert totals.tax_breakdown[0].tax_amount == 380


def test_invoice_discount_is_spread_over_lines_before_tax() -> None:
    _, totals = price_lines([line(10000, rate="20"), line(5000, rate="10")], Discount(amount=3000))
    rows = {t.rate: (t.taxable_amount, t.tax_amount) for t in totals.tax_breakdown}
    assert rows == {Decimal(20): (8000, 1600), Decimal(10): (4000, 400)}
    assert totals.discount_total == 3000
    assert totals.total == 15000 - 3000 + 2000


def test_percent_invoice_discount_applies_after_line_discounts() -> None:
    _, totals = price_lines([line(10000, discount=Discount(amount=1000))], Discount(percent=Decimal("12.5")))
    # 12.5% of 90.00 = 11.25
    assert totals.discount_total == 1000 + 1125
    assert totals.total == 10000 - 2125


def test_untaxed_lines_are_in_no_breakdown_row() -> None:
    _, totals = price_lines([line(1000), line(2000, rate="0")], None)
    assert [(t.rate, t.taxable_amount, t.tax_amount) for t in totals.tax_breakdown] == [(Decimal(0), 2000, 0)]
    assert totals.total == 3000


def test_zero_decimal_currency_amounts_are_whole_units() -> None:
    # JPY: 3 x 333 = 999 yen at 8% = 79.92 -> 80 yen.
    _, totals = price_lines([line(333, "3", "8")], None)
    assert totals.total == 999 + 80


def test_amounts_beyond_the_maximum_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        price_lines([line(10**12, "100")], None)


lines_strategy = st.lists(
    st.builds(
        line,
        unit=st.integers(min_value=0, max_value=10**7),
        qty=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3).map(str),
        rate=st.one_of(st.none(), st.sampled_from(["0", "5", "7", "19", "20", "8.875"])),
        discount=st.one_of(
            st.none(), st.decimals(min_value=0, max_value=100, places=2).map(lambda p: Discount(percent=p))
        ),
    ),
    min_size=1,
    max_size=12,
)


@given(lines_strategy, st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)))
def test_totals_are_consistent_for_any_invoice(
    lines: list[LineItem], invoice_percent: Decimal | None
) -> None:
    discount = Discount(percent=invoice_percent) if invoice_percent is not None else None
    priced, totals = price_lines(lines, discount)
    assert totals.subtotal == sum(li.amount for li in priced)
    assert totals.tax_total == sum(t.tax_amount for t in totals.tax_breakdown)
    assert totals.total == totals.subtotal - totals.discount_total + totals.tax_total
    assert 0 <= totals.discount_total <= totals.subtotal
    assert totals.total >= 0
    nets = sum(li.amount - li.discount_amount for li in priced)
    invoice_discount = totals.discount_total - sum(li.discount_amount for li in priced)
    taxed_nets = sum(li.amount - li.discount_amount for li in priced if li.tax_rate is not None)
    # What is taxed never exceeds what the taxed lines charge, and every unit of the
    # invoice discount lands on some line.
    assert sum(t.taxable_amount for t in totals.tax_breakdown) <= taxed_nets
    assert nets - invoice_discount >= sum(t.taxable_amount for t in totals.tax_breakdown)
    for row in totals.tax_breakdown:
        assert abs(Decimal(row.tax_amount) - Decimal(row.taxable_amount) * row.rate / 100) <= Decimal("0.5")


def test_an_amount_off_larger_than_what_it_reduces_takes_it_to_zero_not_below() -> None:
    [priced], totals = price_lines([line(1000, rate="19", discount=Discount(amount=1500))], None)
    assert (priced.amount, priced.discount_amount) == (1000, 1000)
    _, whole = price_lines([line(1000, rate="19"), line(500)], Discount(amount=999_999))
    for t in (totals, whole):
        assert (t.tax_total, t.total) == (0, 0)
    assert whole.discount_total == 1500
