"""The invoice and its payments. Methods return new objects (one version up) and never
touch storage; the service decides what to write and the store writes it conditionally."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from remit.domain import lifecycle
from remit.domain.base import DomainModel
from remit.domain.lifecycle import Action, ReportedStatus, StoredStatus
from remit.domain.localtime import local_day
from remit.domain.terms import due_date
from remit.domain.totals import Discount, LineItem, TaxAmount, Totals, price_lines
from remit.errors import Conflict, InvalidTransition, ValidationFailed
from remit.money import format_amount

MAX_LINE_ITEMS = 250
# A payment recorded by hand may say it arrived this long before the invoice was issued
# (a deposit, an invoice issued late), never earlier: further back is a typo.
PAYMENT_DATE_OUT_OF_RANGE = "payment_date_out_of_range"
PAYMENT_DATE_WINDOW = timedelta(days=366)
# "Today" where it is latest on Earth (UTC+14): a payment dated today in the user's time
# zone is never in the future, and nothing later is taken.
LATEST_OFFSET = timedelta(hours=14)

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
    # Credit notes (domain/credit_note.py): their sum, and the part of it that reduced
    # what was unpaid; amount_due = total - amount_paid - credited_against_due.
    amount_credited: int = 0
    credited_against_due: int = 0
    credit_note_ids: list[str] = []

    invoice_number: str | None = None
    issued_at: datetime | None = None
    # The account's IANA zone, fixed when the invoice issues: its issue date, due date and
    # past_due count in that zone's calendar days (docs/time.md). UTC for older invoices.
    time_zone: str = "UTC"
    issue_date: date | None = None
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

    # Collection through the gateway. ``next_charge_at``: when AutoPay (or its next retry)
    # charges; ``open_attempt``: the number of the attempt claimed and not yet settled, and
    # ``check_attempt_at`` when it may be reconciled (a lease, or a bank debit's next poll).
    # Either puts the invoice in the DueIndex; nothing else may charge while one is open.
    auto_pay: bool = False
    next_charge_at: datetime | None = None
    attempts: int = 0
    auto_failures: int = 0
    open_attempt: int | None = None
    check_attempt_at: datetime | None = None
    handed_to_dunning_at: datetime | None = None

    created_at: datetime
    updated_at: datetime
    version: int = 1

    # -- reading ---------------------------------------------------------------------

    def local_today(self, now: datetime) -> date:
        """Today in the invoice's zone: the ``today`` its calendar rules compare with."""
        return local_day(now, self.time_zone)

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

    def finalized(self, number: str, now: datetime, time_zone: str = "UTC") -> Invoice:
        if not self.line_items:
            raise InvalidTransition(
                "an invoice needs at least one line item to be finalized", field="lineItems"
            )
        issued = self._next(
            now,
            status="issued",
            auto_finalize_at=None,
            invoice_number=number,
            issued_at=now,
            time_zone=time_zone,
            issue_date=local_day(now, time_zone),
            due_date=due_date(self.payment_terms, local_day(now, time_zone)),
        )
        # Nothing to collect on a zero-total invoice: it is settled the moment it issues.
        return issued._next(now, status="paid", paid_at=now) if issued.total == 0 else issued

    def with_payment(self, payment: Payment, now: datetime) -> Invoice:
        if payment.amount > self.amount_due:
            raise Conflict(
                f"the payment is more than the amount due ({format_amount(self.amount_due, self.currency)}"
                f" {self.currency})",
                field="amount",
                code="overpayment",
            )
        paid = self.amount_paid + payment.amount
        due = self.total - paid - self.credited_against_due
        changes: dict[str, object] = {"amount_paid": paid, "amount_due": due}
        if due == 0:
            changes |= {"status": "paid", "paid_at": self._arrived(payment, now), "next_charge_at": None}
        return self._next(now, **changes)

    def _arrived(self, payment: Payment, now: datetime) -> datetime:
        """``paidAt``: when the money arrived (DSO and the receivables report count to it),
        not when it was recorded. A payment dated today is now; an earlier date is that
        day's start (UTC), but never before the invoice was issued: a deposit made before
        the invoice settles it the moment it issues."""
        if payment.payment_date >= now.date():
            return now
        arrived = datetime.combine(payment.payment_date, time.min, tzinfo=UTC)
        return max(arrived, self.issued_at) if self.issued_at else arrived

    def require_payment_date(self, day: date, now: datetime) -> None:
        """A hand-recorded payment's date: not after today, not long before the invoice.
        A 409, not a 422: the date is well-formed, and whether it fits depends on today and
        on the invoice (no schema can say so, and the API's schema is its contract)."""
        if day > (now + LATEST_OFFSET).date():
            raise Conflict(
                f"paymentDate {day.isoformat()} is in the future; give the day the money arrived",
                field="paymentDate",
                code=PAYMENT_DATE_OUT_OF_RANGE,
            )
        issued = (self.issued_at or now).date()
        if day < issued - PAYMENT_DATE_WINDOW:
            raise Conflict(
                f"paymentDate {day.isoformat()} is more than a year before the invoice was issued "
                f"({issued.isoformat()})",
                field="paymentDate",
                code=PAYMENT_DATE_OUT_OF_RANGE,
            )

    def credited(self, note_id: str, total: int, against_due: int, now: datetime) -> Invoice:
        """A credit note of ``total`` was issued, ``against_due`` of it reducing what is
        unpaid; reaching zero due by credit makes the invoice paid (as Stripe does)."""
        self.require_no_open_attempt("credited")
        due = self.amount_due - against_due
        changes: dict[str, object] = {
            "amount_credited": self.amount_credited + total,
            "credited_against_due": self.credited_against_due + against_due,
            "amount_due": due,
            "credit_note_ids": [*self.credit_note_ids, note_id],
        }
        if due == 0 and self.status != "paid":
            changes |= {"status": "paid", "paid_at": now, "next_charge_at": None}
        return self._next(now, **changes)

    def credit_voided(
        self, total: int, against_due: int, status_before: StoredStatus, now: datetime
    ) -> Invoice:
        """A credit note was voided: what it reduced is owed again, and an invoice it had
        paid goes back to the status it had before."""
        self.require_no_open_attempt("changed")
        due = self.amount_due + against_due
        changes: dict[str, object] = {
            "amount_credited": self.amount_credited - total,
            "credited_against_due": self.credited_against_due - against_due,
            "amount_due": due,
        }
        if self.status == "paid" and due > 0:
            changes |= {"status": status_before if status_before != "paid" else "issued", "paid_at": None}
        return self._next(now, **changes)

    def voided(self, now: datetime) -> Invoice:
        # Void keeps the trail (lines, totals, number) but nothing is owed any more.
        self.require_no_open_attempt("voided")
        return self._next(now, status="void", voided_at=now, amount_due=0, next_charge_at=None)

    def marked_uncollectible(self, now: datetime) -> Invoice:
        # Written off: AutoPay stops; the customer may still pay by hand.
        self.require_no_open_attempt("marked uncollectible")
        return self._next(now, status="uncollectible", marked_uncollectible_at=now, next_charge_at=None)

    # -- collection through the gateway ------------------------------------------------

    def charge_claimed(self, number: int, now: datetime, lease: timedelta) -> Invoice:
        """Attempt ``number`` is ours until ``now + lease``; nobody else charges meanwhile."""
        return self._next(now, attempts=number, open_attempt=number, check_attempt_at=now + lease)

    def charge_succeeded(self, payment: Payment, now: datetime) -> Invoice:
        paid = self.with_payment(payment, now)
        return paid.model_copy(
            update={"open_attempt": None, "check_attempt_at": None, "next_charge_at": None}
        )

    def charge_processing(self, now: datetime, check_at: datetime) -> Invoice:
        return self._next(now, check_attempt_at=check_at)

    def charge_failed(
        self, now: datetime, *, counts: bool, next_charge_at: datetime | None, to_dunning: bool
    ) -> Invoice:
        """A settled failure. ``counts``: an AutoPay attempt, which uses up a retry."""
        changes: dict[str, object] = {"open_attempt": None, "check_attempt_at": None}
        if counts:
            changes |= {"auto_failures": self.auto_failures + 1, "next_charge_at": next_charge_at}
        if to_dunning:
            changes |= {"handed_to_dunning_at": now, "next_charge_at": None}
        return self._next(now, **changes)

    def charge_abandoned(self, now: datetime) -> Invoice:
        """The gateway never received the attempt: it is closed without any effect, and
        whatever was scheduled (AutoPay's charge) stays scheduled."""
        return self._next(now, open_attempt=None, check_attempt_at=None)

    def require_no_open_attempt(self, verb: str) -> None:
        """While a charge is out at the gateway its outcome decides the balance; nothing
        else may change it until the attempt is settled (or reconciled)."""
        if self.open_attempt is not None:
            raise InvalidTransition(
                f"a charge (attempt {self.open_attempt}) is in progress; the invoice cannot be {verb} "
                "until it settles",
                field="status",
                code="payment_in_progress",
            )
