"""The sandbox gateway: local, deterministic, and named like Stripe's test mode, so a test
reads the same on both adapters.

Cards (Stripe's test PaymentMethods; the checkout page's card form takes the matching
test card numbers, ``TEST_CARD_NUMBERS``):
  pm_card_visa, pm_card_mastercard, pm_card_amex  succeed
  pm_card_chargeDeclined                           hard decline (generic_decline)
  pm_card_chargeDeclinedInsufficientFunds          hard decline (insufficient_funds)
  pm_card_chargeDeclinedExpiredCard                hard decline (expired_card)
  pm_card_chargeDeclinedProcessingError            retryable (processing_error)
  pm_card_expiringSoon                             succeeds; the card expires this month
  pm_card_authenticationRequired                   3-D Secure: on the page the charge waits
                                                   for the customer's challenge; off-session
                                                   it fails (authentication_required)
Bank debits are accepted at once and settle some days later on the clock:
  pm_usBankAccount_success / pm_usBankAccount_accountClosed    ACH, 4 days
  pm_sepaDebit_success / pm_sepaDebit_insufficientFunds        SEPA, 5 days
(the second of each fails after acceptance). The hosted pages' bank forms take Stripe's test
accounts (``TEST_ACH_ACCOUNTS``, ``TEST_IBANS``) and name these methods with them.

The sandbox's 3-D Secure challenge is a page of ours (remit.pages) with "Complete" and
"Fail" buttons, standing in for the card issuer: it calls ``authenticate``; the server then
asks ``retrieve`` for the outcome, as it asks Stripe.

Its ledger lives in the table (``store.sandbox``), keyed by idempotency key, so a replayed
key gets the first answer and a lookup from another process finds the charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from remit.adapters.gateway.port import (
    ChargeOutcome,
    Mandate,
    MethodRefused,
    OnSession,
    RefundOutcome,
    SavedMethod,
)
from remit.clock import Clock
from remit.domain.payment_method import BankDetails, CardDetails, GatewayName, MethodType, PaymentMethod
from remit.store.sandbox import SandboxLedger
from remit.store.table import Item


@dataclass(frozen=True)
class Behaviour:
    type: MethodType
    brand: str
    last4: str
    code: str | None = None  # None: the charge succeeds
    message: str | None = None
    retryable: bool = False
    settles_after: timedelta | None = None  # bank debits
    expires_this_month: bool = False
    authenticates: bool = False  # 3-D Secure: every charge needs the customer's challenge


CARDS: dict[str, Behaviour] = {
    "pm_card_visa": Behaviour("card", "visa", "4242"),
    "pm_card_mastercard": Behaviour("card", "mastercard", "4444"),
    "pm_card_amex": Behaviour("card", "amex", "8431"),
    "pm_card_chargeDeclined": Behaviour("card", "visa", "0002", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": Behaviour(
        "card", "visa", "9995", "insufficient_funds", "Your card has insufficient funds."
    ),
    "pm_card_chargeDeclinedExpiredCard": Behaviour(
        "card", "visa", "0069", "expired_card", "Your card has expired."
    ),
    "pm_card_chargeDeclinedProcessingError": Behaviour(
        "card",
        "visa",
        "0119",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
        retryable=True,
    ),
    "pm_card_expiringSoon": Behaviour("card", "visa", "4242", expires_this_month=True),
    "pm_card_authenticationRequired": Behaviour("card", "visa", "3184", authenticates=True),
}
BANKS: dict[str, Behaviour] = {
    "pm_usBankAccount_success": Behaviour("ach", "STRIPE TEST BANK", "6789", settles_after=timedelta(days=4)),
    "pm_usBankAccount_accountClosed": Behaviour(
        "ach",
        "STRIPE TEST BANK",
        "1113",
        "account_closed",
        "The bank account has been closed.",
        settles_after=timedelta(days=4),
    ),
    "pm_sepaDebit_success": Behaviour("sepa", "STRIPE TEST BANK", "3000", settles_after=timedelta(days=5)),
    "pm_sepaDebit_insufficientFunds": Behaviour(
        "sepa",
        "STRIPE TEST BANK",
        "3001",
        "insufficient_funds",
        "The account has insufficient funds.",
        settles_after=timedelta(days=5),
    ),
}
BEHAVIOURS = CARDS | BANKS

# The card form of the checkout page (issue 5) maps Stripe's test card numbers to these.
TEST_CARD_NUMBERS: dict[str, str] = {
    "4242424242424242": "pm_card_visa",
    "5555555555554444": "pm_card_mastercard",
    "378282246310005": "pm_card_amex",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
    "4000000000000069": "pm_card_chargeDeclinedExpiredCard",
    "4000000000000119": "pm_card_chargeDeclinedProcessingError",
    "4000002760003184": "pm_card_authenticationRequired",
}
# The bank forms: Stripe's test bank accounts. ACH takes the test routing number
# (``TEST_ROUTING_NUMBER``) with one of these account numbers; SEPA one of these IBANs.
TEST_ROUTING_NUMBER = "110000000"
TEST_ACH_ACCOUNTS: dict[str, str] = {
    "000123456789": "pm_usBankAccount_success",
    "000111111113": "pm_usBankAccount_accountClosed",
}
TEST_IBANS: dict[str, str] = {
    "DE89370400440532013000": "pm_sepaDebit_success",
    "DE62370400440532013001": "pm_sepaDebit_insufficientFunds",
}
AUTHENTICATION_REQUIRED = (
    "authentication_required",
    "This card requires authentication; the customer must pay on the invoice page.",
)
AUTHENTICATION_FAILED = (
    "payment_intent_authentication_failure",
    "The provided payment method failed authentication.",
)
AUTHENTICATION_ABANDONED = ("authentication_abandoned", "The customer did not complete authentication.")


def ach_token(routing_number: str, account_number: str) -> str | None:
    """The sandbox method a (validated) US bank account names; None: not a test account."""
    return TEST_ACH_ACCOUNTS.get(account_number) if routing_number == TEST_ROUTING_NUMBER else None


def sepa_token(iban: str) -> str | None:
    """The sandbox method a (validated, compact) IBAN names; None: not a test IBAN."""
    return TEST_IBANS.get(iban)


def _stamp(when: datetime) -> str:
    return when.isoformat()


class SandboxGateway:
    name: GatewayName = "sandbox"

    def __init__(self, ledger: SandboxLedger, clock: Clock) -> None:
        self.ledger = ledger
        self.clock = clock

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
        behaviour = BEHAVIOURS.get(token)
        if behaviour is None:
            raise MethodRefused("resource_missing", f"no such test payment method: {token}")
        if behaviour.type != method_type:
            raise MethodRefused("payment_method_type_mismatch", f"{token} is a {behaviour.type} method")
        now = self.clock.now()
        if mandate is not None:
            # Like Stripe's Mandate object: the gateway keeps the customer's acceptance.
            self.ledger.record(
                org_id,
                "mandate",
                f"{account_id}-{token}-{_stamp(mandate.accepted_at)}",
                {
                    "accountId": account_id,
                    "method": token,
                    "acceptedAt": _stamp(mandate.accepted_at),
                    "text": mandate.text,
                    "ipAddress": mandate.ip_address,
                    "userAgent": (mandate.user_agent or "")[:300],
                },
            )
        if behaviour.type == "card":
            month, year = (now.month, now.year) if behaviour.expires_this_month else (12, now.year + 3)
            card = CardDetails(brand=behaviour.brand, last4=behaviour.last4, exp_month=month, exp_year=year)
            return SavedMethod(
                type="card", ref=token, customer=customer or f"cus_sandbox_{account_id}", card=card
            )
        bank = BankDetails(
            bank_name=behaviour.brand,
            last4=behaviour.last4,
            country="US" if behaviour.type == "ach" else "DE",
        )
        return SavedMethod(
            type=behaviour.type, ref=token, customer=customer or f"cus_sandbox_{account_id}", bank=bank
        )

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
        behaviour = BEHAVIOURS.get(method.gateway_ref)
        now = self.clock.now()
        entry: dict[str, object] = {
            "chargeId": f"ch_sandbox_{idempotency_key}",
            "amount": amount,
            "currency": currency,
            "method": method.gateway_ref,
            "createdAt": _stamp(now),
        }
        if behaviour is None:
            entry |= {"status": "failed", "code": "resource_missing", "message": "unknown payment method"}
        elif behaviour.authenticates and on_session is None:
            # Off-session nobody can answer the challenge: the issuer declines.
            code, message = AUTHENTICATION_REQUIRED
            entry |= {"status": "failed", "code": code, "message": message}
        elif behaviour.authenticates and on_session is not None:
            # On our page: the charge waits for the sandbox challenge (``authenticate``).
            entry |= {"status": "requires_action", "returnUrl": on_session.return_url}
        elif behaviour.settles_after is not None:
            entry |= {"status": "processing", "settlesAt": _stamp(now + behaviour.settles_after)}
        elif behaviour.code is None:
            entry |= {"status": "succeeded"}
        else:
            entry |= {"status": "failed", "code": behaviour.code, "message": behaviour.message}
        return self._outcome(self.ledger.record(org_id, "charge", idempotency_key, entry))

    def lookup(self, *, org_id: str, idempotency_key: str) -> ChargeOutcome | None:
        item = self.ledger.get(org_id, "charge", idempotency_key)
        return None if item is None else self._outcome(item)

    def retrieve(self, *, org_id: str, charge_id: str, idempotency_key: str) -> ChargeOutcome:
        item = self.ledger.get(org_id, "charge", idempotency_key)
        if item is None or item["chargeId"] != charge_id:
            return ChargeOutcome(status="failed", code="resource_missing", message="no such charge")
        return self._outcome(item)

    def authenticate(self, *, org_id: str, idempotency_key: str, succeed: bool) -> ChargeOutcome | None:
        """The sandbox's stand-in for the issuer's challenge: the customer completed (or
        failed) it. Only a charge awaiting authentication moves, once; None: no such charge."""
        code, message = AUTHENTICATION_FAILED
        changes: dict[str, object] = (
            {"status": "succeeded"} if succeed else {"status": "failed", "code": code, "message": message}
        )
        item = self.ledger.transition(
            org_id,
            "charge",
            idempotency_key,
            "requires_action",
            {**changes, "authenticatedAt": _stamp(self.clock.now())},
        )
        return None if item is None else self._outcome(item)

    def cancel(self, *, org_id: str, charge_id: str, idempotency_key: str) -> ChargeOutcome:
        code, message = AUTHENTICATION_ABANDONED
        item = self.ledger.transition(
            org_id,
            "charge",
            idempotency_key,
            "requires_action",
            {"status": "failed", "code": code, "message": message, "canceledAt": _stamp(self.clock.now())},
        )
        if item is None or item["chargeId"] != charge_id:
            return ChargeOutcome(status="failed", code="resource_missing", message="no such charge")
        return self._outcome(item)

    def refund(
        self, *, org_id: str, charge_id: str, amount: int, currency: str, idempotency_key: str
    ) -> RefundOutcome:
        item = self.ledger.record(
            org_id,
            "refund",
            idempotency_key,
            {
                "refundId": f"re_sandbox_{idempotency_key}",
                "chargeId": charge_id,
                "amount": amount,
                "currency": currency,
                "status": "succeeded",
                "createdAt": _stamp(self.clock.now()),
            },
        )
        return RefundOutcome(refund_id=str(item["refundId"]), status="succeeded")

    def _outcome(self, item: Item) -> ChargeOutcome:
        status = item["status"]
        behaviour = BEHAVIOURS.get(str(item.get("method")))
        if status == "processing" and behaviour is not None:
            # A bank debit settles once the clock has passed its settlement time.
            if self.clock.now() < datetime.fromisoformat(item["settlesAt"]):
                return ChargeOutcome(status="processing", charge_id=item["chargeId"])
            if behaviour.code is None:
                return ChargeOutcome(status="succeeded", charge_id=item["chargeId"])
            return ChargeOutcome(
                status="failed", charge_id=item["chargeId"], code=behaviour.code, message=behaviour.message
            )
        return ChargeOutcome(
            status=status,
            charge_id=item["chargeId"],
            code=item.get("code"),
            message=item.get("message"),
            retryable=bool(behaviour and behaviour.retryable and status == "failed"),
        )
