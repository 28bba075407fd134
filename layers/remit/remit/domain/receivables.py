"""Receivables: what is owed, by how late it is, per currency. Pure arithmetic on
invoices' figures; the report service feeds it what the store reads.

Rules: only issued invoices are outstanding (their amount due); paid, void, uncollectible
and draft invoices owe nothing here, so a voided invoice counts as zero everywhere.
Currencies are never added together: every figure is per currency, in minor units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

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
