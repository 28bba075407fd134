"""Invoice arithmetic. The rules (also in docs/money.md):

1. A line's ``amount`` is quantity x unit amount, rounded half up to a minor unit.
2. A line's own discount (percent of its amount, rounded half up; or a fixed amount no
   larger than the line) gives its ``discountAmount``; amount - discountAmount is its net.
3. An invoice discount (percent of the summed nets, rounded half up; or a fixed amount no
   larger than that sum) is spread over the lines in proportion to their nets by the
   largest-remainder method, so tax is charged on what the customer actually pays.
4. Tax is computed once per rate, on the sum of that rate's discounted nets, rounded
   half up; lines without a rate are untaxed and appear in no breakdown row.
5. subtotal = sum of amounts; discountTotal = line discounts + invoice discount;
   taxTotal = sum of the breakdown; total = subtotal - discountTotal + taxTotal.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from remit.domain.base import DomainModel
from remit.errors import ValidationFailed
from remit.money import MAX_MINOR, allocate, canonical, percent_of, round_half_up


class Discount(DomainModel):
    """Exactly one of ``percent`` (0-100) or ``amount`` (minor units)."""

    percent: Decimal | None = None
    amount: int | None = None

    def apply_to(self, base: int, field: str) -> int:
        if self.percent is not None:
            return percent_of(base, self.percent)
        assert self.amount is not None
        # An amount off larger than what it reduces takes that to zero, never below (as a
        # coupon does): the applied discount is what the totals and the PDF show.
        return min(self.amount, base)


class LineItem(DomainModel):
    id: str
    description: str
    quantity: Decimal
    unit_amount: int
    tax_rate: Decimal | None = None
    discount: Discount | None = None
    product_id: str | None = None
    price_id: str | None = None
    # Derived by price_lines; stored so reads never recompute.
    amount: int = 0
    discount_amount: int = 0


class TaxAmount(DomainModel):
    rate: Decimal
    taxable_amount: int
    tax_amount: int


class Totals(DomainModel):
    subtotal: int = 0
    discount_total: int = 0
    tax_breakdown: list[TaxAmount] = []
    tax_total: int = 0
    total: int = 0


def _bounded(value: int, field: str) -> int:
    if value > MAX_MINOR:
        raise ValidationFailed("amount exceeds the maximum an invoice can hold", field=field)
    return value


def price_lines(lines: Sequence[LineItem], discount: Discount | None) -> tuple[list[LineItem], Totals]:
    """Fill in each line's amounts and compute the invoice totals (pure, exact)."""
    priced: list[LineItem] = []
    for i, line in enumerate(lines):
        amount = _bounded(round_half_up(line.quantity * line.unit_amount), f"lineItems[{i}]")
        own = line.discount.apply_to(amount, f"lineItems[{i}].discount") if line.discount else 0
        priced.append(line.model_copy(update={"amount": amount, "discount_amount": own}))

    nets = [line.amount - line.discount_amount for line in priced]
    invoice_discount = discount.apply_to(sum(nets), "discount") if discount else 0
    taxable = [net - share for net, share in zip(nets, allocate(invoice_discount, nets), strict=True)]

    by_rate: dict[Decimal, int] = {}
    for line, base in zip(priced, taxable, strict=True):
        if line.tax_rate is not None:
            # "19" and "19.0" are one row of the breakdown.
            rate = canonical(line.tax_rate)
            by_rate[rate] = by_rate.get(rate, 0) + base
    breakdown = [
        TaxAmount(rate=rate, taxable_amount=base, tax_amount=percent_of(base, rate))
        for rate, base in sorted(by_rate.items())
    ]

    subtotal = sum(line.amount for line in priced)
    discount_total = sum(line.discount_amount for line in priced) + invoice_discount
    tax_total = sum(row.tax_amount for row in breakdown)
    totals = Totals(
        subtotal=_bounded(subtotal, "lineItems"),
        discount_total=discount_total,
        tax_breakdown=breakdown,
        tax_total=tax_total,
        total=_bounded(subtotal - discount_total + tax_total, "lineItems"),
    )
    return priced, totals
