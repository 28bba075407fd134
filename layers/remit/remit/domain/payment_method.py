"""Saved payment methods. Remit never sees a card number: a method is a gateway's
reference (a Stripe PaymentMethod id, a sandbox test name) plus what may be shown of it."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from remit.domain.base import DomainModel

MethodType = Literal["card", "ach", "sepa", "wire", "check"]
GatewayName = Literal["sandbox", "stripe"]

# Collected by the gateway without the customer doing anything; the others are paid by
# the customer (wire, check) and recorded by hand (POST /invoices/{id}/payments).
AUTO_COLLECTABLE: frozenset[MethodType] = frozenset({"card", "ach", "sepa"})
METHOD_TYPES: tuple[MethodType, ...] = ("card", "ach", "sepa", "wire", "check")

# The seed: "Card expiring within 30 days" sends payment_method_expiring.
EXPIRY_WARNING = timedelta(days=30)


class CardDetails(DomainModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def expires_at(self) -> datetime:
        """A card is good through the last day of its expiry month."""
        last = calendar.monthrange(self.exp_year, self.exp_month)[1]
        return datetime(self.exp_year, self.exp_month, last, tzinfo=UTC) + timedelta(days=1)


class BankDetails(DomainModel):
    bank_name: str | None = None
    last4: str
    country: str | None = None


class PaymentMethod(DomainModel):
    id: str
    organization_id: str
    account_id: str
    type: MethodType
    gateway: GatewayName
    # The gateway's handle for the method (and the customer it is attached to, if any).
    gateway_ref: str
    gateway_customer: str | None = None
    card: CardDetails | None = None
    bank: BankDetails | None = None
    # Set once payment_method.expiring has been written, so it is written once.
    expiry_notified_at: datetime | None = None
    created_at: datetime
    version: int = 1

    @property
    def auto_collectable(self) -> bool:
        return self.type in AUTO_COLLECTABLE

    def expiry_warning_at(self) -> datetime | None:
        """When to warn that the card expires (None: nothing to warn about, or done)."""
        if self.card is None or self.expiry_notified_at is not None:
            return None
        return self.card.expires_at() - EXPIRY_WARNING

    def expires_within_warning(self, today: date) -> bool:
        warn = self.expiry_warning_at()
        return warn is not None and warn.date() <= today

    def label(self) -> str:
        if self.card:
            return f"{self.card.brand} •••• {self.card.last4}"
        if self.bank:
            return f"{self.type.upper()} •••• {self.bank.last4}"
        return self.type
