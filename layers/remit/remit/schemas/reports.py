from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from pydantic import Field

from remit import money
from remit.domain import receivables as r
from remit.schemas.common import ResponseModel


class ReceivablesReport(Protocol):
    """What the response is made from (remit.services.receivables.ReceivablesReport),
    named by its shape: schemas sit below the services and import none of them."""

    @property
    def as_of(self) -> date: ...
    @property
    def currencies(self) -> Sequence[r.CurrencyReceivables]: ...
    @property
    def months(self) -> Sequence[str]: ...


class AgeBucketsOut(ResponseModel):
    current: str = Field(description="Not yet due")
    days_1_to_30: str
    days_31_to_60: str
    days_61_to_90: str
    over_90: str


class MonthOut(ResponseModel):
    month: str = Field(examples=["2026-06"])
    issued: str = Field(description="Totals of invoices issued that month (void ones count as zero)")
    collected: str = Field(description="Payments recorded that month")
    written_off: str = Field(description="Amounts due of invoices marked uncollectible that month")
    voided: int = Field(description="Invoices voided that month (their value is zero)")


class CurrencyReceivablesOut(ResponseModel):
    currency: str
    outstanding: str = Field(description="What issued invoices still owe")
    overdue: str
    buckets: AgeBucketsOut = Field(description="Outstanding by days past due")
    invoice_counts: dict[str, int] = Field(description="Invoices per bucket")
    dso_days: int | None = Field(description="Days sales outstanding over the last three months")
    months: list[MonthOut] = Field(description="The last six months, newest first")


class ReceivablesOut(ResponseModel):
    as_of: date
    currencies: list[CurrencyReceivablesOut] = Field(description="One per currency; never added together")

    @classmethod
    def of(cls, report: ReceivablesReport) -> ReceivablesOut:
        def amount(minor: int, currency: str) -> str:
            return money.format_amount(minor, currency)

        out = []
        for row in report.currencies:
            c = row.currency
            b = row.buckets
            out.append(
                CurrencyReceivablesOut(
                    currency=c,
                    outstanding=amount(row.outstanding, c),
                    overdue=amount(row.overdue, c),
                    buckets=AgeBucketsOut(
                        current=amount(b["current"], c),
                        days_1_to_30=amount(b["1_30"], c),
                        days_31_to_60=amount(b["31_60"], c),
                        days_61_to_90=amount(b["61_90"], c),
                        over_90=amount(b["over_90"], c),
                    ),
                    invoice_counts=dict(row.counts),
                    dso_days=row.dso_days,
                    months=[
                        MonthOut(
                            month=m,
                            issued=amount(row.months.get(m, {}).get(r.ISSUED, 0), c),
                            collected=amount(row.months.get(m, {}).get(r.COLLECTED, 0), c),
                            written_off=amount(row.months.get(m, {}).get(r.WRITTEN_OFF, 0), c),
                            voided=row.months.get(m, {}).get(r.VOIDED, 0),
                        )
                        for m in report.months
                    ],
                )
            )
        return cls(as_of=report.as_of, currencies=out)
