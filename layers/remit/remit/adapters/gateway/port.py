"""What Remit needs from a payment gateway, in Remit's words.

``charge`` authorizes and captures in one step, under an idempotency key: the same key
never moves money twice, whatever happens between us and the gateway. When a call ends
without an answer (a timeout, a dropped connection) it raises ``OutcomeUnknown``; the
caller then asks ``lookup`` about the key, and never charges again to find out.

A charge made while the customer is on our page (``on_session``) may answer
``requires_action``: the card's issuer wants the customer to authenticate (3-D Secure).
The charge is then neither paid nor failed; the page runs the challenge and the server
asks ``retrieve`` what became of it. Off-session (AutoPay, the API) the same card fails with
``authentication_required``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from remit.domain.payment_method import BankDetails, CardDetails, GatewayName, MethodType, PaymentMethod

ChargeStatus = Literal["succeeded", "failed", "processing", "requires_action"]


class OutcomeUnknown(Exception):
    """The gateway may or may not have acted on the request: look the key up."""


class MethodRefused(Exception):
    """The gateway would not save the method (unknown token, wrong type ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ChargeOutcome:
    status: ChargeStatus
    charge_id: str | None = None
    code: str | None = None
    message: str | None = None
    # Worth trying again later (a processing error), as opposed to a hard decline.
    retryable: bool = False
    # requires_action on Stripe: what Stripe.js needs to run the challenge. Never stored.
    client_secret: str | None = None


@dataclass(frozen=True)
class OnSession:
    """The customer is on our page and can authenticate: a charge may answer
    ``requires_action``, and a redirect-based challenge comes back to ``return_url``."""

    return_url: str


@dataclass(frozen=True)
class Mandate:
    """The customer's acceptance of a bank debit mandate (SEPA) or authorization (ACH), as
    the page recorded it: when, from where, and the text they agreed to."""

    accepted_at: datetime
    text: str
    ip_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class SavedMethod:
    type: MethodType
    ref: str
    customer: str | None = None
    card: CardDetails | None = None
    bank: BankDetails | None = None


@dataclass(frozen=True)
class RefundOutcome:
    refund_id: str
    status: Literal["succeeded", "pending", "failed"]


class Gateway(Protocol):
    name: GatewayName

    def save_method(
        self,
        *,
        org_id: str,
        account_id: str,
        method_type: MethodType,
        token: str,
        customer: str | None,
        mandate: Mandate | None = None,
    ) -> SavedMethod:
        """Attach the method the token names for off-session charges (a SetupIntent), to
        ``customer`` (the account's gateway customer) or to a new one. A bank debit needs
        the customer's ``mandate``."""
        ...

    def charge(
        self,
        *,
        org_id: str,
        amount: int,
        currency: str,
        method: PaymentMethod,
        idempotency_key: str,
        on_session: OnSession | None = None,
    ) -> ChargeOutcome:
        """Charge ``amount`` minor units now; raises OutcomeUnknown if the answer is lost.
        ``on_session``: the customer is here and may be asked to authenticate."""
        ...

    def retrieve(self, *, org_id: str, charge_id: str, idempotency_key: str) -> ChargeOutcome:
        """The charge's state now, by its id (after a challenge: did it authenticate?)."""
        ...

    def cancel(self, *, org_id: str, charge_id: str, idempotency_key: str) -> ChargeOutcome:
        """Stop waiting for the customer's authentication: a charge still awaiting it is
        cancelled and fails (``authentication_abandoned``); one that went through meanwhile
        answers its real state, so nothing is lost either way."""
        ...

    def lookup(self, *, org_id: str, idempotency_key: str) -> ChargeOutcome | None:
        """What became of the charge made under the key; None if the gateway never got it."""
        ...

    def refund(
        self, *, org_id: str, charge_id: str, amount: int, currency: str, idempotency_key: str
    ) -> RefundOutcome:
        """Give money back (later issues use it; here so both adapters are held to it)."""
        ...
