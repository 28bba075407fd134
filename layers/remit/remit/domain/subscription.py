"""Subscriptions: items billed in advance, one invoice per period.

    active --pause--> paused --resume--> active
      |                 |
      +----cancel-------+--> canceled      (cancel at period end: stays active until then)

``next_period_start`` is when the next invoice is due; it is None while paused or once
canceled, which is also what takes the subscription out of the billing run's index.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from remit.domain import periods
from remit.domain.base import DomainModel
from remit.domain.catalogue import Interval, Recurring
from remit.domain.invoice import CollectionMethod
from remit.domain.organization import AutoPayTiming
from remit.domain.periods import Period
from remit.errors import InvalidTransition

SubscriptionStatus = Literal["active", "paused", "canceled"]


class SubscriptionItem(DomainModel):
    id: str
    price_id: str
    product_id: str
    description: str
    quantity: Decimal
    # Copied from the price when the item is added: prices never change, and the
    # subscription keeps billing what was agreed even if the price is archived.
    unit_amount: int
    tax_rate: Decimal | None = None


class AutoPayOverride(DomainModel):
    """Per-subscription AutoPay (seed: "Override the customer-level AutoPay settings");
    unset fields fall back to the account's, then the organization's."""

    enabled: bool | None = None
    timing: AutoPayTiming | None = None
    days_before: int | None = None


class Subscription(DomainModel):
    id: str
    organization_id: str
    account_id: str
    status: SubscriptionStatus = "active"
    currency: str
    recurring: Recurring
    items: list[SubscriptionItem]
    # Item changes wait for the next period (no mid-period proration).
    pending_items: list[SubscriptionItem] | None = None
    collection_method: CollectionMethod = "charge_automatically"
    auto_pay: AutoPayOverride | None = None
    start_date: datetime
    billing_anchor: datetime
    next_period_start: datetime | None = None
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    periods_billed: int = 0
    cancel_at_period_end: bool = False
    paused_at: datetime | None = None
    canceled_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def interval(self) -> Interval:
        return self.recurring.interval

    @property
    def months(self) -> int:
        return self.recurring.months

    # -- billing ---------------------------------------------------------------------

    def due_period(self) -> Period:
        """The period whose invoice is due next (from ``next_period_start``)."""
        assert self.next_period_start is not None
        return periods.period_from(self.billing_anchor, self.months, self.next_period_start)

    def proration(self, period: Period) -> Decimal:
        """1 for a whole period; the covered share for the first, shorter one."""
        return periods.fraction_of_full(self.billing_anchor, self.months, period)

    def billed(self, period: Period, now: datetime) -> Subscription:
        """The subscription after the invoice for ``period`` has been generated."""
        items = self.pending_items if self.pending_items is not None else self.items
        return self._next(
            now,
            items=items,
            pending_items=None,
            next_period_start=period.end,
            current_period_start=period.start,
            current_period_end=period.end,
            periods_billed=self.periods_billed + 1,
        )

    def ended_at_period_end(self, now: datetime) -> Subscription:
        """Cancel-at-period-end takes effect when the next period would have started."""
        return self._next(now, status="canceled", canceled_at=self.next_period_start, next_period_start=None)

    # -- lifecycle -------------------------------------------------------------------

    def paused(self, now: datetime) -> Subscription:
        self._require("active", "paused")
        return self._next(now, status="paused", paused_at=now, next_period_start=None)

    def resumed(self, now: datetime) -> Subscription:
        """Billing picks up at the first period boundary from now: the periods that
        began while paused are not billed."""
        self._require("paused", "resumed")
        restart = periods.next_boundary_at_or_after(self.billing_anchor, self.months, now)
        return self._next(now, status="active", paused_at=None, next_period_start=restart)

    def canceled(self, now: datetime, at_period_end: bool) -> Subscription:
        if self.status == "canceled":
            raise InvalidTransition("the subscription is canceled already", field="status")
        if at_period_end:
            self._require("active", "canceled at period end")
            return self._next(now, cancel_at_period_end=True)
        return self._next(now, status="canceled", canceled_at=now, next_period_start=None)

    def with_items(self, items: list[SubscriptionItem], now: datetime) -> Subscription:
        if self.status == "canceled":
            raise InvalidTransition(
                "the subscription is canceled; only active or paused subscriptions can be changed",
                field="status",
            )
        return self._next(now, pending_items=items)

    def _require(self, status: SubscriptionStatus, verb: str) -> None:
        if self.status != status:
            raise InvalidTransition(
                f"the subscription is {self.status}; only {status} subscriptions can be {verb}",
                field="status",
            )

    def _next(self, now: datetime, **changes: object) -> Subscription:
        return self.model_copy(update={**changes, "updated_at": now, "version": self.version + 1})
