"""The organization's payment settings: which methods it accepts, the wire instructions
shown on invoices, which gateway collects, and how failed charges are retried."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from remit.domain.base import DomainModel
from remit.domain.payment_method import AUTO_COLLECTABLE, METHOD_TYPES, GatewayName, MethodType

MAX_RETRIES = 4


class RetryPolicy(DomainModel):
    """Seed 004: "retry ... up to 4 times", each some hours after the failure before."""

    retries: int = Field(ge=0, le=MAX_RETRIES)
    hours_between: int = Field(ge=1, le=24 * 14)

    def next_attempt_at(self, failures: int, now: datetime) -> datetime | None:
        """After the ``failures``-th failed attempt (the first charge is failure 1), when
        to try again; None once the retries are used up."""
        if failures > self.retries:
            return None
        return now + timedelta(hours=self.hours_between)


# Cards: a declined card often goes through a day later (funds arrive, a bank's fraud
# check clears). Bank debits take days to fail, and each failure can cost the customer a
# bank fee, so they are retried less and further apart.
DEFAULT_RETRY_POLICIES: dict[MethodType, RetryPolicy] = {
    "card": RetryPolicy(retries=3, hours_between=24),
    "ach": RetryPolicy(retries=2, hours_between=72),
    "sepa": RetryPolicy(retries=2, hours_between=72),
}


class WireInstructions(DomainModel):
    bank_name: str
    account_number: str
    routing_number: str | None = None
    # May hold {{invoice_number}}, filled in per invoice.
    reference: str | None = None

    def reference_for(self, invoice_number: str | None) -> str | None:
        if self.reference is None:
            return None
        return self.reference.replace("{{invoice_number}}", invoice_number or "")


class PaymentSettings(DomainModel):
    accepted_methods: list[MethodType] = list(METHOD_TYPES)
    display_wire_instructions: bool = False
    wire_instructions: WireInstructions | None = None
    gateway: GatewayName = "sandbox"
    retry_policies: dict[MethodType, RetryPolicy] = {}

    def retry_policy(self, method: MethodType) -> RetryPolicy:
        if method in self.retry_policies:
            return self.retry_policies[method]
        return DEFAULT_RETRY_POLICIES.get(method, RetryPolicy(retries=0, hours_between=24))

    def effective_retry_policies(self) -> dict[MethodType, RetryPolicy]:
        return {m: self.retry_policy(m) for m in METHOD_TYPES if m in AUTO_COLLECTABLE}

    def accepts(self, method: MethodType) -> bool:
        return method in self.accepted_methods
