"""No organization can read or change another's data: every object route of the
template answers 404 (not 403, so existence does not leak), and lists never show
foreign objects. New routes must add a sample body here, or this test fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from remit.domain.webhook import WebhookEndpoint
from remit.services.context import Context
from remit_local.routes import api_routes
from tests.support.api_client import ApiClient
from tests.support.builders import draft

SAMPLE_BODIES: dict[tuple[str, str], Any] = {
    ("GET", "/accounts/{accountId}"): None,
    ("PATCH", "/accounts/{accountId}"): {"name": "taken over"},
    ("GET", "/invoices/{invoiceId}"): None,
    ("PATCH", "/invoices/{invoiceId}"): {"memo": "taken over"},
    ("DELETE", "/invoices/{invoiceId}"): None,
    ("POST", "/invoices/{invoiceId}/finalize"): None,
    ("POST", "/invoices/{invoiceId}/void"): None,
    ("POST", "/invoices/{invoiceId}/mark-uncollectible"): None,
    ("POST", "/invoices/{invoiceId}/payments"): {"amount": "1.00", "method": "check"},
    ("POST", "/invoices/{invoiceId}/pay"): None,
    ("POST", "/accounts/{accountId}/payment-methods"): {"type": "card", "gatewayToken": "pm_card_visa"},
    ("GET", "/accounts/{accountId}/payment-methods"): None,
    ("DELETE", "/accounts/{accountId}/payment-methods/{paymentMethodId}"): None,
    ("GET", "/invoices/{invoiceId}/pdf"): None,
    ("GET", "/invoices/{invoiceId}/receipt-pdf"): None,
    ("POST", "/invoices/{invoiceId}/send"): {},
    ("GET", "/invoices/{invoiceId}/emails"): None,
    ("POST", "/invoices/{invoiceId}/reminders"): {},
    ("GET", "/invoices/{invoiceId}/collection"): None,
    ("GET", "/products/{productId}"): None,
    ("PATCH", "/products/{productId}"): {"name": "taken over"},
    ("GET", "/subscriptions/{subscriptionId}"): None,
    ("PATCH", "/subscriptions/{subscriptionId}"): {"collectionMethod": "send_invoice"},
    ("POST", "/subscriptions/{subscriptionId}/pause"): None,
    ("POST", "/subscriptions/{subscriptionId}/resume"): None,
    ("POST", "/subscriptions/{subscriptionId}/cancel"): None,
    ("GET", "/events/{eventId}"): None,
    ("POST", "/events/{eventId}/redeliver"): {},
    ("DELETE", "/webhook-endpoints/{endpointId}"): None,
    ("POST", "/accounts/{accountId}/portal-sessions"): {"flow": "invoices"},
    ("DELETE", "/api-keys/{keyId}"): None,
    ("POST", "/invoices/{invoiceId}/credit-notes"): {
        "lines": [{"description": "Goodwill", "amount": "1.00"}]
    },
    ("POST", "/invoices/{invoiceId}/credit-notes/preview"): {
        "lines": [{"description": "Goodwill", "amount": "1.00"}]
    },
    ("GET", "/credit-notes/{creditNoteId}"): None,
    ("POST", "/credit-notes/{creditNoteId}/void"): None,
}


def owned_endpoint(ctx: Context, org_id: str) -> str:
    """A webhook endpoint record (its SNS side plays no part in who may see it)."""
    endpoint = WebhookEndpoint(
        id="we_01KF0E5A2B3C4D5E6F7G8H9J0K",
        organization_id=org_id,
        url="https://hooks.example.com/",
        event_types=["invoice.paid"],
        subscription_arn="arn:aws:sns:us-east-1:123456789012:events:1",
        created_at=ctx.clock.now(),
    )
    ctx.store.webhooks.create(endpoint)
    return endpoint.id


def test_every_object_route_is_404_for_another_organization(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str], ctx: Context
) -> None:
    owner_id = new_org("Owner")
    owner = api_for(owner_id)
    intruder = api_for(new_org("Intruder"))
    account = owner.post("/accounts", {"name": "Owned"}).body["id"]
    draft_id = owner.post("/invoices", draft(account)).body["id"]
    method = owner.post(
        f"/accounts/{account}/payment-methods", {"type": "card", "gatewayToken": "pm_card_visa"}
    ).body["id"]
    product = owner.post(
        "/products",
        {
            "name": "Plan",
            "prices": [{"currency": "USD", "unitAmount": "10.00", "recurring": {"interval": "month"}}],
        },
    ).body
    subscription = owner.post(
        "/subscriptions", {"accountId": account, "items": [{"priceId": product["prices"][0]["id"]}]}
    ).body["id"]
    issued = owner.post("/invoices", draft(account)).body["id"]
    assert owner.post(f"/invoices/{issued}/finalize").status == 200
    note = owner.post(
        f"/invoices/{issued}/credit-notes", {"lines": [{"description": "Goodwill", "amount": "1.00"}]}
    )
    assert note.status == 201, note
    ids = {
        "creditNoteId": note.body["id"],
        "accountId": account,
        "invoiceId": draft_id,
        "productId": product["id"],
        "subscriptionId": subscription,
        "eventId": owner.get("/events").body["data"][0]["id"],
        "endpointId": owned_endpoint(ctx, owner_id),
        "keyId": owner.get("/api-keys").body["data"][0]["id"],
        "paymentMethodId": method,
    }

    # /email-templates/{name} names a template every organization has (its own or the
    # default), not another tenant's object: test_emails checks a custom one stays private.
    # Hosted pages (no authorizer) are reached by a link's token, dashboard pages by the
    # operator's session: tests/api/test_pages.py and tests/dashboard cover those.
    object_routes = [
        r
        for r in api_routes()
        if r.function == "ApiFunction" and r.authorized and "{" in r.resource and "{name}" not in r.resource
    ]
    assert {(r.method, r.resource) for r in object_routes} == set(SAMPLE_BODIES), (
        "add new routes to SAMPLE_BODIES"
    )
    for route in object_routes:
        path = route.resource.format(**ids)
        reply = intruder.call(route.method, path, SAMPLE_BODIES[(route.method, route.resource)])
        assert (reply.status, reply.body["code"]) == (404, "not_found"), (route.method, path, reply)

    # Nothing the intruder tried changed the owner's objects.
    assert owner.get(f"/accounts/{account}").body["name"] == "Owned"
    assert [m["id"] for m in owner.get(f"/accounts/{account}/payment-methods").body["data"]] == [method]
    assert owner.get(f"/products/{product['id']}").body["name"] == "Plan"
    assert owner.get(f"/subscriptions/{subscription}").body["status"] == "active"
    invoice = owner.get(f"/invoices/{draft_id}").body
    assert (invoice["status"], invoice["memo"]) == ("draft", None)
    assert ctx.store.webhooks.get(owner_id, ids["endpointId"]) is not None
    owner_key = ctx.store.api_keys.get(ids["keyId"])
    assert owner_key is not None
    assert owner_key.revoked_at is None


def test_lists_show_only_the_callers_objects(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str]
) -> None:
    a, b = api_for(new_org("A")), api_for(new_org("B"))
    a_account = a.post("/accounts", {"name": "A's customer"}).body["id"]
    b_account = b.post("/accounts", {"name": "B's customer"}).body["id"]
    a_invoice = a.post("/invoices", draft(a_account)).body["id"]
    b_invoice = b.post("/invoices", draft(b_account)).body["id"]
    a.post(f"/invoices/{a_invoice}/finalize")
    b.post(f"/invoices/{b_invoice}/finalize")

    assert [x["id"] for x in a.get("/accounts").body["data"]] == [a_account]
    assert [x["id"] for x in a.get("/invoices").body["data"]] == [a_invoice]
    assert a.get("/invoices", query={"accountId": b_account}).body["data"] == []
    # Each organization numbers its own invoices from 1.
    assert a.get(f"/invoices/{a_invoice}").body["invoiceNumber"] == "INV-2026-00001"
    assert b.get(f"/invoices/{b_invoice}").body["invoiceNumber"] == "INV-2026-00001"
