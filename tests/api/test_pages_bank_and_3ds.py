"""New bank accounts and 3-D Secure on the hosted pages, without a browser (the browser suite
is tests/local/test_pages_browser.py): which bank scheme a page offers, the checks on what
the customer types (with the reason said), the mandate kept by the gateway, a bank debit
that settles days later; a card that asks for 3-D Secure waits for the challenge, is
recorded exactly once however often the outcome is confirmed, leaves the invoice open with
the reason when the challenge fails, is cancelled when nobody finishes it, and fails
``authentication_required`` when AutoPay charges it off-session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from remit.adapters.gateway.sandbox import SandboxGateway
from remit.clock import FixedClock
from remit.pages.app import build_app
from remit.services.context import Context
from remit.services.payments import PaymentService
from remit.settings import get_settings
from tests.api.test_pages import CARD, Pages, csrf_of, invoice_link, issue, pages, request
from tests.support.api_client import ApiClient

__all__ = ["pages"]  # the Pages fixture, shared with test_pages

SAME = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def forget_stripe_key() -> Iterator[None]:
    """The Stripe key is read once per container: a test that stores one forgets it after,
    as a new container would (another test expects no key)."""
    from remit.adapters.gateway.stripe_gateway import secret_key

    yield
    secret_key.cache_clear()


ACH = {
    "method": "new_ach",
    "account_holder": "Globex LLC",
    "routing_number": "110000000",
    "account_number": "000123456789",
    "account_type": "checking",
    "mandate": "1",
}
SEPA_IBAN = "DE89 3704 0044 0532 0130 00"
AUTH_CARD = {**CARD, "number": "4000 0027 6000 3184"}


def ledger(ctx: Context, org: str, kind: str) -> list[dict[str, Any]]:
    return ctx.store.sandbox.entries(org, kind)


def events(api: ApiClient, kind: str) -> list[dict[str, Any]]:
    return api.get("/events", query={"type": kind}).body["data"]  # type: ignore[no-any-return]


def location(reply: dict[str, Any]) -> str:
    assert reply["statusCode"] == 303, reply
    return str(reply["headers"]["Location"])


# -- new bank accounts -------------------------------------------------------------------------


def test_a_new_ach_account_pays_from_the_page_after_its_checks_and_settles_days_later(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages, clock: FixedClock
) -> None:
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    html = request(pages, "GET", url)["body"]
    assert 'value="new_ach"' in html
    assert "New bank account (ACH debit)" in html
    assert 'value="new_sepa"' not in html  # a dollar invoice: ACH only
    assert "you authorize Acme to debit the bank account above" in html  # the mandate, in words
    csrf = csrf_of(html)

    for wrong, reason in [
        ({"routing_number": "110000001"}, "routing_invalid"),
        ({"account_number": "12"}, "account_invalid"),
        ({"account_holder": ""}, "holder_missing"),
        ({"mandate": ""}, "mandate_missing"),
        ({"account_number": "000999999999"}, "bank_unknown"),  # valid, but not a test account
    ]:
        posted = request(pages, "POST", f"{url}/pay", {**ACH, **wrong, "csrf": csrf}, SAME)
        assert f"m={reason}" in location(posted)
    said = request(pages, "GET", f"{url}?m=routing_invalid")["body"]
    assert "The routing number is not valid: it has 9 digits and a check digit that must match." in said
    assert api.get(f"/invoices/{invoice['id']}").body["paymentAttempts"] == []
    assert api.get(f"/accounts/{account['id']}/payment-methods").body["data"] == []

    posted = request(pages, "POST", f"{url}/pay", {**ACH, "csrf": csrf}, {**SAME, "User-Agent": "Firefox/1"})
    assert "m=processing" in location(posted)
    body = api.get(f"/invoices/{invoice['id']}").body
    assert body["status"] == "issued"
    assert [(a["status"], a["methodType"], a["amount"]) for a in body["paymentAttempts"]] == [
        ("processing", "ach", "119.00")
    ]
    # Given for this payment only: not kept for AutoPay; the gateway holds the mandate.
    assert api.get(f"/accounts/{account['id']}/payment-methods").body["data"] == []
    [mandate] = ledger(ctx, org, "mandate")
    assert mandate["method"] == "pm_usBankAccount_success"
    assert mandate["text"].startswith("By accepting, you authorize Acme to debit")
    assert mandate["userAgent"] == "Firefox/1"

    # The debit settles four days later: the AutoPay worker's daily look finds it paid.
    clock.advance(timedelta(days=4, hours=1))
    PaymentService(ctx).collect_due(org, invoice["id"])
    paid = api.get(f"/invoices/{invoice['id']}").body
    assert (paid["status"], paid["amountPaid"]) == ("paid", "119.00")
    assert len(events(api, "invoice.paid")) == 1


def test_the_bank_offered_follows_the_currency_and_the_accepted_methods(
    api: ApiClient, ctx: Context, org: str, pages: Pages
) -> None:
    euro = api.post(
        "/accounts", {"name": "Beispiel GmbH", "invoiceSettings": {"language": "de", "currency": "EUR"}}
    ).body
    invoice = issue(api, euro["id"])
    url = invoice_link(ctx, org, invoice["id"])
    html = request(pages, "GET", url)["body"]
    assert "Neues Bankkonto (SEPA-Lastschrift)" in html
    assert 'value="new_sepa"' in html
    assert 'value="new_ach"' not in html
    assert "Mit diesem Mandat ermächtigen Sie Acme" in html
    csrf = csrf_of(html)
    sepa = {"method": "new_sepa", "account_holder": "Beispiel GmbH", "mandate": "1", "csrf": csrf}

    # An ACH form posted to a euro invoice is refused; a mistyped IBAN is named.
    assert "m=bank_unknown" in location(request(pages, "POST", f"{url}/pay", {**ACH, "csrf": csrf}, SAME))
    typo = request(pages, "POST", f"{url}/pay", {**sepa, "iban": "DE89 3704 0044 0532 0130 01"}, SAME)
    assert "m=iban_invalid" in location(typo)
    assert "Die IBAN ist ungültig" in request(pages, "GET", f"{url}?m=iban_invalid")["body"]

    # The failing test IBAN: accepted, then the debit fails (insufficient funds) on settling.
    bad = request(pages, "POST", f"{url}/pay", {**sepa, "iban": "DE62370400440532013001", "save": "1"}, SAME)
    assert "m=processing" in location(bad)
    [kept] = api.get(f"/accounts/{euro['id']}/payment-methods").body["data"]  # "save" was ticked
    assert (kept["type"], kept["bank"]["last4"]) == ("sepa", "3001")

    # Cards only: no bank account on the page.
    api.patch("/organization/payment-settings", {"acceptedMethods": ["card"]})
    other = issue(api, euro["id"])
    assert 'value="new_sepa"' not in request(pages, "GET", invoice_link(ctx, org, other["id"]))["body"]


def test_the_portal_adds_a_sepa_account_and_setup_checkout_an_ach_one(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    euro = api.post("/accounts", {"name": "Client SARL", "invoiceSettings": {"currency": "EUR"}}).body
    session = api.post(f"/accounts/{euro['id']}/portal-sessions", {"flow": "payment_methods"}).body
    page = request(pages, "GET", session["url"])["body"]
    assert 'name="kind" value="sepa"' in page
    form = {"kind": "sepa", "account_holder": "Client SARL", "iban": SEPA_IBAN, "csrf": csrf_of(page)}
    url = f"{session['url']}/payment-methods"
    assert "m=mandate_missing" in location(request(pages, "POST", url, form, SAME))
    assert "m=method_added" in location(request(pages, "POST", url, {**form, "mandate": "1"}, SAME))
    [method] = api.get(f"/accounts/{euro['id']}/payment-methods").body["data"]
    assert (method["type"], method["bank"]["last4"], method["isDefault"]) == ("sepa", "3000", True)
    listed = request(pages, "GET", f"{session['url']}?tab=payment_methods")["body"]
    assert "SEPA •••• 3000" in listed

    checkout = api.post(
        "/checkout-sessions",
        {
            "accountId": account["id"],
            "mode": "setup",
            "successUrl": "https://shop.acme.example/ok",
            "cancelUrl": "https://shop.acme.example/cart",
        },
    ).body
    page = request(pages, "GET", checkout["url"])["body"]
    ach = {**ACH, "kind": "ach", "csrf": csrf_of(page)}
    refused = request(pages, "POST", checkout["url"], {**ach, "routing_number": "12345678"})
    assert refused["statusCode"] == 422
    assert "The routing number is not valid" in refused["body"]
    done = request(pages, "POST", checkout["url"], ach)
    assert location(done) == "https://shop.acme.example/ok"
    [saved] = api.get(f"/accounts/{account['id']}/payment-methods").body["data"]
    assert (saved["type"], saved["bank"]["last4"]) == ("ach", "6789")


# -- 3-D Secure --------------------------------------------------------------------------------


def test_a_3ds_card_waits_for_the_challenge_then_is_paid_exactly_once(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    csrf = csrf_of(request(pages, "GET", url)["body"])

    posted = request(pages, "POST", f"{url}/pay", {**AUTH_CARD, "csrf": csrf}, SAME)
    assert location(posted) == f"{path_of_url(url)}/authenticate"
    waiting = api.get(f"/invoices/{invoice['id']}").body
    assert (waiting["status"], waiting["amountPaid"]) == ("issued", "0.00")
    assert [a["status"] for a in waiting["paymentAttempts"]] == ["requires_action"]
    assert events(api, "payment.failed") == events(api, "payment.succeeded") == []
    # Neither paid nor failed: the page says what is awaited, and a second try is refused.
    page = request(pages, "GET", url)["body"]
    assert "This payment is waiting for you to confirm it with your bank." in page
    assert 'id="pay"' not in page
    assert "m=in_progress" in location(request(pages, "POST", f"{url}/pay", {**CARD, "csrf": csrf}, SAME))

    challenge = request(pages, "GET", f"{url}/authenticate")
    assert challenge["statusCode"] == 200
    assert "Complete authentication" in challenge["body"]
    assert "confirm the payment of $119.00 for invoice" in challenge["body"]
    assert "script-src" not in challenge["headers"]["Content-Security-Policy"]

    done = request(pages, "POST", f"{url}/authenticate", {"result": "complete", "csrf": csrf}, SAME)
    assert "m=paid" in location(done)
    # Confirmed again (a reload, a second tab, the service directly): nothing more recorded.
    again = request(pages, "POST", f"{url}/authenticate", {"result": "complete", "csrf": csrf}, SAME)
    assert "m=paid" in location(again)
    attempt = PaymentService(ctx).confirm_authentication(org, invoice["id"], 1)
    assert attempt is not None
    assert attempt.status == "succeeded"
    paid = api.get(f"/invoices/{invoice['id']}").body
    assert (paid["status"], paid["amountPaid"], len(paid["payments"])) == ("paid", "119.00", 1)
    assert [a["status"] for a in paid["paymentAttempts"]] == ["succeeded"]
    assert len(events(api, "invoice.paid")) == len(events(api, "payment.succeeded")) == 1
    assert len(ledger(ctx, org, "charge")) == 1
    # The one-time card was not kept for AutoPay.
    assert api.get(f"/accounts/{account['id']}/payment-methods").body["data"] == []


def test_a_failed_challenge_leaves_the_invoice_open_with_the_reason(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    csrf = csrf_of(request(pages, "GET", url)["body"])
    request(pages, "POST", f"{url}/pay", {**AUTH_CARD, "csrf": csrf}, SAME)
    forged = request(pages, "POST", f"{url}/authenticate", {"result": "complete", "csrf": "0" * 64}, SAME)
    assert "m=form_expired" in location(forged)

    failed = request(pages, "POST", f"{url}/authenticate", {"result": "fail", "csrf": csrf}, SAME)
    assert "m=declined" in location(failed)
    page = request(pages, "GET", f"{url}?m=declined")["body"]
    assert "Your payment was declined: the card&#39;s authentication failed" in page
    assert 'id="pay"' in page  # open: another method may pay it
    after = api.get(f"/invoices/{invoice['id']}").body
    assert (after["status"], after["amountDue"]) == ("issued", "119.00")
    assert [(a["status"], a["gatewayCode"]) for a in after["paymentAttempts"]] == [
        ("failed", "payment_intent_authentication_failure")
    ]
    [failure] = events(api, "invoice.payment_failed")
    assert failure["data"]["reason"]["code"] == "payment_intent_authentication_failure"
    # A late "complete" changes nothing: the charge failed for good.
    late = request(pages, "POST", f"{url}/authenticate", {"result": "complete", "csrf": csrf}, SAME)
    assert "m=declined" in location(late)
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "issued"

    assert "m=paid" in location(request(pages, "POST", f"{url}/pay", {**CARD, "csrf": csrf}, SAME))


def test_a_challenge_nobody_finishes_is_cancelled_after_the_window_and_a_late_answer_pays_nothing(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages, clock: FixedClock
) -> None:
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    csrf = csrf_of(request(pages, "GET", url)["body"])
    request(pages, "POST", f"{url}/pay", {**AUTH_CARD, "csrf": csrf}, SAME)
    PaymentService(ctx).collect_due(org, invoice["id"])  # inside the window: left alone
    assert [a["status"] for a in api.get(f"/invoices/{invoice['id']}").body["paymentAttempts"]] == [
        "requires_action"
    ]

    clock.advance(timedelta(minutes=16))
    PaymentService(ctx).collect_due(org, invoice["id"])  # the sweep's worker
    after = api.get(f"/invoices/{invoice['id']}").body
    assert after["status"] == "issued"
    assert [(a["status"], a["gatewayCode"]) for a in after["paymentAttempts"]] == [
        ("failed", "authentication_abandoned")
    ]
    [charge] = ledger(ctx, org, "charge")
    assert (charge["status"], charge["code"]) == ("failed", "authentication_abandoned")
    gateway = SandboxGateway(ctx.store.sandbox, ctx.clock)
    late = gateway.authenticate(org_id=org, idempotency_key=charge["sk"].split("#", 1)[1], succeed=True)
    assert late is not None
    assert late.status == "failed"
    assert "m=declined" in location(
        request(pages, "POST", f"{url}/authenticate", {"result": "complete", "csrf": csrf}, SAME)
    )
    assert api.get(f"/invoices/{invoice['id']}").body["payments"] == []


def test_checkout_in_payment_mode_runs_the_challenge_before_completing(
    api: ApiClient, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    session = api.post(
        "/checkout-sessions",
        {
            "accountId": account["id"],
            "mode": "payment",
            "invoiceId": invoice["id"],
            "successUrl": "https://shop.acme.example/thanks",
            "cancelUrl": "https://shop.acme.example/cart",
        },
    ).body
    csrf = csrf_of(request(pages, "GET", session["url"])["body"])
    posted = request(pages, "POST", session["url"], {**AUTH_CARD, "csrf": csrf})
    assert location(posted) == f"{path_of_url(session['url'])}/authenticate"
    assert request(pages, "GET", session["url"])["statusCode"] == 200  # still open
    challenge = request(pages, "GET", f"{session['url']}/authenticate")["body"]
    assert "Fail authentication" in challenge
    done = request(pages, "POST", f"{session['url']}/authenticate", {"result": "complete", "csrf": csrf})
    assert location(done) == "https://shop.acme.example/thanks"
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "paid"
    assert request(pages, "GET", session["url"])["statusCode"] == 404  # completed, once


def test_autopay_on_a_card_that_needs_authentication_fails_authentication_required_in_words(
    api: ApiClient, account: dict[str, Any]
) -> None:
    reply = api.post(
        f"/accounts/{account['id']}/payment-methods",
        {"type": "card", "gatewayToken": "pm_card_authenticationRequired"},
    )
    assert reply.status == 201, reply
    api.patch(f"/accounts/{account['id']}", {"autoPayEnabled": True, "autoPayTiming": "on_issue"})
    invoice = issue(api, account["id"])
    assert invoice["status"] == "issued"  # off-session nobody could authenticate
    [attempt] = invoice["paymentAttempts"]
    assert (attempt["status"], attempt["gatewayCode"], attempt["retryable"]) == (
        "failed",
        "authentication_required",
        False,
    )
    [failure] = events(api, "invoice.payment_failed")
    assert failure["data"]["reason"]["code"] == "authentication_required"
    assert failure["data"]["failureReason"] == (
        "This card requires authentication; the customer must pay on the invoice page."
    )
    # A hard decline: AutoPay hands the invoice to dunning instead of retrying it.
    assert [e["data"]["reason"]["code"] for e in events(api, "invoice.handed_to_dunning")] == [
        "authentication_required"
    ]


def path_of_url(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


class StripeStandIn:
    """Stripe's API is not reachable here: the sandbox plays it, under Stripe's name, and
    answers a client secret for an intent awaiting authentication as Stripe does."""

    name = "stripe"

    def __init__(self, inner: SandboxGateway) -> None:
        self.inner = inner

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def retrieve(self, **kw: Any) -> Any:
        from dataclasses import replace

        outcome = self.inner.retrieve(**kw)
        if outcome.status == "requires_action":
            return replace(outcome, client_secret=f"{outcome.charge_id}_secret_test")
        return outcome


def test_on_stripe_the_page_tokenizes_banks_with_stripe_js_and_runs_the_challenge_with_it(
    api: ApiClient,
    ctx: Context,
    org: str,
    account: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    bucket: Any,
    pdf_function: Any,
    forget_stripe_key: None,
) -> None:
    import boto3

    from remit.services.documents import DocumentService

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://pay.acme.example")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_remit")
    monkeypatch.setenv("STRIPE_SECRET_PARAMETER", "/remit/test/stripe-secret")
    get_settings.cache_clear()  # read again, with the variables just set
    boto3.client("ssm").put_parameter(Name="/remit/test/stripe-secret", Value="sk_test", Type="SecureString")
    assert api.patch("/organization/payment-settings", {"gateway": "stripe"}).status == 200
    stand_in = StripeStandIn(SandboxGateway(ctx.store.sandbox, ctx.clock))
    on_stripe = Context(ctx.store, ctx.clock, gateways=lambda _: stand_in)  # type: ignore[arg-type,return-value]
    pages = build_app(on_stripe, lambda: DocumentService(on_stripe, bucket, pdf_function))

    euro = api.post("/accounts", {"name": "Kunde AG", "invoiceSettings": {"currency": "EUR"}}).body
    invoice = issue(api, euro["id"])
    url = invoice_link(ctx, org, invoice["id"])
    html = request(pages, "GET", url)["body"]
    assert 'id="stripe-iban"' in html  # the IBAN goes into Stripe's Element
    assert 'name="iban"' not in html
    assert 'name="bank_token"' in html
    csrf = csrf_of(html)
    # What Stripe.js posts: the PaymentMethod id and the accepted mandate, no IBAN.
    sepa = {"method": "new_sepa", "bank_token": "pm_sepaDebit_success", "mandate": "1", "csrf": csrf}
    assert "m=processing" in location(request(pages, "POST", f"{url}/pay", sepa, SAME))

    other = issue(api, account["id"])
    url = invoice_link(ctx, org, other["id"])
    csrf = csrf_of(request(pages, "GET", url)["body"])
    card = {"method": "new", "gateway_token": "pm_card_authenticationRequired", "csrf": csrf}
    assert location(request(pages, "POST", f"{url}/pay", card, SAME)).endswith("/authenticate")
    challenge = request(pages, "GET", f"{url}/authenticate")
    assert 'data-client-secret="ch_sandbox_' in challenge["body"]
    assert "Complete authentication" not in challenge["body"]  # the issuer's own challenge runs
    assert "script-src 'self' https://js.stripe.com" in challenge["headers"]["Content-Security-Policy"]
    script = request(pages, "GET", "https://pay.acme.example/assets/stripe-card.js")["body"]
    assert "handleNextAction" in script

    # A "complete" posted by hand is not believed: only the gateway's word counts.
    forged = request(pages, "POST", f"{url}/authenticate", {"result": "complete", "csrf": csrf}, SAME)
    assert location(forged).endswith("/authenticate")
    assert api.get(f"/invoices/{other['id']}").body["status"] == "issued"
    # Stripe.js finished the challenge (the issuer said yes); the page posts; Remit asks.
    [attempt] = api.get(f"/invoices/{other['id']}").body["paymentAttempts"]
    key = f"{other['id']}-attempt-{attempt['number']}"
    stand_in.inner.authenticate(org_id=org, idempotency_key=key, succeed=True)
    done = request(pages, "POST", f"{url}/authenticate", {"result": "check", "csrf": csrf}, SAME)
    assert "m=paid" in location(done)
    assert api.get(f"/invoices/{other['id']}").body["status"] == "paid"


def test_the_portal_pays_an_invoice_with_a_3ds_card_through_its_own_challenge(
    api: ApiClient, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    session = api.post(f"/accounts/{account['id']}/portal-sessions", {"flow": "invoices"}).body
    here = f"{session['url']}/invoices/{invoice['id']}"
    csrf = csrf_of(request(pages, "GET", here)["body"])
    posted = request(pages, "POST", f"{here}/pay", {**AUTH_CARD, "csrf": csrf}, SAME)
    assert location(posted) == f"{path_of_url(here)}/authenticate"
    assert "Back to the invoice" in request(pages, "GET", f"{here}/authenticate")["body"]
    done = request(pages, "POST", f"{here}/authenticate", {"result": "complete", "csrf": csrf}, SAME)
    assert location(done).startswith(f"{path_of_url(here)}?m=paid")
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "paid"
    # Nothing awaits any more: the challenge page sends the customer back to the invoice.
    assert location(request(pages, "GET", f"{here}/authenticate")) == path_of_url(here)


def test_an_organization_taking_only_sepa_offers_no_card_anywhere(
    api: ApiClient, ctx: Context, org: str, pages: Pages
) -> None:
    api.patch("/organization/payment-settings", {"acceptedMethods": ["sepa"]})
    euro = api.post("/accounts", {"name": "Nur SEPA GmbH", "invoiceSettings": {"currency": "EUR"}}).body
    invoice = issue(api, euro["id"])
    html = request(pages, "GET", invoice_link(ctx, org, invoice["id"]))["body"]
    assert 'value="new_sepa" checked' in html
    assert 'name="number"' not in html
    session = api.post(f"/accounts/{euro['id']}/portal-sessions", {"flow": "payment_methods"}).body
    portal = request(pages, "GET", session["url"])["body"]
    assert '<input type="hidden" name="kind" value="sepa">' in portal
    assert 'name="number"' not in portal
    # A card posted anyway is refused, and nothing is saved.
    card = {
        "kind": "card",
        "number": "4242424242424242",
        "expiry": "12/30",
        "cvc": "1",
        "csrf": csrf_of(portal),
    }
    assert "m=card_unknown" in location(
        request(pages, "POST", f"{session['url']}/payment-methods", card, SAME)
    )
    assert api.get(f"/accounts/{euro['id']}/payment-methods").body["data"] == []
