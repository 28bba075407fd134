"""What Remit needs from a payment gateway, in Remit's words.

``charge`` authorizes and captures in one step, under an idempotency key: the same key
never moves money twice, whatever happens between us and the gateway. When a call ends
without an answer (a timeout, a dropped connection) it raises ``OutcomeUnknown``; the
caller then asks ``lookup`` about the key, and never charges again to find out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from remit.domain.payment_method import BankDetails, CardDetails, GatewayName, MethodType, PaymentMethod

ChargeStatus = Literal["succeeded", "failed", "processing"]


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
        self, *, org_id: str, account_id: str, method_type: MethodType, token: str, customer: str | None
    ) -> SavedMethod:
        """Attach the method the token names for off-session charges (a SetupIntent), to
        ``customer`` (the account's gateway customer) or to a new one."""
        ...

    def charge(
        self, *, org_id: str, amount: int, currency: str, method: PaymentMethod, idempotency_key: str
    ) -> ChargeOutcome:
        """Charge ``amount`` minor units now; raises OutcomeUnknown if the answer is lost."""
        ...

    def lookup(self, *, org_id: str, idempotency_key: str) -> ChargeOutcome | None:
        """What became of the charge made under the key; None if the gateway never got it."""
        ...

    def refund(
        self, *, org_id: str, charge_id: str, amount: int, currency: str, idempotency_key: str
    ) -> RefundOutcome:
        """Give money back (later issues use it; here so both adapters are held to it)."""
        ...
