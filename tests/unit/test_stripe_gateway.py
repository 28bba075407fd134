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


# -- 3-D Secure and bank debits ---------------------------------------------------------

REQUIRES_ACTION = {
    **INTENT,
    "id": "pi_3QxAuth",
    "status": "requires_action",
    "client_secret": "pi_3QxAuth_secret_abc",
    "next_action": {"type": "use_stripe_sdk", "use_stripe_sdk": {}},
}
AUTH_REQUIRED = {
    "error": {
        "type": "card_error",
        "code": "authentication_required",
        "decline_code": "authentication_required",
        "message": "Your card was declined. This transaction requires authentication.",
        "payment_intent": {**INTENT, "id": "pi_3QxOff", "status": "requires_payment_method"},
    }
}


def test_an_on_session_charge_may_wait_for_3ds_and_carries_the_client_secret_not_off_session() -> None:
    from remit.adapters.gateway.port import OnSession

    http = Recorded((200, REQUIRES_ACTION))
    outcome = gateway(http).charge(
        org_id="org_1",
        amount=12050,
        currency="USD",
        method=card(),
        idempotency_key="inv_1-attempt-1",
        on_session=OnSession("https://pay.example/i/tok/authenticate"),
    )
    assert (outcome.status, outcome.charge_id, outcome.client_secret) == (
        "requires_action",
        "pi_3QxAuth",
        "pi_3QxAuth_secret_abc",
    )
    form = http.sent[0]["form"]
    assert "off_session" not in form  # the customer is here and can authenticate
    assert form["return_url"] == ["https://pay.example/i/tok/authenticate"]
    assert form["payment_method_types[0]"] == ["card"]


def test_off_session_a_card_that_needs_authentication_fails_authentication_required_for_good() -> None:
    outcome = charge(Recorded((402, AUTH_REQUIRED)))
    assert (outcome.status, outcome.code, outcome.retryable) == ("failed", "authentication_required", False)


def test_after_the_challenge_retrieve_reads_the_intent_by_id() -> None:
    failed = {
        **INTENT,
        "id": "pi_3QxAuth",
        "status": "requires_payment_method",
        "last_payment_error": {
            "code": "payment_intent_authentication_failure",
            "message": "The provided PaymentMethod has failed authentication.",
        },
    }
    http = Recorded((200, {**INTENT, "id": "pi_3QxAuth"}), (200, failed))
    ok = gateway(http).retrieve(org_id="org_1", charge_id="pi_3QxAuth", idempotency_key="inv_1-attempt-1")
    assert (ok.status, ok.charge_id) == ("succeeded", "pi_3QxAuth")
    assert http.sent[0]["method"] == "get"
    assert http.sent[0]["url"].endswith("/v1/payment_intents/pi_3QxAuth")
    bad = gateway(http).retrieve(org_id="org_1", charge_id="pi_3QxAuth", idempotency_key="inv_1-attempt-1")
    assert (bad.status, bad.code) == ("failed", "payment_intent_authentication_failure")


def test_an_abandoned_challenge_is_cancelled_and_one_that_went_through_stands() -> None:
    canceled = {**REQUIRES_ACTION, "status": "canceled", "cancellation_reason": "abandoned"}
    http = Recorded((200, canceled))
    outcome = gateway(http).cancel(org_id="org_1", charge_id="pi_3QxAuth", idempotency_key="inv_1-attempt-1")
    assert (outcome.status, outcome.code) == ("failed", "authentication_abandoned")
    assert http.sent[0]["url"].endswith("/v1/payment_intents/pi_3QxAuth/cancel")
    assert http.sent[0]["form"]["cancellation_reason"] == ["abandoned"]

    too_late = {
        "error": {
            "type": "invalid_request_error",
            "code": "payment_intent_unexpected_state",
            "message": "You cannot cancel this PaymentIntent because it has a status of succeeded.",
        }
    }
    http = Recorded((400, too_late), (200, {**INTENT, "id": "pi_3QxAuth"}))
    outcome = gateway(http).cancel(org_id="org_1", charge_id="pi_3QxAuth", idempotency_key="inv_1-attempt-1")
    assert (outcome.status, outcome.charge_id) == ("succeeded", "pi_3QxAuth")


def test_a_bank_account_is_saved_with_the_customers_mandate() -> None:
    from remit.adapters.gateway.port import Mandate

    sepa_setup = {
        **SETUP,
        "payment_method": {
            "id": "pm_1Sepa",
            "object": "payment_method",
            "type": "sepa_debit",
            "sepa_debit": {"bank_code": "37040044", "country": "DE", "last4": "3000"},
        },
    }
    http = Recorded((200, sepa_setup))
    saved = gateway(http).save_method(
        org_id="org_1",
        account_id="acc_1",
        method_type="sepa",
        token="pm_1Sepa",
        customer="cus_Remit",
        mandate=Mandate(
            accepted_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
            text="By accepting this mandate …",
            ip_address="203.0.113.9",
            user_agent="Mozilla/5.0",
        ),
    )
    assert (saved.type, saved.ref) == ("sepa", "pm_1Sepa")
    assert saved.bank is not None
    assert (saved.bank.last4, saved.bank.country) == ("3000", "DE")
    form = http.sent[0]["form"]
    assert form["payment_method_types[0]"] == ["sepa_debit"]
    assert form["mandate_data[customer_acceptance][type]"] == ["online"]
    assert form["mandate_data[customer_acceptance][online][ip_address]"] == ["203.0.113.9"]
    assert form["mandate_data[customer_acceptance][online][user_agent]"] == ["Mozilla/5.0"]


def test_a_us_bank_account_awaiting_microdeposits_is_refused_with_the_reason() -> None:
    from remit.adapters.gateway.port import MethodRefused

    waiting = {
        **SETUP,
        "status": "requires_action",
        "payment_method": {
            "id": "pm_1Ach",
            "object": "payment_method",
            "type": "us_bank_account",
            "us_bank_account": {"bank_name": "STRIPE TEST BANK", "last4": "6789"},
        },
    }
    with pytest.raises(MethodRefused) as refused:
        gateway(Recorded((200, waiting))).save_method(
            org_id="org_1", account_id="acc_1", method_type="ach", token="pm_1Ach", customer="cus_Remit"
        )
    assert refused.value.code == "verification_required"


def test_a_bank_debit_from_the_page_is_still_charged_on_its_mandate_off_session() -> None:
    from remit.adapters.gateway.port import OnSession

    sepa = card().model_copy(update={"type": "sepa", "gateway_ref": "pm_1Sepa"})
    http = Recorded((200, {**INTENT, "status": "processing"}))
    outcome = gateway(http).charge(
        org_id="org_1",
        amount=12050,
        currency="EUR",
        method=sepa,
        idempotency_key="inv_1-attempt-1",
        on_session=OnSession("https://pay.example/i/tok/authenticate"),
    )
    assert outcome.status == "processing"
    form = http.sent[0]["form"]
    assert (form["off_session"], form["payment_method_types[0]"]) == (["true"], ["sepa_debit"])
    assert "return_url" not in form
