"""Receivables: what is owed, by how late it is, per currency. Pure arithmetic on
invoices' figures; the report service feeds it what the store reads.

Rules: only issued invoices are outstanding (their amount due); paid, void, uncollectible
and draft invoices owe nothing here, so a voided invoice counts as zero everywhere.
Currencies are never added together: every figure is per currency, in minor units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from remit.domain.invoice import Invoice, Payment

BUCKETS: tuple[str, ...] = ("current", "1_30", "31_60", "61_90", "over_90")
BUCKET_LABELS = {
    "current": "Current",
    "1_30": "1-30 days",
    "31_60": "31-60 days",
    "61_90": "61-90 days",
    "over_90": "Over 90 days",
}


def bucket(due: date | None, today: date) -> str:
    """Days past due: none (or not yet due) is current; then 1-30, 31-60, 61-90, over 90."""
    late = (today - due).days if due is not None else 0
    if late <= 0:
        return "current"
    if late <= 30:
        return "1_30"
    if late <= 60:
        return "31_60"
    if late <= 90:
        return "61_90"
    return "over_90"


@dataclass(frozen=True)
class OpenInvoice:
    """What the report needs of an invoice (the store projects just these)."""

    id: str
    status: str
    currency: str
    amount_due: int
    due_date: date | None


@dataclass
class CurrencyReceivables:
    currency: str
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    collected_this_month: int = 0
    written_off_this_month: int = 0
    voided_this_month: int = 0  # a count: their value is zero
    issued_this_month: int = 0
    # "yyyy-mm" -> {issued, collected, writtenOff, voided}, newest first.
    months: dict[str, dict[str, int]] = field(default_factory=dict)
    dso_days: int | None = None

    @property
    def outstanding(self) -> int:
        return sum(self.buckets.values())

    @property
    def overdue(self) -> int:
        return self.outstanding - self.buckets["current"]


def outstanding(invoices: Iterable[OpenInvoice], today: date) -> dict[str, CurrencyReceivables]:
    """Age buckets per currency. Anything not ``issued`` (void above all) adds zero."""
    report: dict[str, CurrencyReceivables] = {}
    for invoice in invoices:
        if invoice.status != "issued" or invoice.amount_due <= 0:
            continue
        row = report.setdefault(invoice.currency, CurrencyReceivables(invoice.currency))
        name = bucket(invoice.due_date, today)
        row.buckets[name] += invoice.amount_due
        row.counts[name] += 1
    return report


# -- the aggregates kept as invoices change ------------------------------------------------
#
# Each invoice state contributes fixed amounts to a few counters; a change adds
# (what the new state contributes) - (what the old state contributed). So the counters
# always equal the sum over every invoice's current state, whatever order changes arrive
# in, and a recomputation from the invoices can prove it (tests/dashboard).

# Counter fields of an outstanding item (one per currency and due date).
AMOUNT, COUNT = "amount", "count"
# Counter fields of a month item (one per calendar month and currency).
ISSUED, COLLECTED, WRITTEN_OFF, VOIDED = "issued", "collected", "writtenOff", "voided"
NO_DUE_DATE = "none"

Counter = tuple[str, str]  # (the aggregate's sort key, the field)


def outstanding_key(currency: str, due: date | None) -> str:
    return f"OUT#{currency}#{due.isoformat() if due else NO_DUE_DATE}"


def month_key(when: datetime | date, currency: str) -> str:
    return f"MONTH#{when.year:04d}-{when.month:02d}#{currency}"


def invoice_contribution(invoice: Invoice | None) -> dict[Counter, int]:
    """What one invoice, as it is now, adds to the counters. Void contributes nothing but
    its count: it is zero in every amount, including the month it was issued."""
    if invoice is None or invoice.status == "draft":
        return {}
    out: dict[Counter, int] = {}
    cur = invoice.currency
    if invoice.status == "issued" and invoice.amount_due > 0:
        key = outstanding_key(cur, invoice.due_date)
        out[(key, AMOUNT)] = invoice.amount_due
        out[(key, COUNT)] = 1
    if invoice.status != "void" and invoice.issued_at is not None:
        out[(month_key(invoice.issued_at, cur), ISSUED)] = invoice.total
    if invoice.status == "uncollectible" and invoice.marked_uncollectible_at is not None:
        out[(month_key(invoice.marked_uncollectible_at, cur), WRITTEN_OFF)] = invoice.amount_due
    if invoice.status == "void" and invoice.voided_at is not None:
        out[(month_key(invoice.voided_at, cur), VOIDED)] = 1
    return out


def payment_contribution(payment: Payment | None) -> dict[Counter, int]:
    """Money in, in the month it was recorded (a payment is never edited)."""
    if payment is None:
        return {}
    return {(month_key(payment.created_at, payment.currency), COLLECTED): payment.amount}


def delta(before: dict[Counter, int], after: dict[Counter, int]) -> dict[Counter, int]:
    changed = {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()}
    return {k: v for k, v in changed.items() if v != 0}
