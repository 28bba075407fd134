"""The Stripe adapter, on the official SDK.

Charges are PaymentIntents created and confirmed in one call, off-session, under Remit's
idempotency key (Stripe returns the first answer for a replayed key and never charges
twice for it); the key is also written in the intent's metadata, so ``lookup`` can find
the intent with the Search API after an answer was lost. Methods are saved with a
confirmed SetupIntent (usage off_session) on the account's Stripe customer.

The SDK is imported here only; the API imports this module only when an organization
that uses Stripe charges, so it adds nothing to a cold start otherwise."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
import stripe
from botocore.exceptions import ClientError

from remit.adapters.gateway.port import (
    ChargeOutcome,
    Mandate,
    MethodRefused,
    OnSession,
    OutcomeUnknown,
    RefundOutcome,
    SavedMethod,
)
from remit.domain.payment_method import BankDetails, CardDetails, GatewayName, MethodType, PaymentMethod
from remit.errors import Unavailable
from remit.settings import get_settings

if TYPE_CHECKING:
    from stripe import PaymentIntent

METADATA_KEY = "remit_idempotency_key"
STRIPE_TYPES: dict[MethodType, str] = {"card": "card", "ach": "us_bank_account", "sepa": "sepa_debit"}
# Declines worth trying again later; anything else a card issuer says is final.
RETRYABLE_CODES = frozenset(
    {"processing_error", "try_again_later", "issuer_not_available", "reenter_transaction"}
)


@cache
def secret_key() -> str:
    """The secret key, from SSM Parameter Store (a SecureString) or Secrets Manager, named
    by the settings (``STRIPE_SECRET_PARAMETER``, ``STRIPE_SECRET_ID``). Read once per
    container."""
    settings = get_settings()
    try:
        if name := settings.stripe_secret_parameter:
            out = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
            return str(out["Parameter"]["Value"])
        if secret_id := settings.stripe_secret_id:
            return str(boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    except ClientError as exc:
        # An organization chose Stripe in a deployment whose secret was never stored: the
        # charge cannot start, and nothing was sent anywhere.
        raise Unavailable("Stripe is not set up in this deployment (its secret key is missing)") from exc
    raise Unavailable("Stripe is not set up in this deployment (no secret key is configured)")


def _get(obj: Any, key: str) -> Any:
    """A field of a Stripe object (or a dict) or None: the SDK's objects are not dicts and
    have no ``get``."""
    return obj[key] if obj is not None and key in obj else None


def _status(intent: Any) -> ChargeOutcome:
    status = intent["status"]
    if status == "succeeded":
        return ChargeOutcome(status="succeeded", charge_id=intent["id"])
    if status == "processing":
        return ChargeOutcome(status="processing", charge_id=intent["id"])
    if status == "requires_action":
        # 3-D Secure (or another next_action): Stripe.js runs it with the client secret.
        return ChargeOutcome(
            status="requires_action", charge_id=intent["id"], client_secret=_get(intent, "client_secret")
        )
    if status == "canceled":
        abandoned = _get(intent, "cancellation_reason") == "abandoned"
        return ChargeOutcome(
            status="failed",
            charge_id=intent["id"],
            code="authentication_abandoned" if abandoned else "canceled",
            message="The customer did not complete authentication."
            if abandoned
            else "The payment was canceled.",
        )
    error = _get(intent, "last_payment_error") or {}
    code = _get(error, "decline_code") or _get(error, "code") or status
    return ChargeOutcome(
        status="failed",
        charge_id=intent["id"],
        code=code,
        message=_get(error, "message") or f"the payment intent is {status}",
        retryable=code in RETRYABLE_CODES,
    )


class StripeGateway:
    name: GatewayName = "stripe"

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @classmethod
    def from_environment(cls) -> StripeGateway:
        # The SDK's own network retries resend the same idempotency key, which is safe.
        return cls(stripe.StripeClient(secret_key(), max_network_retries=2))

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
        v1 = self.client.v1
        try:
            if customer is None:
                customer = v1.customers.create(
                    {"metadata": {"remit_organization_id": org_id, "remit_account_id": account_id}},
                    {"idempotency_key": f"remit-customer-{org_id}-{account_id}"},
                ).id
            params: Any = {
                "customer": customer,
                "payment_method": token,
                "payment_method_types": [STRIPE_TYPES[method_type]],
                "usage": "off_session",
                "confirm": True,
                "expand": ["payment_method"],
            }
            if mandate is not None:
                # A bank debit: the customer's acceptance, recorded by Stripe as a Mandate.
                params["mandate_data"] = {
                    "customer_acceptance": {
                        "type": "online",
                        "accepted_at": int(mandate.accepted_at.timestamp()),
                        "online": {
                            "ip_address": mandate.ip_address or "",
                            "user_agent": mandate.user_agent or "",
                        },
                    }
                }
            setup = v1.setup_intents.create(
                params, {"idempotency_key": f"remit-setup-{org_id}-{account_id}-{token}"}
            )
        except stripe.StripeError as exc:
            raise MethodRefused(exc.code or "stripe_error", exc.user_message or str(exc)) from exc
        if setup.status == "requires_action" and method_type == "ach":
            # A US bank account typed by hand is verified with microdeposits first.
            raise MethodRefused(
                "verification_required", "the bank account must be verified with microdeposits first"
            )
        if setup.status != "succeeded":
            raise MethodRefused(setup.status, f"the method could not be set up ({setup.status})")
        pm: Any = setup.payment_method
        card = bank = None
        if pm["type"] == "card":
            c = pm["card"]
            card = CardDetails(
                brand=c["brand"], last4=c["last4"], exp_month=c["exp_month"], exp_year=c["exp_year"]
            )
        else:
            b = pm[pm["type"]]
            bank = BankDetails(bank_name=_get(b, "bank_name"), last4=b["last4"], country=_get(b, "country"))
        return SavedMethod(type=method_type, ref=pm["id"], customer=customer, card=card, bank=bank)

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
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": method.gateway_customer or "",
            "payment_method": method.gateway_ref,
            "payment_method_types": [STRIPE_TYPES[method.type]],
            "confirm": True,
            "metadata": {METADATA_KEY: idempotency_key, "remit_organization_id": org_id},
        }
        if on_session is None or method.type != "card":
            # Nobody to authenticate: a card that needs 3-D Secure fails authentication_required.
            # A bank debit is always charged on the mandate given when it was saved.
            params["off_session"] = True
        else:
            # The customer is on the page: Stripe may answer requires_action (3-D Secure),
            # and a redirecting challenge comes back here.
            params["return_url"] = on_session.return_url
        try:
            intent: PaymentIntent = self.client.v1.payment_intents.create(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.CardError as exc:
            # A decline: Stripe made the intent and it failed; its answer is final.
            error = exc.error
            code = (error.decline_code if error else None) or exc.code or "card_declined"
            intent_id = error.payment_intent.id if error and error.payment_intent else None
            return ChargeOutcome(
                status="failed",
                charge_id=intent_id,
                code=code,
                message=exc.user_message or str(exc),
                retryable=code in RETRYABLE_CODES,
            )
        except stripe.InvalidRequestError as exc:
            return ChargeOutcome(
                status="failed", code=exc.code or "invalid_request", message=exc.user_message
            )
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            # The request may or may not have reached Stripe: the caller looks it up.
            raise OutcomeUnknown(str(exc)) from exc
        return _status(intent)

    def lookup(self, *, org_id: str, idempotency_key: str) -> ChargeOutcome | None:
        try:
            found = self.client.v1.payment_intents.search(
                {"query": f"metadata['{METADATA_KEY}']:'{idempotency_key}'", "limit": 1}
            )
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise OutcomeUnknown(str(exc)) from exc
        return _status(found.data[0]) if found.data else None

    def retrieve(self, *, org_id: str, charge_id: str, idempotency_key: str) -> ChargeOutcome:
        try:
            intent = self.client.v1.payment_intents.retrieve(charge_id)
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise OutcomeUnknown(str(exc)) from exc
        return _status(intent)

    def cancel(self, *, org_id: str, charge_id: str, idempotency_key: str) -> ChargeOutcome:
        try:
            intent = self.client.v1.payment_intents.cancel(
                charge_id,
                {"cancellation_reason": "abandoned"},
                {"idempotency_key": f"{idempotency_key}-cancel"},
            )
        except stripe.InvalidRequestError:
            # Not cancelable any more: it succeeded or failed meanwhile. Its state stands.
            return self.retrieve(org_id=org_id, charge_id=charge_id, idempotency_key=idempotency_key)
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise OutcomeUnknown(str(exc)) from exc
        return _status(intent)

    def refund(
        self, *, org_id: str, charge_id: str, amount: int, currency: str, idempotency_key: str
    ) -> RefundOutcome:
        refund = self.client.v1.refunds.create(
            {"payment_intent": charge_id, "amount": amount}, {"idempotency_key": idempotency_key}
        )
        status = refund.status if refund.status in ("succeeded", "pending", "failed") else "pending"
        return RefundOutcome(refund_id=refund.id, status=status)  # type: ignore[arg-type]
