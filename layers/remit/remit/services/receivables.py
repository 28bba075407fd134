"""The receivables report, and the stream consumer that keeps its aggregates.

Reads: two Queries on the organization's aggregate partition (remit.store.reports); the
age buckets are worked out at read time from each due date, so nothing needs re-aging.
Writes: ReceivablesFunction hands every invoice and payment change from the table's
stream to ``Aggregator.apply``; each record adds (new state's contribution - old
state's) once (remit.domain.receivables)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from remit.domain import receivables as r
from remit.domain.invoice import Invoice, Payment
from remit.services.context import Context
from remit.store.table import deserialize

# DSO looks back over this many calendar months, the current one included.
DSO_MONTHS = 3
HISTORY_MONTHS = 6


@dataclass(frozen=True)
class ReceivablesReport:
    as_of: date
    currencies: list[r.CurrencyReceivables]  # sorted by currency code
    months: list[str]  # "yyyy-mm", newest first

    def currency(self, code: str) -> r.CurrencyReceivables | None:
        return next((c for c in self.currencies if c.currency == code), None)


def month_of(day: date, back: int = 0) -> str:
    first = day.replace(day=1) - relativedelta(months=back)
    return f"{first.year:04d}-{first.month:02d}"


class ReceivablesService:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def report(self, org_id: str) -> ReceivablesReport:
        today = self.clock.now().date()
        rows: dict[str, r.CurrencyReceivables] = {}

        def row(currency: str) -> r.CurrencyReceivables:
            return rows.setdefault(currency, r.CurrencyReceivables(currency))

        reports = self.store.reports
        for item in reports.aggregates(org_id, "OUT#"):
            _, currency, due = str(item["sk"]).split("#", 2)
            amount = int(item.get(r.AMOUNT, 0))
            if amount == 0:
                continue  # paid, voided or written off since: nothing left that day
            name = r.bucket(None if due == r.NO_DUE_DATE else date.fromisoformat(due), today)
            row(currency).buckets[name] += amount
            row(currency).counts[name] += int(item.get(r.COUNT, 0))
        months = [month_of(today, back) for back in range(HISTORY_MONTHS)]
        for item in reports.aggregates(org_id, "MONTH#"):
            _, month, currency = str(item["sk"]).split("#", 2)
            if month not in months:
                continue
            figures = {f: int(item.get(f, 0)) for f in (r.ISSUED, r.COLLECTED, r.WRITTEN_OFF, r.VOIDED)}
            if not any(figures.values()):
                continue
            row(currency).months[month] = figures
        this_month = months[0]
        for currency_row in rows.values():
            current = currency_row.months.get(this_month, {})
            currency_row.issued_this_month = current.get(r.ISSUED, 0)
            currency_row.collected_this_month = current.get(r.COLLECTED, 0)
            currency_row.written_off_this_month = current.get(r.WRITTEN_OFF, 0)
            currency_row.voided_this_month = current.get(r.VOIDED, 0)
            currency_row.dso_days = dso(currency_row, months[:DSO_MONTHS], today)
        return ReceivablesReport(today, [rows[c] for c in sorted(rows)], months)


def dso(row: r.CurrencyReceivables, months: list[str], today: date) -> int | None:
    """Days sales outstanding: outstanding / issued over the last few months x the days
    in them (the current month counted up to today). None with nothing issued."""
    issued = sum(row.months.get(m, {}).get(r.ISSUED, 0) for m in months)
    if issued <= 0:
        return None
    start = today.replace(day=1) - relativedelta(months=len(months) - 1)
    days = (today - start).days + 1
    return round(row.outstanding * days / issued)


class Aggregator:
    """Applies the table's stream records (invoices and payments) to the aggregates."""

    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def apply(self, records: Iterable[Mapping[str, Any]]) -> int:
        """The number of records that changed something (a redelivery changes nothing)."""
        applied = 0
        for record in records:
            body = record.get("dynamodb", {})
            old = deserialize(body["OldImage"]) if body.get("OldImage") else None
            new = deserialize(body["NewImage"]) if body.get("NewImage") else None
            entity = (new or old or {}).get("entity")
            if entity == "invoice":
                before = r.invoice_contribution(Invoice.model_validate(old) if old else None)
                after = r.invoice_contribution(Invoice.model_validate(new) if new else None)
                org_id = str((new or old or {})["organizationId"])
            elif entity == "payment":
                before = r.payment_contribution(Payment.model_validate(old) if old else None)
                after = r.payment_contribution(Payment.model_validate(new) if new else None)
                org_id = _org_of(str((new or old or {})["pk"]))
            else:
                continue
            changes = r.delta(before, after)
            if changes and self.store.reports.apply(
                org_id, str(record["eventID"]), changes, self.clock.now()
            ):
                applied += 1
        return applied


def _org_of(pk: str) -> str:
    # A payment lives in its invoice's collection: ORG#<org>#INV#<invoice>.
    return pk.split("#", 2)[1]
