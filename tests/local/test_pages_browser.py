"""The hosted pages in a real browser (Debian's Chromium through Playwright) against the
local cloud: the customer follows the link in the issued email, pays with the test card and
sees the invoice paid (and the API agrees); a declined card shows why and leaves the
invoice open; a voided invoice cannot be paid; the portal's flows; checkout; a new bank
account (ACH from the emailed link, SEPA in the portal); a card that asks for 3-D Secure,
its challenge completed (paid) or failed (open, with the reason). Screenshots at desktop
and phone widths land in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from remit_local.stack import LocalStack
from tests.local.client import call
from tests.support.browser import browser_context, page, screenshots
from tests.support.builders import issue_over_http, line
from tests.support.pdf import text

__all__ = ["browser_context", "page"]  # the shared browser's fixtures, used below

NewOrg = Callable[..., tuple[str, str]]
LINK = re.compile(r'href="(http://[^"#]+/i/[^"#]+)')


class Api:
    def __init__(self, stack: LocalStack, org_id: str, key: str) -> None:
        self.url = stack.api_url
        self.org_id = org_id
        self.key = key

    def __call__(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        reply = call(method, f"{self.url}{path}", body, key=self.key)
        assert reply.status in expect, reply
        return reply.json


@pytest.fixture
def shop(stack: LocalStack, new_org: NewOrg) -> tuple[str, Api]:
    org_id, key = new_org("Pages Test Co")
    api = Api(stack, org_id, key)
    api(
        "PATCH",
        "/organization/invoice-settings",
        {"accentColor": "#5b21b6", "footerText": "Thanks for your business"},
    )
    return org_id, api


def issue(stack: LocalStack, api: Api, account: str, *lines: tuple[str, str, str]) -> dict[str, Any]:
    """Issue (net 30, every line taxed at 19 %) and let the issued email go out."""
    taxed = [line(a, q, description=d, taxRate="19") for d, q, a in lines]
    invoice = issue_over_http(api, account, *taxed, paymentTerms="net_30")
    stack.run_due()  # publisher -> EventsTopic -> DeliveryQueue -> the delivery worker sends
    return invoice


def emailed_link(stack: LocalStack, api: Api, invoice: dict[str, Any]) -> str:
    """The hosted page's link in the invoice email (numbers repeat across organizations;
    each test's customer has its own address)."""
    number, to = invoice["invoiceNumber"], api("GET", f"/accounts/{invoice['accountId']}")["email"]
    reply = call("GET", f"{stack.api_url}/_local/emails")
    # Newest first: another test on this stack may have mailed the same address an invoice
    # of the same number (numbers restart per organization); this test's came last.
    email = next(
        e
        for e in reply.json
        if to in e["to"] and number in e["subject"] and e["subject"].startswith(("Invoice", "Rechnung"))
    )
    found = LINK.search(email["html"])
    assert found, email["html"]
    return found.group(1)


def viewed_events(stack: LocalStack, org_id: str, invoice_id: str) -> int:
    table = stack.context().store.table
    page = table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}#EVENT"}
    )
    return sum(1 for i in page.items if i["type"] == "invoice.viewed" and i["subjectId"] == invoice_id)


def test_the_emailed_link_pays_with_the_test_card_and_the_api_sees_it_paid(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    org_id, api = shop
    account = api("POST", "/accounts", {"name": "Globex LLC", "email": "ap@globex.example"})["id"]
    invoice = issue(stack, api, account, ("Consulting", "2", "500.00"), ("Support plan", "1", "200.00"))
    link = emailed_link(stack, api, invoice)

    response = page.goto(link)
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp
    assert "form-action 'self'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert page.locator("h1").inner_text() == f"Invoice {invoice['invoiceNumber']}"
    assert page.locator("[data-status]").inner_text() == "Open"
    body = page.locator("main").inner_text()
    for shown in (
        "Consulting",
        "Support plan",
        "Tax 19% on $1,200.00",
        "$228.00",
        "$1,428.00",
        "Net 30 days",
    ):
        assert shown in body, shown
    assert page.get_by_role("button", name="Pay $1,428.00").is_visible()
    screenshots(page, "invoice-open")

    # Keyboard: the skip link comes first and the card fields are labelled.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay $1,428.00").click()
    page.wait_for_url(re.compile(r"\?m=paid"))
    assert page.locator("[data-status]").inner_text() == "Paid"
    assert "Payment received. Thank you!" in page.locator("[role=status]").first.inner_text()
    assert page.locator("#pay").count() == 0  # nothing left to pay
    screenshots(page, "invoice-paid")

    paid = api("GET", f"/invoices/{invoice['id']}")
    assert (paid["status"], paid["amountPaid"], paid["amountDue"]) == ("paid", "1428.00", "0.00")
    assert [a["status"] for a in paid["paymentAttempts"]] == ["succeeded"]
    # A card given for one payment is not kept (the box was not ticked).
    assert api("GET", f"/accounts/{account}/payment-methods")["data"] == []

    # The receipt downloads (a presigned link to the PDF).
    href = page.locator("#download-receipt").get_attribute("href")
    reply = call("GET", f"{stack.api_url}{href}")
    assert reply.status == 200, reply
    assert reply.raw.startswith(b"%PDF")
    assert invoice["invoiceNumber"] in text(reply.raw)

    # Opened three times (and once more now): invoice.viewed once.
    page.goto(link)
    assert viewed_events(stack, org_id, invoice["id"]) == 1
    assert page.problems == []


def test_a_declined_card_shows_the_reason_and_leaves_the_invoice_open(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api("POST", "/accounts", {"name": "Initech", "email": "ap@initech.example"})["id"]
    invoice = issue(stack, api, account, ("Licence", "1", "100.00"))
    page.goto(emailed_link(stack, api, invoice))

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay $119.00").click()
    page.wait_for_url(re.compile(r"\?m=declined"))
    assert page.locator("#decline").inner_text() == "Your payment was declined: the card was declined"
    assert page.locator("[data-status]").inner_text() == "Open"
    assert page.get_by_role("button", name="Pay $119.00").is_visible()  # try again
    screenshots(page, "invoice-declined")

    after = api("GET", f"/invoices/{invoice['id']}")
    assert (after["status"], after["amountDue"]) == ("issued", "119.00")
    assert [(a["status"], a["gatewayCode"]) for a in after["paymentAttempts"]] == [
        ("failed", "generic_decline")
    ]


def test_a_voided_invoice_shows_void_in_german_and_cannot_be_paid(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api(
        "POST",
        "/accounts",
        {
            "name": "Beispiel GmbH",
            "email": "ap@beispiel.example",
            "invoiceSettings": {"language": "de", "currency": "EUR"},
        },
    )["id"]
    invoice = issue(stack, api, account, ("Beratung", "1", "1000.00"))
    link = emailed_link(stack, api, invoice)
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("button", name="1.190,00\xa0€ bezahlen").is_visible()

    csrf = page.locator("input[name=csrf]").get_attribute("value")
    api("POST", f"/invoices/{invoice['id']}/void")
    page.goto(link)
    assert page.locator("[data-status]").inner_text() == "Storniert"
    assert (
        "Diese Rechnung wurde storniert und kann nicht bezahlt werden." in page.locator("main").inner_text()
    )
    assert page.locator("#pay").count() == 0
    screenshots(page, "invoice-void-de")

    # The form of a tab opened before the void, posted anyway, charges nothing.
    reply = call(
        "POST",
        f"{link}/pay",
        raw=f"csrf={csrf}&method=new&number=4242424242424242&expiry=12/30&cvc=123".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 200, reply  # followed the 303 back to the page
    assert "Storniert" in reply.raw.decode()
    after = api("GET", f"/invoices/{invoice['id']}")
    assert (after["status"], after["paymentAttempts"]) == ("void", [])
    assert api("GET", f"/accounts/{account}/payment-methods")["data"] == []


def test_a_wrong_link_says_it_is_invalid(stack: LocalStack, page: Any) -> None:
    response = page.goto(f"{stack.api_url}/i/org_x.lnk_y.not-the-secret")
    assert response.status == 404
    assert "This link is invalid or has expired." in page.locator("main").inner_text()


def test_the_portal_manages_methods_pays_and_shows_history(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api("POST", "/accounts", {"name": "Umbrella Corp", "email": "ap@umbrella.example"})["id"]
    first = issue(stack, api, account, ("Hosting", "1", "50.00"))
    second = issue(stack, api, account, ("Storage", "1", "20.00"))
    api("POST", f"/invoices/{second['id']}/void")

    session = api(
        "POST",
        f"/accounts/{account}/portal-sessions",
        {"returnUrl": "https://app.example/billing", "flow": "payment_methods"},
    )
    assert session["url"].startswith(f"{stack.api_url}/portal/")
    page.goto(session["url"])
    assert page.locator("[aria-current=page]").inner_text() == "Payment methods"
    assert page.locator("#return").get_attribute("href") == "https://app.example/billing"
    assert "No saved payment methods." in page.locator("main").inner_text()

    def add(number: str, default: bool) -> None:
        page.get_by_label("Card number").fill(number)
        page.get_by_label("Expiry (MM/YY)").fill("11/31")
        page.get_by_label("Security code (CVC)").fill("321")
        if default:
            page.get_by_label("Use as my default payment method").check()
        page.get_by_role("button", name="Add payment method").click()
        page.wait_for_url(re.compile(r"m=method_added"))

    add("4242 4242 4242 4242", default=True)
    add("5555 5555 5555 4444", default=False)
    methods = api("GET", f"/accounts/{account}/payment-methods")["data"]
    assert sorted((m["card"]["brand"], m["isDefault"]) for m in methods) == [
        ("mastercard", False),
        ("visa", True),
    ]
    visa = next(m["id"] for m in methods if m["card"]["brand"] == "visa")
    master = next(m["id"] for m in methods if m["card"]["brand"] == "mastercard")

    page.locator(f"[data-method='{master}']").get_by_role("button", name="Make default").click()
    page.wait_for_url(re.compile(r"m=default_set"))
    assert api("GET", f"/accounts/{account}")["defaultPaymentMethodId"] == master
    page.locator(f"[data-method='{visa}']").get_by_role("button", name="Remove").click()
    page.wait_for_url(re.compile(r"m=method_removed"))
    assert [m["id"] for m in api("GET", f"/accounts/{account}/payment-methods")["data"]] == [master]
    screenshots(page, "portal-methods")

    # Invoices: filtered to open ones, the void one is not there; pay with the saved card.
    page.get_by_role("link", name="Invoices").click()
    page.get_by_label("Show").select_option("open")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-invoice]")
    assert [rows.nth(i).get_attribute("data-invoice") for i in range(rows.count())] == [first["id"]]
    page.get_by_label("Show").select_option("void")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("[data-invoice]").get_attribute("data-invoice") == second["id"]
    screenshots(page, "portal-invoices")
    page.get_by_label("Show").select_option("open")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Pay $59.50").click()
    page.get_by_role("button", name="Pay $59.50").click()  # the default (saved) card is selected
    page.wait_for_url(re.compile(r"\?m=paid"))
    assert api("GET", f"/invoices/{first['id']}")["status"] == "paid"

    page.get_by_role("link", name="Back to invoices").click()
    page.get_by_role("link", name="Payment history").click()
    history = page.locator("main table").inner_text()
    assert first["invoiceNumber"] in history
    assert "$59.50" in history
    screenshots(page, "portal-history")
    page.get_by_role("link", name="Invoices").click()
    pdf = page.locator(f"[data-invoice='{first['id']}']").get_by_role("link", name="Download receipt (PDF)")
    reply = call("GET", f"{stack.api_url}{pdf.get_attribute('href')}")
    assert reply.status == 200
    assert reply.raw.startswith(b"%PDF")
    assert page.problems == []


def test_checkout_saves_a_method_and_redirects_to_the_success_url(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api("POST", "/accounts", {"name": "Hooli", "email": "ap@hooli.example"})["id"]
    session = api(
        "POST",
        "/checkout-sessions",
        {
            "accountId": account,
            "mode": "setup",
            "successUrl": "https://shop.example/success",
            "cancelUrl": "https://shop.example/cancel",
        },
    )
    page.route("https://shop.example/**", lambda route: route.fulfill(status=200, body="back at the shop"))
    page.goto(session["url"])
    assert page.locator("h1").inner_text() == "Save a payment method"
    assert page.locator("#cancel").get_attribute("href") == "https://shop.example/cancel"
    screenshots(page, "checkout-setup")
    page.get_by_label("Card number").fill("4000 0000 0000 9995")  # saves fine; declines charges
    page.get_by_label("Expiry (MM/YY)").fill("01/32")
    page.get_by_label("Security code (CVC)").fill("999")
    page.get_by_role("button", name="Save payment method").click()
    page.wait_for_url("https://shop.example/success")
    [method] = api("GET", f"/accounts/{account}/payment-methods")["data"]
    assert method["isDefault"] is True

    # The link worked once: opening it again says so.
    response = page.goto(session["url"])
    assert response.status == 404


def test_a_new_us_bank_account_pays_from_the_emailed_link_and_is_processing(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api("POST", "/accounts", {"name": "Stark Industries", "email": "ap@stark.example"})["id"]
    invoice = issue(stack, api, account, ("Audit", "1", "300.00"))
    page.goto(emailed_link(stack, api, invoice))

    page.get_by_label("New bank account (ACH debit)").check()
    assert not page.get_by_label("Card number").is_visible()  # only the chosen method's fields
    page.get_by_label("Account holder name").fill("Stark Industries")
    page.get_by_label("Routing number").fill("110000001")  # a digit off: the checksum says so
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_label("I accept this mandate").check()
    page.get_by_role("button", name="Pay $357.00").click()
    page.wait_for_url(re.compile(r"\?m=routing_invalid"))
    assert "The routing number is not valid" in page.locator("#form-error").inner_text()

    page.get_by_label("New bank account (ACH debit)").check()
    assert "authorize Pages Test Co to debit" in page.locator("#mandate-text").inner_text()
    page.get_by_label("Account holder name").fill("Stark Industries")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_label("Account type").select_option("savings")
    page.get_by_label("I accept this mandate").check()
    screenshots(page, "invoice-new-ach")
    page.get_by_role("button", name="Pay $357.00").click()
    page.wait_for_url(re.compile(r"\?m=processing"))
    assert (
        "A payment for this invoice is being processed." in page.locator("[role=status]").first.inner_text()
    )
    assert page.locator("#pay").count() == 0
    screenshots(page, "invoice-ach-processing")

    # The sandbox's ACH debit is accepted now and settles four days later.
    after = api("GET", f"/invoices/{invoice['id']}")
    assert (after["status"], after["amountDue"]) == ("issued", "357.00")
    assert [(a["status"], a["methodType"], a["amount"]) for a in after["paymentAttempts"]] == [
        ("processing", "ach", "357.00")
    ]
    assert page.problems == []


def test_the_portal_adds_a_sepa_account_and_lists_it(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api(
        "POST",
        "/accounts",
        {"name": "Euro Client BV", "email": "ap@euroclient.example", "invoiceSettings": {"currency": "EUR"}},
    )["id"]
    session = api("POST", f"/accounts/{account}/portal-sessions", {"flow": "payment_methods"})
    page.goto(session["url"])
    page.get_by_label("Bank account (SEPA Direct Debit)").check()
    assert not page.get_by_label("Card number").is_visible()
    page.get_by_label("Account holder name").fill("Euro Client BV")
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 01")  # the last digit mistyped
    page.get_by_label("I accept this mandate").check()
    page.get_by_role("button", name="Add payment method").click()
    page.wait_for_url(re.compile(r"m=iban_invalid"))
    assert "The IBAN is not valid" in page.locator("#form-error").inner_text()

    page.get_by_label("Bank account (SEPA Direct Debit)").check()
    page.get_by_label("Account holder name").fill("Euro Client BV")
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_label("I accept this mandate").check()
    page.get_by_role("button", name="Add payment method").click()
    page.wait_for_url(re.compile(r"m=method_added"))
    assert "SEPA •••• 3000" in page.locator("ul.methods").inner_text()
    screenshots(page, "portal-sepa-added")
    [method] = api("GET", f"/accounts/{account}/payment-methods")["data"]
    assert (method["type"], method["bank"]["last4"], method["isDefault"]) == ("sepa", "3000", True)
    assert page.problems == []


def _pay_with_3ds_card(stack: LocalStack, api: Api, page: Any, name: str) -> dict[str, Any]:
    account = api("POST", "/accounts", {"name": name, "email": f"ap@{name.split()[0].lower()}.example"})["id"]
    invoice = issue(stack, api, account, ("Licence", "1", "100.00"))
    page.goto(emailed_link(stack, api, invoice))
    page.get_by_label("Card number").fill("4000 0027 6000 3184")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay $119.00").click()
    page.wait_for_url(re.compile(r"/authenticate$"))
    assert page.locator("h1").inner_text() == "Confirm your payment"
    waiting = api("GET", f"/invoices/{invoice['id']}")
    assert (waiting["status"], [a["status"] for a in waiting["paymentAttempts"]]) == (
        "issued",
        ["requires_action"],
    )
    return invoice


def test_a_3ds_card_completes_the_challenge_and_the_invoice_is_paid(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    invoice = _pay_with_3ds_card(stack, api, page, "Wayne Enterprises")
    screenshots(page, "invoice-3ds-challenge")
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(re.compile(r"\?m=paid"))
    assert page.locator("[data-status]").inner_text() == "Paid"
    page.go_back()  # the challenge page again: nothing awaits, so back to the invoice
    page.reload()
    assert page.locator("[data-status]").inner_text() == "Paid"
    paid = api("GET", f"/invoices/{invoice['id']}")
    assert (paid["status"], paid["amountPaid"], len(paid["payments"])) == ("paid", "119.00", 1)
    assert [a["status"] for a in paid["paymentAttempts"]] == ["succeeded"]
    assert page.problems == []


def test_a_3ds_card_failing_the_challenge_leaves_the_invoice_open_with_the_reason(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    invoice = _pay_with_3ds_card(stack, api, page, "Oscorp Inc")
    page.get_by_role("button", name="Fail authentication").click()
    page.wait_for_url(re.compile(r"\?m=declined"))
    assert (
        page.locator("#decline").inner_text() == "Your payment was declined: the card's authentication failed"
    )
    assert page.locator("[data-status]").inner_text() == "Open"
    assert page.get_by_role("button", name="Pay $119.00").is_visible()  # another method may pay it
    screenshots(page, "invoice-3ds-failed")
    after = api("GET", f"/invoices/{invoice['id']}")
    assert (after["status"], after["amountDue"]) == ("issued", "119.00")
    assert [(a["status"], a["gatewayCode"]) for a in after["paymentAttempts"]] == [
        ("failed", "payment_intent_authentication_failure")
    ]
    assert page.problems == []


def test_autopay_on_a_3ds_card_fails_in_words_and_the_emailed_link_pays_it_on_session(
    stack: LocalStack, shop: tuple[str, Api], page: Any
) -> None:
    _, api = shop
    account = api(
        "POST",
        "/accounts",
        {
            "name": "Cyberdyne Systems",
            "email": "ap@cyberdyne.example",
            "autoPayEnabled": True,
            "autoPayTiming": "on_issue",
        },
    )["id"]
    api(
        "POST",
        f"/accounts/{account}/payment-methods",
        {"type": "card", "gatewayToken": "pm_card_authenticationRequired"},
    )
    invoice = issue(stack, api, account, ("Robotics", "1", "100.00"))
    failed = api("GET", f"/invoices/{invoice['id']}")
    assert failed["status"] == "issued"
    assert [(a["status"], a["gatewayCode"]) for a in failed["paymentAttempts"]] == [
        ("failed", "authentication_required")
    ]
    stack.run_due()  # invoice.payment_failed -> the payment_failed email
    emails = call("GET", f"{stack.api_url}/_local/emails").json
    email = next(
        e
        for e in emails
        if "ap@cyberdyne.example" in e["to"]
        and e["subject"].startswith(f"Payment for invoice {invoice['invoiceNumber']}")
    )
    found = re.search(r'href="(http://[^"#]+/portal/[^"#]+)"', email["html"])
    assert found, email["html"]

    # The customer follows it, opens the invoice and pays with the same card, on session.
    page.goto(found.group(1))
    page.get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="Pay $119.00").click()
    page.get_by_role("button", name="Pay $119.00").click()  # the saved card is the default
    page.wait_for_url(re.compile(r"/authenticate$"))
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(re.compile(r"\?m=paid"))
    assert page.locator("[data-status]").inner_text() == "Paid"
    paid = api("GET", f"/invoices/{invoice['id']}")
    assert (paid["status"], [a["status"] for a in paid["paymentAttempts"]]) == (
        "paid",
        ["failed", "succeeded"],
    )
    assert page.problems == []
