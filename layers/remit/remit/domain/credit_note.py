"""Credit-note arithmetic (issue 18), pure and exact, in integer minor units.

Rules (also in docs/credit-notes.md once written):

1. A line that credits an invoice line credits ``quantity`` of it at what the customer was
   charged for it: the line's net after its own discount and its share of the invoice
   discount (the same largest-remainder share totals.price_lines used), pro rata to the
   quantity, rounded half up. It carries the invoice line's tax rate.
2. A free line credits ``amount`` (net) at ``taxRate`` (or untaxed).
3. Tax is computed once per rate on the sum of that rate's credited nets, rounded half up,
   as on the invoice; total = nets + tax.
4. The credit notes of an invoice never add up to more than its total.
5. Settlement: what is still unpaid (``amountDue``) is reduced first; only the part above it
   must be allocated, and refundAmount + creditAmount + outOfBandAmount must equal exactly
   that part.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from remit.domain.base import DomainModel
from remit.domain.lifecycle import StoredStatus
from remit.domain.totals import LineItem, TaxAmount
from remit.errors import InvalidTransition, ValidationFailed
from remit.money import allocate, canonical, percent_of, round_half_up

REASONS = ("duplicate", "fraudulent", "order_change", "product_unsatisfactory")
CREDITABLE_STATUSES = ("issued", "past_due", "paid", "uncollectible")


class CreditLineRequest(DomainModel):
    """Exactly one shape: (line_item_id, quantity) or (description, amount[, tax_rate])."""

    line_item_id: str | None = None
    quantity: Decimal | None = None
    description: str | None = None
    amount: int | None = None
    tax_rate: Decimal | None = None


class CreditLine(DomainModel):
    description: str
    amount: int
    tax_rate: Decimal | None = None
    line_item_id: str | None = None
    quantity: Decimal | None = None


class CreditAmounts(DomainModel):
    lines: list[CreditLine]
    tax_breakdown: list[TaxAmount]
    subtotal: int
    tax_total: int
    total: int


class Settlement(DomainModel):
    against_due: int
    refund_amount: int = 0
    credit_amount: int = 0
    out_of_band_amount: int = 0


def line_nets(line_items: Sequence[LineItem], discount_total: int) -> list[int]:
    """Each invoice line's net after its own discount and its share of the invoice discount."""
    nets = [line.amount - line.discount_amount for line in line_items]
    invoice_discount = discount_total - sum(line.discount_amount for line in line_items)
    return [net - share for net, share in zip(nets, allocate(invoice_discount, nets), strict=True)]


def _invoice_line(req: CreditLineRequest, field: str, by_id: dict[str, tuple[LineItem, int]]) -> CreditLine:
    if req.amount is not None or req.description is not None or req.tax_rate is not None:
        raise ValidationFailed(
            "a line credits either an invoice line or a free amount, not both", field=field
        )
    assert req.line_item_id is not None
    if req.line_item_id not in by_id:
        raise ValidationFailed("no such line on the invoice", field=f"{field}.lineItemId")
    item, net = by_id[req.line_item_id]
    if req.quantity is None or req.quantity <= 0 or req.quantity > item.quantity:
        raise ValidationFailed(
            "quantity must be more than 0 and at most the invoice line's quantity", field=f"{field}.quantity"
        )
    # The whole quantity credits exactly the net (no rounding drift on a full credit).
    amount = (
        net if req.quantity == item.quantity else round_half_up(Decimal(net) * req.quantity / item.quantity)
    )
    return CreditLine(
        description=item.description,
        amount=amount,
        tax_rate=item.tax_rate,
        line_item_id=item.id,
        quantity=req.quantity,
    )


def _free_line(req: CreditLineRequest, field: str) -> CreditLine:
    if req.quantity is not None:
        raise ValidationFailed(
            "quantity is only for a line that credits an invoice line", field=f"{field}.quantity"
        )
    if not req.description:
        raise ValidationFailed("a free line needs a description", field=f"{field}.description")
    if req.amount is None or req.amount <= 0:
        raise ValidationFailed("amount must be more than 0", field=f"{field}.amount")
    if req.tax_rate is not None and not (0 <= req.tax_rate <= 100):
        raise ValidationFailed("taxRate must be between 0 and 100", field=f"{field}.taxRate")
    return CreditLine(description=req.description, amount=req.amount, tax_rate=req.tax_rate)


def credit_lines(
    requests: Sequence[CreditLineRequest], line_items: Sequence[LineItem], discount_total: int
) -> CreditAmounts:
    if not requests:
        raise ValidationFailed("a credit note needs at least one line", field="lines")
    nets = line_nets(line_items, discount_total)
    by_id = {line.id: (line, net) for line, net in zip(line_items, nets, strict=True)}
    credited = [
        _invoice_line(req, f"lines[{i}]", by_id)
        if req.line_item_id is not None
        else _free_line(req, f"lines[{i}]")
        for i, req in enumerate(requests)
    ]

    by_rate: dict[Decimal, int] = {}
    for line in credited:
        if line.tax_rate is not None:
            rate = canonical(line.tax_rate)
            by_rate[rate] = by_rate.get(rate, 0) + line.amount
    breakdown = [
        TaxAmount(rate=rate, taxable_amount=base, tax_amount=percent_of(base, rate))
        for rate, base in sorted(by_rate.items())
    ]
    subtotal = sum(line.amount for line in credited)
    tax_total = sum(row.tax_amount for row in breakdown)
    return CreditAmounts(
        lines=credited,
        tax_breakdown=breakdown,
        subtotal=subtotal,
        tax_total=tax_total,
        total=subtotal + tax_total,
    )


def check_within_total(credit_total: int, invoice_total: int, already_credited: int) -> None:
    """The credit notes of one invoice never exceed its total (the store re-checks atomically)."""
    if credit_total <= 0:
        raise ValidationFailed("the credit note's total must be more than 0", field="lines")
    if already_credited + credit_total > invoice_total:
        raise ValidationFailed("the credit notes would exceed the invoice's total", field="lines")


def settle(credit_total: int, amount_due: int, refund: int, credit: int, out_of_band: int) -> Settlement:
    """Reduce what is unpaid first; the rest must be allocated exactly (422 naming the field)."""
    for value, field in (
        (refund, "refundAmount"),
        (credit, "creditAmount"),
        (out_of_band, "outOfBandAmount"),
    ):
        if value < 0:
            raise ValidationFailed("must not be negative", field=field)
    against_due = min(credit_total, amount_due)
    rest = credit_total - against_due
    allocated = refund + credit + out_of_band
    if allocated != rest:
        # Name the field that should change: the first non-zero one if over-allocated,
        # outOfBandAmount (the one always accepted) if short.
        field = "outOfBandAmount"
        if allocated > rest:
            field = next(
                f
                for v, f in (
                    (refund, "refundAmount"),
                    (credit, "creditAmount"),
                    (out_of_band, "outOfBandAmount"),
                )
                if v
            )
        raise ValidationFailed(
            "refundAmount + creditAmount + outOfBandAmount must equal the credit above the amount due"
            f" ({rest} minor units)",
            field=field,
        )
    return Settlement(
        against_due=against_due, refund_amount=refund, credit_amount=credit, out_of_band_amount=out_of_band
    )


CreditNoteStatus = Literal["issued", "void"]
Reason = Literal["duplicate", "fraudulent", "order_change", "product_unsatisfactory"]


class CreditNote(DomainModel):
    id: str
    organization_id: str
    invoice_id: str
    account_id: str
    number: str
    currency: str
    status: CreditNoteStatus = "issued"
    reason: Reason | None = None
    memo: str | None = None
    lines: list[CreditLine]
    tax_breakdown: list[TaxAmount]
    subtotal: int
    tax_total: int
    total: int
    # How the total was settled: against_due reduced what the invoice still owed; the
    # other three allocate the rest (refundAmount and creditAmount: see docs/credit-notes.md).
    against_due: int
    refund_amount: int = 0
    credit_amount: int = 0
    out_of_band_amount: int = 0
    # The invoice's stored status before this note, so voiding the note restores it if the
    # note had made the invoice paid.
    invoice_status_before: StoredStatus
    created_at: datetime
    voided_at: datetime | None = None
    version: int = 1

    def voided(self, now: datetime) -> CreditNote:
        if self.status == "void":
            raise InvalidTransition("the credit note is already void", field="status")
        if self.refund_amount:
            # Refunds go through the gateway (not built yet): a refund that succeeded
            # cannot be taken back by voiding, so a note with one is never voided.
            raise InvalidTransition("a credit note with a refundAmount cannot be voided", field="status")
        return self.model_copy(update={"status": "void", "voided_at": now, "version": self.version + 1})
