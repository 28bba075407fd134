"""The invoice and its payments. Methods return new objects (one version up) and never
touch storage; the service decides what to write and the store writes it conditionally."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from remit.domain import lifecycle
from remit.domain.base import DomainModel
from remit.domain.lifecycle import Action, ReportedStatus, StoredStatus
from remit.domain.terms import due_date
from remit.domain.totals import Discount, LineItem, TaxAmount, Totals, price_lines
from remit.errors import ValidationFailed
from remit.money import format_amount

MAX_LINE_ITEMS = 250

# How a subscription's invoices are collected: by AutoPay, or emailed with a pay link.
CollectionMethod = Literal["charge_automatically", "send_invoice"]


class StatusChange(DomainModel):
    status: StoredStatus
    at: datetime


class Payment(DomainModel):
    id: str
    invoice_id: str
    amount: int
    currency: str
    payment_date: date
    method: str
    reference: str | None = None
    notes: str | None = None
    created_at: datetime


class Invoice(DomainModel):
    id: str
    organization_id: str
    account_id: str
    status: StoredStatus = "draft"
    currency: str
    language: str = "en"
    payment_terms: str
    memo: str | None = None
    line_items: list[LineItem] = []
    discount: Discount | None = None

    subtotal: int = 0
    discount_total: int = 0
    tax_breakdown: list[TaxAmount] = []
    tax_total: int = 0
    total: int = 0
    amount_paid: int = 0
    amount_due: int = 0

    invoice_number: str | None = None
    issued_at: datetime | None = None
    due_date: date | None = None
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    marked_uncollectible_at: datetime | None = None
    status_history: list[StatusChange] = []

    # Invoices a subscription generated link back to it and name the period they bill;
    # they finalize by themselves at ``auto_finalize_at`` unless edited out of it first.
    subscription_id: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    collection_method: CollectionMethod | None = None
    auto_finalize_at: datetime | None = None

    created_at: datetime
    updated_at: datetime
    version: int = 1

    # -- reading ---------------------------------------------------------------------

    def reported_status(self, today: date) -> ReportedStatus:
        return lifecycle.reported_status(self.status, self.due_date, today)

    def require(self, action: Action, today: date) -> None:
        lifecycle.require(action, self.status, self.reported_status(today))

    # -- changing (each returns the next version) -------------------------------------

    def _next(self, now: datetime, **changes: object) -> Invoice:
        status = changes.get("status", self.status)
        history = self.status_history
        if status != self.status:
            history = [*history, StatusChange(status=status, at=now)]
        return self.model_copy(
            update={**changes, "status_history": history, "updated_at": now, "version": self.version + 1}
        )

    def with_lines(
        self, lines: Sequence[LineItem], discount: Discount | None, now: datetime, **changes: object
    ) -> Invoice:
        if len(lines) > MAX_LINE_ITEMS:
            raise ValidationFailed(f"an invoice holds at most {MAX_LINE_ITEMS} line items", field="lineItems")
        priced, totals = price_lines(lines, discount)
        return self._next(
            now,
            line_items=priced,
            discount=discount,
            **{name: getattr(totals, name) for name in Totals.model_fields},
            amount_due=totals.total - self.amount_paid,
            **changes,
        )

    def finalized(self, number: str, now: datetime) -> Invoice:
        if not self.line_items:
            raise ValidationFailed(
                "an invoice needs at least one line item to be finalized", field="lineItems"
            )
        issued = self._next(
            now,
            status="issued",
            auto_finalize_at=None,
            invoice_number=number,
            issued_at=now,
            due_date=due_date(self.payment_terms, now.date()),
        )
        # Nothing to collect on a zero-total invoice: it is settled the moment it issues.
        return issued._next(now, status="paid", paid_at=now) if issued.total == 0 else issued

    def with_payment(self, payment: Payment, now: datetime) -> Invoice:
        if payment.amount > self.amount_due:
            raise ValidationFailed(
                f"the payment is more than the amount due ({format_amount(self.amount_due, self.currency)}"
                f" {self.currency})",
                field="amount",
                code="overpayment",
            )
        paid = self.amount_paid + payment.amount
        due = self.total - paid
        changes: dict[str, object] = {"amount_paid": paid, "amount_due": due}
        if due == 0:
            changes |= {"status": "paid", "paid_at": now}
        return self._next(now, **changes)

    def voided(self, now: datetime) -> Invoice:
        # Void keeps the trail (lines, totals, number) but nothing is owed any more.
        return self._next(now, status="void", voided_at=now, amount_due=0)

    def marked_uncollectible(self, now: datetime) -> Invoice:
        return self._next(now, status="uncollectible", marked_uncollectible_at=now)
