"""Billing periods. Period boundaries are the billing anchor plus whole multiples of the
interval, always counted from the anchor (never from the previous boundary), so a
subscription anchored on January 31 renews on February 28, March 31, April 30 ... and
never drifts to the 28th. Month arithmetic clamps to the month's end (dateutil)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    def label(self) -> str:
        """How a line names its period: from the start date to the renewal date, as ISO
        dates so the label reads the same in every language (Stripe prints it the same way)."""
        return f"{self.start.date().isoformat()} to {self.end.date().isoformat()}"


def boundary(anchor: datetime, months: int, k: int) -> datetime:
    """The k-th boundary (k may be negative): anchor + k periods of ``months`` months."""
    moved: datetime = anchor + relativedelta(months=months * k)
    return moved


def index_at(anchor: datetime, months: int, when: datetime) -> int:
    """The k whose period [boundary k, boundary k+1) contains ``when``."""
    # A first guess from the calendar, then corrected for clamped month ends.
    k = ((when.year - anchor.year) * 12 + (when.month - anchor.month)) // months
    while boundary(anchor, months, k) > when:
        k -= 1
    while boundary(anchor, months, k + 1) <= when:
        k += 1
    return k


def period_from(anchor: datetime, months: int, start: datetime) -> Period:
    """The period that begins at ``start``: up to the next boundary after it. When
    ``start`` is itself a boundary that is a whole period; otherwise a shorter stub."""
    k = index_at(anchor, months, start)
    return Period(start, boundary(anchor, months, k + 1))


def next_boundary_at_or_after(anchor: datetime, months: int, when: datetime) -> datetime:
    k = index_at(anchor, months, when)
    at = boundary(anchor, months, k)
    return at if at == when else boundary(anchor, months, k + 1)


def fraction_of_full(anchor: datetime, months: int, period: Period) -> Decimal:
    """How much of a whole period ``period`` covers (1 for a whole one), by seconds."""
    k = index_at(anchor, months, period.start)
    full = boundary(anchor, months, k + 1) - boundary(anchor, months, k)
    return Decimal((period.end - period.start).total_seconds()) / Decimal(full.total_seconds())
