"""The hosted pages' rules without a browser (the browser suite is tests/local/
test_pages_browser.py): links open only their own invoice or account, only until they
expire, and are stored as hashes; forms need their CSRF token and a same-site post; a
double submission charges once; the first view writes invoice.viewed once; pages follow
the reader's language; portal sessions from the API last an hour."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from remit.adapters.s3 import DocumentBucket
from remit.clock import FixedClock
from remit.pages.app import build_app
from remit.pages.links import PageLinks
from remit.pages.web import ROUTES
from remit.services.context import Context
from remit.services.documents import DocumentService
from remit.settings import get_settings
from remit_local.apigw import proxy_event
from remit_local.lambdas import LambdaContext
from tests.support import builders
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.documents import InProcessPdfFunction

BASE = "https://pay.acme.example"
Pages = APIGatewayRestResolver  # the pages' resolver, remit.pages.app.build_app


@pytest.fixture
def pages(
    ctx: Context, bucket: DocumentBucket, pdf_function: InProcessPdfFunction, monkeypatch: pytest.MonkeyPatch
) -> Pages:
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    get_settings.cache_clear()  # read again, with the variables just set
    return build_app(ctx, lambda: DocumentService(ctx, bucket, pdf_function))


def issue(api: ApiClient, account_id: str, amount: str = "100.00") -> dict[str, Any]:
    """Invoices here: one line taxed at 19 %, 100.00 unless a test says otherwise."""
    return builders.issue(api, account_id, line(amount, "1", taxRate="19"))


def invoice_link(ctx: Context, org: str, invoice_id: str) -> str:
    organization = ctx.store.organizations.get(org)
    invoice = ctx.store.invoices.get(org, invoice_id)
    assert organization is not None
    assert invoice is not None
    return PageLinks(ctx, BASE).invoice(organization, invoice)


def path_of(url: str) -> str:
    return urlsplit(url).path


def request(
    pages: Pages,
    method: str,
    url: str,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway proxy event for the pages' route the path matches."""
    parts = path_of(url).strip("/").split("/")
    for _, resource in ROUTES:
        names = resource.strip("/").split("/")
        if len(names) != len(parts):
            continue
        params = {}
        for name, part in zip(names, parts, strict=True):
            if name.startswith("{"):
                params[name[1:-1]] = part
            elif name != part:
                break
        else:
            if (method, resource) not in ROUTES:
                continue
            query = dict(p.split("=", 1) for p in urlsplit(url).query.split("&") if "=" in p)
            return call(
                pages,
                {
                    "httpMethod": method,
                    "resource": resource,
                    "path": path_of(url),
                    "pathParameters": params,
                    "queryStringParameters": query or None,
                    "headers": {"Host": "pay.acme.example", **(headers or {})},
                    "body": urlencode(form) if form is not None else None,
                    "isBase64Encoded": False,
                },
            )
    raise AssertionError(f"no route for {method} {url}")


def call(pages: Pages, event: dict[str, Any]) -> dict[str, Any]:
    """The function's answer, its headers as one value each (the resolver answers REST
    API's ``multiValueHeaders``)."""
    out = pages.resolve(event, LambdaContext(function_name="PagesFunction"))  # type: ignore[arg-type]
    multi = out.pop("multiValueHeaders", None) or {}
    out["headers"] = {**{k: v[-1] for k, v in multi.items()}, **(out.get("headers") or {})}
    return out


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


CARD = {"method": "new", "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}


def test_a_link_opens_its_invoice_until_the_organizations_expiry_and_is_stored_as_a_hash(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages, clock: FixedClock
) -> None:
    assert api.patch("/organization/settings", {"invoiceLinkDays": 2}).status == 200
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    token = path_of(url).rsplit("/", 1)[1]
    org_part, link_id, secret = token.split(".")
    assert org_part == org
    assert len(secret) == 43  # 256 random bits, base64url

    stored = ctx.store.table.get({"pk": f"ORG#{org}", "sk": f"LINK#{link_id}"})
    assert stored is not None
    assert secret not in str(stored)
    assert stored["tokenHash"] == hashlib.sha256(secret.encode()).hexdigest()

    page = request(pages, "GET", url)
    assert page["statusCode"] == 200
    assert invoice["invoiceNumber"] in page["body"]
    assert (
        request(pages, "GET", url.replace(secret, secret[:-1] + ("A" if secret[-1] != "A" else "B")))[
            "statusCode"
        ]
        == 404
    )
    clock.advance(timedelta(days=2))
    assert request(pages, "GET", url)["statusCode"] == 404


def test_a_link_reaches_only_its_own_invoice_and_account(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    other = api.post("/accounts", {"name": "Other", "email": "ap@other.example"}).body
    mine, theirs = issue(api, account["id"]), issue(api, other["id"], "55.00")
    session = api.post(f"/accounts/{account['id']}/portal-sessions", {"flow": "invoices"}).body
    portal = session["url"]
    assert request(pages, "GET", f"{portal}/invoices/{mine['id']}")["statusCode"] == 200
    assert request(pages, "GET", f"{portal}/invoices/{theirs['id']}")["statusCode"] == 404
    listing = request(pages, "GET", portal)["body"]
    assert mine["invoiceNumber"] in listing
    assert theirs["id"] not in listing
    # An invoice link is not a portal link, and the other way round.
    link = invoice_link(ctx, org, mine["id"])
    assert request(pages, "GET", link.replace("/i/", "/portal/"))["statusCode"] == 404
    assert request(pages, "GET", portal.replace("/portal/", "/i/"))["statusCode"] == 404


def test_portal_sessions_last_an_hour_and_only_for_the_callers_accounts(
    api: ApiClient, ctx: Context, account: dict[str, Any], clock: FixedClock, pages: Pages
) -> None:
    reply = api.post(
        f"/accounts/{account['id']}/portal-sessions",
        {"returnUrl": "https://app.acme.example/billing", "flow": "payment_methods"},
    )
    assert reply.status == 201, reply
    assert set(reply.body) == {"url", "expiresAt"}
    assert reply.body["expiresAt"] == (clock.now() + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    page = request(pages, "GET", reply.body["url"])["body"]
    assert 'aria-current="page">Payment methods' in page
    assert 'href="https://app.acme.example/billing"' in page

    assert api.post("/accounts/acc_nope/portal-sessions", {}).status == 404
    assert api.post(f"/accounts/{account['id']}/portal-sessions", {"returnUrl": "javascript:x"}).status == 422
    assert api.post(f"/accounts/{account['id']}/portal-sessions", {"flow": "other"}).status == 422
    clock.advance(timedelta(hours=1))
    assert request(pages, "GET", reply.body["url"])["statusCode"] == 404


def test_payment_posts_need_the_csrf_token_and_a_same_site_origin_and_charge_once(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    csrf = csrf_of(request(pages, "GET", url)["body"])

    forged = request(pages, "POST", f"{url}/pay", {**CARD, "csrf": "0" * 64})
    assert forged["statusCode"] == 303
    assert "m=form_expired" in forged["headers"]["Location"]
    cross_site = request(
        pages, "POST", f"{url}/pay", {**CARD, "csrf": csrf}, {"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site["statusCode"] == 403
    assert api.get(f"/invoices/{invoice['id']}").body["paymentAttempts"] == []

    first = request(pages, "POST", f"{url}/pay", {**CARD, "csrf": csrf}, {"Sec-Fetch-Site": "same-origin"})
    again = request(pages, "POST", f"{url}/pay", {**CARD, "csrf": csrf}, {"Sec-Fetch-Site": "same-origin"})
    assert "m=paid" in first["headers"]["Location"]
    assert "m=not_payable" in again["headers"]["Location"]
    paid = api.get(f"/invoices/{invoice['id']}").body
    assert (paid["status"], paid["amountPaid"]) == ("paid", "119.00")
    assert [a["status"] for a in paid["paymentAttempts"]] == ["succeeded"]
    charges = ctx.store.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org}#SANDBOX"}
    ).items
    assert len([c for c in charges if c["sk"].startswith("CHARGE#")]) == 1


def test_the_first_view_writes_invoice_viewed_once(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    for _ in range(3):
        assert request(pages, "GET", url)["statusCode"] == 200
    viewed = api.get("/events", query={"type": "invoice.viewed"}).body["data"]
    assert [(e["type"], e["data"]["id"]) for e in viewed] == [("invoice.viewed", invoice["id"])]


def test_the_page_speaks_the_accounts_language_and_shows_wire_instructions(
    api: ApiClient, ctx: Context, org: str, pages: Pages
) -> None:
    api.patch(
        "/organization/payment-settings",
        {
            "acceptedMethods": ["card", "wire"],
            "displayWireInstructions": True,
            "wireInstructions": {"bankName": "Banque Test", "accountNumber": "FR7630001007941234567890185"},
        },
    )
    account = api.post(
        "/accounts",
        {"name": "Client SARL", "invoiceSettings": {"language": "fr", "currency": "EUR"}},
    ).body
    invoice = issue(api, account["id"], "1000.00")
    page = request(pages, "GET", invoice_link(ctx, org, invoice["id"]))
    html = page["body"]
    assert '<html lang="fr">' in html
    assert f"Facture {invoice['invoiceNumber']}" in html
    assert "Ouverte" in html
    assert "Payer 1\u202f190,00\xa0€" in html
    assert "Payer par virement" in html
    assert "FR7630001007941234567890185" in html
    assert "default-src 'none'" in page["headers"]["Content-Security-Policy"]


def test_checkout_in_payment_mode_shows_a_decline_then_pays_and_redirects(
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
    page = request(pages, "GET", session["url"])
    assert page["statusCode"] == 200
    assert f"Pay invoice {invoice['invoiceNumber']}" in page["body"]
    assert "Pay $119.00" in page["body"]
    # The form may post on to the shop's pages (the redirect after it), nowhere else.
    assert "form-action 'self' https://shop.acme.example;" in page["headers"]["Content-Security-Policy"]
    csrf = csrf_of(page["body"])

    declined = request(pages, "POST", session["url"], {**CARD, "number": "4000000000009995", "csrf": csrf})
    assert declined["statusCode"] == 402
    assert "Your payment was declined: insufficient funds" in declined["body"]
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "issued"

    done = request(pages, "POST", session["url"], {**CARD, "csrf": csrf})
    assert (done["statusCode"], done["headers"]["Location"]) == (303, "https://shop.acme.example/thanks")
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "paid"
    # Used once: the link now says it is invalid or expired.
    assert request(pages, "GET", session["url"])["statusCode"] == 404


def test_a_saved_bank_account_pays_from_the_page_and_shows_processing_until_it_settles(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    reply = api.post(
        f"/accounts/{account['id']}/payment-methods",
        {"type": "ach", "gatewayToken": "pm_usBankAccount_success"},
    )
    assert reply.status == 201, reply
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])
    page = request(pages, "GET", url)["body"]
    assert f'value="{reply.body["id"]}" checked' in page  # the default method is preselected

    posted = request(pages, "POST", f"{url}/pay", {"method": reply.body["id"], "csrf": csrf_of(page)})
    assert "m=processing" in posted["headers"]["Location"]
    after = request(pages, "GET", f"{url}?m=processing")["body"]
    assert "A payment for this invoice is being processed." in after
    assert 'id="pay"' not in after  # nothing more to pay while the debit is open
    attempts = api.get(f"/invoices/{invoice['id']}").body["paymentAttempts"]
    assert [(a["status"], a["methodType"]) for a in attempts] == [("processing", "ach")]


def test_an_organization_on_stripe_gets_stripe_elements_and_pays_with_the_method_it_returns(
    api: ApiClient,
    ctx: Context,
    org: str,
    account: dict[str, Any],
    bucket: DocumentBucket,
    pdf_function: InProcessPdfFunction,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from remit.adapters.gateway.sandbox import SandboxGateway

    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_remit")
    # Without a stored secret key an organization cannot move to Stripe; with one it can.
    monkeypatch.setenv("STRIPE_SECRET_PARAMETER", "/remit/test/stripe-secret")
    get_settings.cache_clear()  # read again, with the variables just set
    refused = api.patch("/organization/payment-settings", {"gateway": "stripe"})
    assert (refused.status, refused.body["field"]) == (409, "gateway")
    boto3.client("ssm").put_parameter(
        Name="/remit/test/stripe-secret", Value="sk_test_remit", Type="SecureString"
    )
    assert api.patch("/organization/payment-settings", {"gateway": "stripe"}).status == 200
    # The sandbox stands in for Stripe's API (no network here); the page is Stripe's.
    stand_in = Context(ctx.store, ctx.clock, gateways=lambda _: SandboxGateway(ctx.store.sandbox, ctx.clock))
    pages = build_app(stand_in, lambda: DocumentService(stand_in, bucket, pdf_function))
    invoice = issue(api, account["id"])
    url = invoice_link(ctx, org, invoice["id"])

    page = request(pages, "GET", url)
    html = page["body"]
    assert 'data-stripe-key="pk_test_remit"' in html
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert 'name="number"' not in html  # no card number field of ours
    policy = page["headers"]["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com;" in policy
    assert "connect-src https://api.stripe.com" in policy
    script = request(pages, "GET", f"{BASE}/assets/stripe-card.js")
    assert script["statusCode"] == 200
    assert "createPaymentMethod" in script["body"]

    posted = request(
        pages, "POST", f"{url}/pay", {"method": "new", "gateway_token": "pm_card_visa", "csrf": csrf_of(html)}
    )
    assert "m=paid" in posted["headers"]["Location"]
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "paid"

    # Without a publishable key there is no Elements and no script: saved methods only.
    monkeypatch.delenv("STRIPE_PUBLISHABLE_KEY")
    get_settings.cache_clear()
    other = issue(api, account["id"])
    plain = request(pages, "GET", invoice_link(ctx, org, other["id"]))
    assert "<script" not in plain["body"]
    assert "script-src" not in plain["headers"]["Content-Security-Policy"]


POSTS = sorted(resource for method, resource in ROUTES if method == "POST")


@pytest.mark.parametrize("resource", POSTS)
def test_a_form_body_that_is_not_utf8_is_the_400_page_whatever_the_token(pages: Pages, resource: str) -> None:
    # API Gateway hands the function a body that is not UTF-8 as base64; it was a 502.
    params = dict.fromkeys(re.findall(r"\{(\w+)\}", resource), "nope")
    path = re.sub(r"\{(\w+)\}", "nope", resource)
    event = proxy_event(
        "POST",
        path,
        resource=resource,
        path_parameters=params,
        headers={"Host": "pay.acme.example", "Accept-Language": "fr-FR,fr;q=0.9"},
        body=b"x=\xff",
    )
    assert event["isBase64Encoded"] is True
    reply = call(pages, event)
    assert reply["statusCode"] == 400
    assert reply["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in reply["headers"]["Content-Security-Policy"]
    assert "Le formulaire n&#39;a pas pu être lu." in reply["body"]


def test_a_form_body_that_is_not_utf8_charges_nothing_on_a_valid_link(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], pages: Pages
) -> None:
    invoice = issue(api, account["id"])
    path = path_of(invoice_link(ctx, org, invoice["id"]))
    token = path.rsplit("/", 1)[1]
    session = api.post(f"/accounts/{account['id']}/portal-sessions", {}).body
    portal_token = path_of(session["url"]).rsplit("/", 1)[1]
    for resource, params in [
        ("/i/{token}/pay", {"token": token}),
        ("/portal/{token}/payment-methods", {"token": portal_token}),
    ]:
        url = resource.replace("{token}", params["token"])
        event = proxy_event("POST", url, resource=resource, path_parameters=params, body=b"csrf=\xff&x=1")
        reply = call(pages, event)
        assert reply["statusCode"] == 400, resource
        assert "The form could not be read." in reply["body"]
    assert api.get(f"/invoices/{invoice['id']}").body["paymentAttempts"] == []
    assert api.get(f"/accounts/{account['id']}/payment-methods").body["data"] == []


def test_the_portal_lists_drafts_as_not_yet_issued_never_payable_and_without_a_page(
    api: ApiClient, account: dict[str, Any], pages: Pages
) -> None:
    issued = issue(api, account["id"])
    pending = api.post("/invoices", draft(account["id"], line("42.00", "1"))).body
    assert api.get("/organization").body["settings"]["portalShowDrafts"] is True
    portal = api.post(f"/accounts/{account['id']}/portal-sessions", {"flow": "invoices"}).body["url"]
    listing = request(pages, "GET", portal)["body"]
    assert "Draft, not yet issued" in listing
    row = listing[listing.index(f'data-invoice="{pending["id"]}"') :]
    row = row[: row.index("</tr>")]
    assert "42.00" in row
    # No page, no pay button, no PDF: only the issued invoice's row links anywhere.
    assert "href=" not in row
    assert issued["invoiceNumber"] in listing
    for path in ("", "/pay", "/documents/invoice", "/authenticate"):
        method = "POST" if path == "/pay" else "GET"
        assert request(pages, method, f"{portal}/invoices/{pending['id']}{path}")["statusCode"] == 404
    assert api.get("/events", query={"type": "invoice.viewed"}).body["data"] == []

    # In German too; and the setting turns the drafts off again.
    assert api.patch(f"/accounts/{account['id']}", {"invoiceSettings": {"language": "de"}}).status == 200
    assert "Entwurf, noch nicht ausgestellt" in request(pages, "GET", portal)["body"]
    reply = api.patch("/organization/settings", {"portalShowDrafts": False})
    assert reply.status == 200, reply
    assert reply.body["settings"]["portalShowDrafts"] is False
    listing = request(pages, "GET", portal)["body"]
    assert pending["id"] not in listing
    assert issued["invoiceNumber"] in listing
    assert api.patch("/organization/settings", {"portalShowDrafts": "yes"}).status == 422
