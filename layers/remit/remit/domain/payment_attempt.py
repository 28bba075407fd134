"""One try at charging an invoice through the gateway.

An attempt is claimed (written ``pending``, with its idempotency key) before the gateway
is called, and settled afterwards. The key is the invoice id and the attempt's number, so
whoever finds an unsettled attempt (the claimer after a timeout, a worker after a crash)
asks the gateway about that key instead of charging again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from remit.domain.base import DomainModel
from remit.domain.payment_method import GatewayName, MethodType

# requires_action: the customer must authenticate (3-D Secure) on the hosted page; still open.
AttemptStatus = Literal["pending", "processing", "requires_action", "succeeded", "failed", "abandoned"]
Trigger = Literal["manual", "autopay", "retry", "checkout", "dunning"]

# A claimed attempt belongs to its claimer for this long; only after it may anyone else
# reconcile it. Longer than any function's timeout (the API's is 15 s, the AutoPay
# worker's 60 s), so the claimer is surely gone, and than the gateway's own search lag.
CLAIM_LEASE = timedelta(minutes=5)
# How often a bank debit the gateway accepted (ACH, SEPA) is asked whether it settled.
PROCESSING_POLL = timedelta(days=1)


def idempotency_key(invoice_id: str, number: int) -> str:
    return f"{invoice_id}-attempt-{number}"


class PaymentAttempt(DomainModel):
    number: int
    invoice_id: str
    idempotency_key: str
    amount: int
    currency: str
    payment_method_id: str
    method_type: MethodType
    trigger: Trigger
    status: AttemptStatus = "pending"
    gateway: GatewayName
    gateway_charge_id: str | None = None
    gateway_code: str | None = None
    gateway_message: str | None = None
    retryable: bool | None = None
    # For a retryable failure of an AutoPay charge: when the next attempt is due.
    next_attempt_at: datetime | None = None
    created_at: datetime
    settled_at: datetime | None = None

    @property
    def settled(self) -> bool:
        return self.status in ("succeeded", "failed", "abandoned")
