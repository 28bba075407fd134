"""Checkout sessions: created through the API, completed as the hosted page will."""

from __future__ import annotations

from datetime import timedelta

import pytest

from remit.clock import FixedClock
from remit.errors import NotFound, PaymentDeclined
from remit.services.checkout import CheckoutService
from remit.services.context import Context
from remit.store.errors import StaleWrite
from tests.support.api_client import ApiClient
from tests.support.builders import issue, line

URLS = {"successUrl": "https://app.example.com/ok", "cancelUrl": "https://app.example.com/cancel"}


def token_of(url: str) -> str:
    return url.rsplit("/checkout/", 1)[1]


def test_a_setup_session_saves_the_method_as_default_once(
    api: ApiClient,
    ctx: Context,
    account: dict,  # type: ignore[type-arg]
) -> None:
    reply = api.post("/checkout-sessions", {"accountId": account["id"], "mode": "setup", **URLS})
    assert reply.status == 201, reply
    session = reply.body
    assert session["id"].startswith("cs_")
    assert (session["status"], session["expiresAt"]) == ("open", "2026-01-16T09:00:00Z")
    token = token_of(session["url"])
    secret = token.split(".")[2]
    assert len(secret) >= 43  # 256 random bits, URL-safe base64
    stored = ctx.store.checkout.get(token.split(".")[0], session["id"])
    assert stored is not None
    assert secret not in str(stored.model_dump())  # only the hash is kept

    done = CheckoutService(ctx).complete_checkout(token, "pm_card_mastercard", make_default=True)
    assert (done.session.status, done.payment_method.is_default) == ("complete", True)
    assert api.get(f"/accounts/{account['id']}").body["defaultPaymentMethodId"] == done.payment_method.id
    with pytest.raises(NotFound):
        CheckoutService(ctx).complete_checkout(token, "pm_card_visa", make_default=False)


def test_a_payment_session_pays_the_invoice_and_a_decline_leaves_it_open(
    api: ApiClient,
    ctx: Context,
    account: dict,  # type: ignore[type-arg]
) -> None:
    inv = issue(api, account["id"], line("42.00"))["id"]
    session = api.post(
        "/checkout-sessions", {"accountId": account["id"], "mode": "payment", "invoiceId": inv, **URLS}
    ).body
    token = token_of(session["url"])
    with pytest.raises(PaymentDeclined):
        CheckoutService(ctx).complete_checkout(token, "pm_card_chargeDeclined", make_default=False)
    done = CheckoutService(ctx).complete_checkout(token, "pm_card_visa", make_default=False)
    assert done.invoice is not None
    assert (done.invoice.status, done.invoice.amount_paid) == ("paid", "42.00")
    attempts = api.get(f"/invoices/{inv}").body["paymentAttempts"]
    assert [(a["trigger"], a["status"]) for a in attempts] == [
        ("checkout", "failed"),
        ("checkout", "succeeded"),
    ]


def test_sessions_expire_and_forged_tokens_open_nothing(
    api: ApiClient,
    ctx: Context,
    clock: FixedClock,
    account: dict,  # type: ignore[type-arg]
) -> None:
    session = api.post("/checkout-sessions", {"accountId": account["id"], "mode": "setup", **URLS}).body
    token = token_of(session["url"])
    org, session_id, _ = token.split(".")
    for forged in (f"{org}.{session_id}.guess", "nonsense", f"{org}.cs_missing.x"):
        with pytest.raises(NotFound):
            CheckoutService(ctx).open(forged)
    clock.advance(timedelta(hours=24))
    with pytest.raises(NotFound):
        CheckoutService(ctx).open(token)


def test_payment_mode_needs_a_payable_invoice_of_the_account(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    missing = api.post("/checkout-sessions", {"accountId": account["id"], "mode": "payment", **URLS})
    assert missing.status == 422
    inv = issue(api, account["id"], line("1500.00"))["id"]
    api.post(f"/invoices/{inv}/void")
    void = api.post(
        "/checkout-sessions", {"accountId": account["id"], "mode": "payment", "invoiceId": inv, **URLS}
    )
    assert (void.status, void.body["code"]) == (409, "invalid_state")
    other = api.post("/accounts", {"name": "Other"}).body["id"]
    foreign = api.post(
        "/checkout-sessions", {"accountId": other, "mode": "payment", "invoiceId": inv, **URLS}
    )
    assert (foreign.status, foreign.body["field"]) == (404, "invoiceId")
    http = api.post(
        "/checkout-sessions",
        {
            "accountId": account["id"],
            "mode": "setup",
            "successUrl": "http://x.io",
            "cancelUrl": "https://x.io",
        },
    )
    assert http.status == 422


def test_completing_twice_at_once_completes_once(
    api: ApiClient,
    ctx: Context,
    account: dict,  # type: ignore[type-arg]
) -> None:
    session = api.post("/checkout-sessions", {"accountId": account["id"], "mode": "setup", **URLS}).body
    token = token_of(session["url"])
    service = CheckoutService(ctx)
    opened = service.open(token)
    service.complete_checkout(token, "pm_card_visa", make_default=False)
    # A second completion that had already opened the session loses on the condition.
    done = opened.model_copy(update={"status": "complete", "version": opened.version + 1})
    with pytest.raises(StaleWrite):
        ctx.store.checkout.complete(opened, done, [])
