"""Checkout sessions: created through the API, completed as the hosted page will."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from remit.adapters.s3 import DocumentBucket
from remit.clock import FixedClock
from remit.errors import NotFound, PaymentDeclined
from remit.pages.app import build_app
from remit.schemas.account import AccountCreate
from remit.services.checkout import CheckoutService
from remit.services.context import Context
from remit.services.documents import DocumentService
from remit.settings import get_settings
from remit.store.errors import StaleWrite
from tests.api.test_pages import BASE, CARD, csrf_of, request
from tests.support.api_client import ApiClient
from tests.support.builders import issue, line
from tests.support.documents import InProcessPdfFunction

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


# -- a checkout without an account (issue 16.4) ---------------------------------------

GUEST_LINES = [{"description": "Annual plan", "unitAmount": "100.00", "taxRate": "19"}]
CUSTOMER = {"name": "Grace Hopper", "email": "grace@example.com"}
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def hosted(
    ctx: Context, bucket: DocumentBucket, pdf_function: InProcessPdfFunction, monkeypatch: pytest.MonkeyPatch
) -> APIGatewayRestResolver:
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    get_settings.cache_clear()
    return build_app(ctx, lambda: DocumentService(ctx, bucket, pdf_function))


def guest_session(api: ApiClient) -> dict:  # type: ignore[type-arg]
    reply = api.post("/checkout-sessions", {"mode": "payment", "lineItems": GUEST_LINES, **URLS})
    assert reply.status == 201, reply
    return reply.body  # type: ignore[no-any-return]


def counts(api: ApiClient) -> tuple[int, int]:
    return len(api.get("/accounts").body["data"]), len(api.get("/invoices").body["data"])


def test_a_checkout_without_an_account_creates_the_account_issues_the_invoice_and_takes_the_card(
    api: ApiClient, hosted: APIGatewayRestResolver
) -> None:
    before = counts(api)
    session = guest_session(api)
    assert (session["accountId"], session["invoiceId"], session["status"]) == (None, None, "open")
    page = request(hosted, "GET", session["url"])
    assert page["statusCode"] == 200
    assert "Annual plan" in page["body"]
    assert "119.00" in page["body"]
    assert 'name="email"' in page["body"]
    assert counts(api) == before  # showing the page creates nothing

    csrf = csrf_of(page["body"])
    # A name and email the API would refuse are said beside their fields, as typed.
    bad = request(
        hosted, "POST", session["url"], {**CARD, "csrf": csrf, "name": " ", "email": "grace@"}, SAME_SITE
    )
    assert bad["statusCode"] == 422
    assert 'id="customer-email-error"' in bad["body"]
    assert 'id="customer-name-error"' in bad["body"]
    assert 'value="grace@"' in bad["body"]
    assert counts(api) == before

    done = request(hosted, "POST", session["url"], {**CARD, "csrf": csrf, **CUSTOMER}, SAME_SITE)
    assert done["statusCode"] == 303, done["body"]
    assert done["headers"]["Location"] == URLS["successUrl"]
    accounts = [a for a in api.get("/accounts").body["data"] if a["email"] == CUSTOMER["email"]]
    assert [a["name"] for a in accounts] == [CUSTOMER["name"]]
    invoices = api.get("/invoices", query={"accountId": accounts[0]["id"]}).body["data"]
    assert [(i["status"], i["total"], i["amountPaid"]) for i in invoices] == [("paid", "119.00", "119.00")]
    assert invoices[0]["invoiceNumber"]
    completed = api.get("/events", query={"type": "checkout_session.completed"}).body["data"]
    assert [(e["data"]["status"], e["data"]["accountId"], e["data"]["invoiceId"]) for e in completed] == [
        ("complete", accounts[0]["id"], invoices[0]["id"])
    ]
    types = {e["type"] for e in api.get("/events").body["data"]}
    assert {"invoice.created", "invoice.issued", "invoice.paid"} <= types
    assert request(hosted, "GET", session["url"])["statusCode"] == 404  # used once


def test_a_checkout_without_an_account_posted_twice_creates_one_account_and_one_invoice(
    api: ApiClient, ctx: Context, hosted: APIGatewayRestResolver
) -> None:
    before = counts(api)
    session = guest_session(api)
    token = token_of(session["url"])
    csrf = csrf_of(request(hosted, "GET", session["url"])["body"])
    declined = {**CARD, "number": "4000 0000 0000 0002"}
    first = request(hosted, "POST", session["url"], {**declined, "csrf": csrf, **CUSTOMER}, SAME_SITE)
    assert first["statusCode"] == 402
    # The form posted again (another card, other details typed): the same account and invoice.
    again = {**CARD, "csrf": csrf, "name": "Someone Else", "email": "else@example.com"}
    second = request(hosted, "POST", session["url"], again, SAME_SITE)
    assert second["statusCode"] == 303, second["body"]
    stored = ctx.store.checkout.get(token.split(".")[0], session["id"])
    assert stored is not None
    after = counts(api)
    assert after == (before[0] + 1, before[1] + 1)
    invoice = api.get(f"/invoices/{stored.invoice_id}").body
    assert (invoice["accountId"], invoice["status"]) == (stored.account_id, "paid")
    assert [a["status"] for a in invoice["paymentAttempts"]] == ["failed", "succeeded"]
    assert api.get(f"/accounts/{stored.account_id}").body["name"] == CUSTOMER["name"]


def test_racing_posts_of_a_checkout_without_an_account_provision_once(api: ApiClient, ctx: Context) -> None:
    before = counts(api)
    token = token_of(guest_session(api)["url"])
    service = CheckoutService(ctx)
    opened = service.open(token)
    first = service.provision(token, AccountCreate(**CUSTOMER))
    # A post that read the session before the first wrote it loses the claim and reuses.
    with pytest.raises(StaleWrite):
        ctx.store.checkout.claim(opened, opened.model_copy(update={"account_id": "acc_x", "version": 2}))
    second = service.provision(token, AccountCreate(name="Other", email="o@example.com"))
    assert (second.account_id, second.invoice_id) == (first.account_id, first.invoice_id)
    assert counts(api) == (before[0] + 1, before[1] + 1)
    assert api.get(f"/invoices/{first.invoice_id}").body["status"] == "issued"


def test_an_abandoned_checkout_without_an_account_creates_nothing(
    api: ApiClient, clock: FixedClock, hosted: APIGatewayRestResolver
) -> None:
    before = counts(api)
    session = guest_session(api)
    assert request(hosted, "GET", session["url"])["statusCode"] == 200
    clock.advance(timedelta(hours=24))
    assert request(hosted, "GET", session["url"])["statusCode"] == 404
    assert counts(api) == before
    types = {e["type"] for e in api.get("/events").body["data"]}
    assert not types & {"invoice.created", "invoice.issued", "checkout_session.completed"}


def test_a_checkout_with_line_items_takes_no_account_or_invoice(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    for body in (
        {"mode": "payment", "lineItems": GUEST_LINES, "accountId": account["id"]},
        {"mode": "payment", "lineItems": GUEST_LINES, "invoiceId": "inv_x"},
        {"mode": "setup", "lineItems": GUEST_LINES},
        {"mode": "payment", "lineItems": []},
        {"mode": "payment", "currency": "EUR", "accountId": account["id"], "invoiceId": "inv_x"},
    ):
        assert api.post("/checkout-sessions", {**body, **URLS}).status == 422, body
    priced = {"mode": "payment", "lineItems": [{"priceId": "price_nope"}], **URLS}
    assert api.post("/checkout-sessions", priced).status in (404, 409, 422)


def test_a_checkout_without_an_account_that_failed_part_way_is_finished_by_the_next_post(
    api: ApiClient, ctx: Context, hosted: APIGatewayRestResolver
) -> None:
    before = counts(api)
    session = guest_session(api)
    token = token_of(session["url"])
    opened = CheckoutService(ctx).open(token)
    # As if a post died right after recording the ids: nothing created yet.
    ctx.store.checkout.claim(
        opened,
        opened.model_copy(
            update={
                "account_id": "acc_claimed",
                "invoice_id": "inv_claimed",
                "customer_name": CUSTOMER["name"],
                "customer_email": CUSTOMER["email"],
                "version": opened.version + 1,
            }
        ),
    )
    page = request(hosted, "GET", session["url"])
    assert page["statusCode"] == 200
    assert 'name="email"' not in page["body"]  # the details are on the session already
    done = request(hosted, "POST", session["url"], {**CARD, "csrf": csrf_of(page["body"])}, SAME_SITE)
    assert done["statusCode"] == 303, done["body"]
    assert counts(api) == (before[0] + 1, before[1] + 1)
    assert api.get("/accounts/acc_claimed").body["email"] == CUSTOMER["email"]
    assert api.get("/invoices/inv_claimed").body["status"] == "paid"
