"""The receivables report: outstanding by age per currency, and this month's money in,
write-offs and voids. Read-only; see remit.store.reports for how each figure is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from remit import money
from remit.domain.receivables import CurrencyReceivables, outstanding
from remit.services.context import Context


@dataclass(frozen=True)
class ReceivablesReport:
    as_of: date
    month_start: datetime
    currencies: list[CurrencyReceivables]  # sorted by currency code

    def currency(self, code: str) -> CurrencyReceivables | None:
        return next((c for c in self.currencies if c.currency == code), None)


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class ReceivablesService:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def report(self, org_id: str) -> ReceivablesReport:
        now = self.clock.now()
        start = month_start(now)
        rows = outstanding(self.store.reports.open_invoices(org_id), now.date())

        def row(currency: str) -> CurrencyReceivables:
            return rows.setdefault(currency, CurrencyReceivables(currency))

        reports = self.store.reports
        for event in reports.events_between(org_id, "payment.succeeded", start, now):
            currency = str(event.data["currency"])
            row(currency).collected_this_month += money.parse_amount(
                str(event.data["amount"]), currency, "amount"
            )
        for event in reports.events_between(org_id, "invoice.marked_uncollectible", start, now):
            currency = str(event.data["currency"])
            row(currency).written_off_this_month += money.parse_amount(
                str(event.data["amountDue"]), currency, "amountDue"
            )
        for event in reports.events_between(org_id, "invoice.voided", start, now):
            row(str(event.data["currency"])).voided_this_month += 1
        return ReceivablesReport(now.date(), start, [rows[c] for c in sorted(rows)])
