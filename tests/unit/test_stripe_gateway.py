"""The Stripe adapter against recorded Stripe-shaped responses, through the SDK's own
pluggable HTTP client: real request building, real error classes, no network."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from remit.adapters.gateway.port import OutcomeUnknown
from remit.adapters.gateway.stripe_gateway import StripeGateway
from remit.domain.payment_method import PaymentMethod

INTENT = {
    "id": "pi_3QxRemit",
    "object": "payment_intent",
    "amount": 12050,
    "currency": "usd",
    "status": "succeeded",
    "customer": "cus_Remit",
    "payment_method": "pm_1Remit",
    "metadata": {"remit_idempotency_key": "inv_1-attempt-1"},
    "last_payment_error": None,
}
DECLINE = {
    "error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "payment_intent": {
            **INTENT,
            "id": "pi_3QxDeclined",
            "status": "requires_payment_method",
            "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds"},
        },
    }
}
PROCESSING_ERROR = {
    "error": {
        "type": "card_error",
        "code": "processing_error",
        "message": "An error occurred while processing your card. Try again in a little bit.",
        "payment_intent": {**INTENT, "id": "pi_3QxProc", "status": "requires_payment_method"},
    }
}
SETUP = {
    "id": "seti_1Remit",
    "object": "setup_intent",
    "status": "succeeded",
    "customer": "cus_Remit",
    "usage": "off_session",
    "payment_method": {
        "id": "pm_1Remit",
        "object": "payment_method",
        "type": "card",
        "card": {"brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2031},
    },
}


class Recorded(stripe.HTTPClient):
    """Answers each request with the next recorded response and keeps what was sent."""

    name = "recorded"

    def __init__(self, *responses: tuple[int, Any] | Exception) -> None:
        super().__init__()
        self.responses = list(responses)
        self.sent: list[dict[str, Any]] = []

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        form = parse_qs(post_data.decode() if isinstance(post_data, bytes) else post_data or "")
        self.sent.append({"method": method, "url": url, "headers": dict(headers or {}), "form": form})
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        status, body = response
        return json.dumps(body), status, {"request-id": "req_recorded"}

    def close(self) -> None:
        pass


def gateway(http: Recorded) -> StripeGateway:
    return StripeGateway(stripe.StripeClient("sk_test_recorded", http_client=http, max_network_retries=0))


def card() -> PaymentMethod:
    return PaymentMethod(
        id="pm_remit",
        organization_id="org_1",
        account_id="acc_1",
        type="card",
        gateway="stripe",
        gateway_ref="pm_1Remit",
        gateway_customer="cus_Remit",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def charge(http: Recorded) -> Any:
    return gateway(http).charge(
        org_id="org_1", amount=12050, currency="USD", method=card(), idempotency_key="inv_1-attempt-1"
    )


def test_a_charge_is_a_confirmed_off_session_payment_intent_under_our_key() -> None:
    http = Recorded((200, INTENT))
    outcome = charge(http)
    assert (outcome.status, outcome.charge_id) == ("succeeded", "pi_3QxRemit")
    [sent] = http.sent
    assert sent["method"] == "post"
    assert sent["url"].endswith("/v1/payment_intents")
    assert sent["headers"]["Idempotency-Key"] == "inv_1-attempt-1"
    form = sent["form"]
    assert form["amount"] == ["12050"]
    assert form["currency"] == ["usd"]
    assert (form["off_session"], form["confirm"]) == (["true"], ["true"])
    assert (form["customer"], form["payment_method"]) == (["cus_Remit"], ["pm_1Remit"])
    assert form["metadata[remit_idempotency_key]"] == ["inv_1-attempt-1"]


def test_a_decline_is_a_final_failure_with_the_decline_code() -> None:
    outcome = charge(Recorded((402, DECLINE)))
    assert (outcome.status, outcome.code, outcome.retryable) == ("failed", "insufficient_funds", False)
    assert outcome.charge_id == "pi_3QxDeclined"
    assert outcome.message == "Your card has insufficient funds."


def test_a_processing_error_is_retryable() -> None:
    outcome = charge(Recorded((402, PROCESSING_ERROR)))
    assert (outcome.status, outcome.code, outcome.retryable) == ("failed", "processing_error", True)


@pytest.mark.parametrize(
    "failure",
    [
        stripe.APIConnectionError("Request timed out"),
        (500, {"error": {"type": "api_error", "message": "Something went wrong"}}),
    ],
)
def test_a_lost_answer_is_unknown_and_lookup_finds_the_intent_by_our_key(failure: Any) -> None:
    http = Recorded(
        failure,
        (
            200,
            {
                "object": "search_result",
                "data": [INTENT],
                "has_more": False,
                "url": "/v1/payment_intents/search",
            },
        ),
    )
    with pytest.raises(OutcomeUnknown):
        charge(http)
    outcome = gateway(http).lookup(org_id="org_1", idempotency_key="inv_1-attempt-1")
    assert outcome is not None
    assert (outcome.status, outcome.charge_id) == ("succeeded", "pi_3QxRemit")
    search = http.sent[-1]
    assert search["method"] == "get"
    query = parse_qs(urlsplit(search["url"]).query)
    assert query["query"] == ["metadata['remit_idempotency_key']:'inv_1-attempt-1'"]


def test_lookup_of_a_key_stripe_never_saw_is_none() -> None:
    empty = {"object": "search_result", "data": [], "has_more": False, "url": "/v1/payment_intents/search"}
    assert gateway(Recorded((200, empty))).lookup(org_id="org_1", idempotency_key="inv_1-attempt-9") is None


def test_saving_a_method_confirms_an_off_session_setup_intent_on_a_new_customer() -> None:
    http = Recorded((200, {"id": "cus_Remit", "object": "customer"}), (200, SETUP))
    saved = gateway(http).save_method(
        org_id="org_1", account_id="acc_1", method_type="card", token="pm_card_visa", customer=None
    )
    assert (saved.ref, saved.customer) == ("pm_1Remit", "cus_Remit")
    assert saved.card is not None
    assert (saved.card.brand, saved.card.last4, saved.card.exp_month, saved.card.exp_year) == (
        "visa",
        "4242",
        8,
        2031,
    )
    customer, setup = http.sent
    assert customer["url"].endswith("/v1/customers")
    assert customer["headers"]["Idempotency-Key"] == "remit-customer-org_1-acc_1"
    assert setup["url"].endswith("/v1/setup_intents")
    assert setup["form"]["usage"] == ["off_session"]
    assert setup["form"]["confirm"] == ["true"]
    assert setup["form"]["payment_method"] == ["pm_card_visa"]
    assert setup["form"]["customer"] == ["cus_Remit"]


def test_a_refused_setup_is_method_refused() -> None:
    from remit.adapters.gateway.port import MethodRefused

    missing = {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": "No such PaymentMethod: 'pm_x'",
        }
    }
    with pytest.raises(MethodRefused) as refused:
        gateway(Recorded((400, missing))).save_method(
            org_id="org_1", account_id="acc_1", method_type="card", token="pm_x", customer="cus_Remit"
        )
    assert refused.value.code == "resource_missing"
