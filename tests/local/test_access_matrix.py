"""Who gets in, over HTTP through the local gateway and the real authorizer: every route
of template.yaml that needs an API key, with no key, a malformed key, a forged key, a
revoked key, a read-only key on a write, and another organization's key. The expected
answers are 401, 401, 401, 401, 403 and "nothing of the owner's": 404 for a route about
one object, and lists that hold none of the owner's objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from remit.services.organizations import OrganizationService
from remit_local.routes import Route, api_routes
from remit_local.stack import LocalStack
from tests.integration.test_tenancy import SAMPLE_BODIES
from tests.local.client import Reply, call
from tests.support.receiver import Receiver

NewOrg = Callable[..., tuple[str, str]]
KEYED = [r for r in api_routes() if r.authorized]
ROUTE_IDS = [f"{r.method} {r.resource}" for r in KEYED]
WRITES = [r for r in KEYED if r.method != "GET"]
READS = [r for r in KEYED if r.method == "GET"]
# Every organization has every email template (its own or the default): the same name
# reaches each organization's own, so there is nothing of another's to reach.
SHARED_NAMES = {"/email-templates/{name}", "/email-templates/{name}/preview"}
PLACEHOLDER = {
    "accountId": "acc_01KF0E44M0V8TGZSB41NBMNFNT",
    "invoiceId": "inv_01KF0E44M0V8TGZSB41NBMNFNT",
    "productId": "prod_01KF0E44M0V8TGZSB41NBMNFNT",
    "subscriptionId": "sub_01KF0E44M0V8TGZSB41NBMNFNT",
    "eventId": "evt_01KF0E44M0V8TGZSB41NBMNFNT",
    "endpointId": "we_01KF0E44M0V8TGZSB41NBMNFNT",
    "paymentMethodId": "pm_01KF0E44M0V8TGZSB41NBMNFNT",
    "keyId": "key_01kf0e44m0v8tgzsb41nbmnfnt",
    "creditNoteId": "cn_01KF0E44M0V8TGZSB41NBMNFNT",
    "name": "invoice_issued",
}


def path_of(route: Route, ids: dict[str, str]) -> str:
    return route.resource.format(**ids)


def test_every_path_parameter_has_a_placeholder() -> None:
    import string

    names = {f for r in KEYED for _, f, _, _ in string.Formatter().parse(r.resource) if f}
    assert names <= set(PLACEHOLDER), "add the new path parameter to PLACEHOLDER"


@pytest.fixture(scope="module")
def keys(stack: LocalStack) -> dict[str, str]:
    """Tokens: the owner's full key, a read-only one, a revoked one, a forged one."""
    service = OrganizationService(stack.context())
    org, full = service.create("Matrix Owner")
    _, read_only = service.create_api_key(org.id, "viewer", "read_only")
    revoked_key, revoked = service.create_api_key(org.id, "old")
    assert call("DELETE", f"{stack.api_url}/api-keys/{revoked_key.id}", key=full).status == 204
    forged = full[:-6] + ("aaaaaa" if not full.endswith("aaaaaa") else "bbbbbb")
    return {"full": full, "read_only": read_only, "revoked": revoked, "forged": forged}


def send(stack: LocalStack, route: Route, key: str | None, ids: dict[str, str] | None = None) -> Reply:
    body: Any = {} if route.method in ("POST", "PUT", "PATCH") else None
    return call(route.method, f"{stack.api_url}{path_of(route, ids or PLACEHOLDER)}", body, key=key)


@pytest.mark.parametrize("route", KEYED, ids=ROUTE_IDS)
def test_without_a_valid_key_every_route_is_401(
    stack: LocalStack, keys: dict[str, str], route: Route
) -> None:
    for key in (None, "rk_not-a-key", keys["forged"], keys["revoked"]):
        reply = send(stack, route, key)
        assert (reply.status, reply.json["code"]) == (401, "unauthorized"), (key and key[:12], reply)


@pytest.mark.parametrize(
    "route", [r for r in KEYED if r.method != "GET"], ids=lambda r: f"{r.method} {r.resource}"
)
def test_a_read_only_key_cannot_write(stack: LocalStack, keys: dict[str, str], route: Route) -> None:
    reply = send(stack, route, keys["read_only"])
    assert (reply.status, reply.json["code"]) == (403, "forbidden"), reply


@pytest.mark.parametrize(
    "route", [r for r in KEYED if r.method == "GET"], ids=lambda r: f"{r.method} {r.resource}"
)
def test_a_read_only_key_can_read(stack: LocalStack, keys: dict[str, str], route: Route) -> None:
    reply = send(stack, route, keys["read_only"])
    # Past the gateway: the API answered (a placeholder id is simply not found).
    assert reply.status in (200, 404, 409), reply


def owned_objects(stack: LocalStack, key: str, receiver_url: str) -> dict[str, str]:
    """One of everything a path can name, made through the API by its owner."""
    api = stack.api_url

    def post(path: str, body: Any) -> Any:
        reply = call("POST", f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), (path, reply)
        return reply.json

    account = post("/accounts", {"name": "Owned", "email": "ap@owned.example"})["id"]
    line = {"description": "Work", "quantity": "1", "unitAmount": "10.00"}
    invoice = post("/invoices", {"accountId": account, "lineItems": [line]})["id"]
    price = {"currency": "USD", "unitAmount": "10.00", "recurring": {"interval": "month"}}
    product = post("/products", {"name": "Plan", "prices": [price]})
    subscription = post(
        "/subscriptions", {"accountId": account, "items": [{"priceId": product["prices"][0]["id"]}]}
    )
    method = post(f"/accounts/{account}/payment-methods", {"type": "card", "gatewayToken": "pm_card_visa"})
    endpoint = post("/webhook-endpoints", {"url": receiver_url, "eventTypes": ["invoice.paid"]})
    issued = post("/invoices", {"accountId": account, "lineItems": [line]})["id"]
    post(f"/invoices/{issued}/finalize", None)
    note = post(
        f"/invoices/{issued}/credit-notes", {"lines": [{"description": "Goodwill", "amount": "1.00"}]}
    )
    events = call("GET", f"{api}/events", key=key).json["data"]
    api_keys = call("GET", f"{api}/api-keys", key=key).json["data"]
    return {
        "creditNoteId": note["id"],
        "accountId": account,
        "invoiceId": invoice,
        "productId": product["id"],
        "subscriptionId": subscription["id"],
        "eventId": events[0]["id"],
        "endpointId": endpoint["id"],
        "paymentMethodId": method["id"],
        "keyId": next(k["id"] for k in api_keys if k["revokedAt"] is None),
        "name": "invoice_issued",
    }


def test_another_organizations_key_reaches_nothing_of_the_owners(
    stack: LocalStack, keys: dict[str, str], new_org: NewOrg
) -> None:
    with Receiver() as receiver:
        ids = owned_objects(stack, keys["full"], receiver.url)
        try:
            check_intruder(stack, keys, new_org, ids)
        finally:
            # moto's SNS fails every publish to a topic with a subscriber it cannot reach,
            # which would hold up the publisher for the tests after this one.
            call("DELETE", f"{stack.api_url}/webhook-endpoints/{ids['endpointId']}", key=keys["full"])


def check_intruder(stack: LocalStack, keys: dict[str, str], new_org: NewOrg, ids: dict[str, str]) -> None:
    _, intruder = new_org("Matrix Intruder")
    for route in KEYED:
        if route.resource in SHARED_NAMES:
            continue
        if "{" in route.resource:
            # A well-formed body, so the answer is about the object, not the input.
            body = SAMPLE_BODIES[(route.method, route.resource)]
            reply = call(route.method, f"{stack.api_url}{path_of(route, ids)}", body, key=intruder)
            assert (reply.status, reply.json["code"]) == (404, "not_found"), (route.resource, reply)
        elif route.method == "GET":
            reply = send(stack, route, intruder)
            assert reply.status == 200, (route.resource, reply)
            assert not set(ids.values()) & {item.get("id") for item in reply.json.get("data", [])}
    # The owner's objects are all still there, unchanged.
    owner = call("GET", f"{stack.api_url}/invoices/{ids['invoiceId']}", key=keys["full"])
    assert (owner.status, owner.json["status"]) == (200, "draft")
    keys_now = call("GET", f"{stack.api_url}/api-keys", key=keys["full"]).json["data"]
    assert next(k for k in keys_now if k["id"] == ids["keyId"])["revokedAt"] is None


def test_odd_bodies_and_methods_are_clear_4xx(stack: LocalStack, keys: dict[str, str]) -> None:
    api = stack.api_url
    # Bytes that are not UTF-8: the body is refused as not JSON, never a 500.
    for raw in (b"\xd9\x01", b"\xab\xcd{", b'{"name": "\xff"}'):
        reply = call("POST", f"{api}/accounts", raw=raw, key=keys["full"])
        assert (reply.status, reply.json["code"]) == (400, "invalid_json"), (raw, reply)
    # Unusual methods are answered like any other: 405 on a path the API has, 404 elsewhere.
    for method in ("TRACE", "PROPFIND", "PURGE"):
        reply = call(method, f"{api}/accounts", key=keys["full"])
        assert (reply.status, reply.json["code"]) == (405, "method_not_allowed"), (method, reply)
        reply = call(method, f"{api}/nowhere", key=keys["full"])
        assert (reply.status, reply.json["code"]) == (404, "route_not_found"), (method, reply)


def test_a_body_that_is_not_json_by_its_type_is_415(stack: LocalStack, keys: dict[str, str]) -> None:
    for kind in ("text/plain", "multipart/form-data", "application/x-www-form-urlencoded"):
        typed = {"Content-Type": kind}
        reply = call("POST", f"{stack.api_url}/accounts", {"name": "Typed"}, key=keys["full"], headers=typed)
        assert (reply.status, reply.json["code"]) == (415, "unsupported_media_type"), (kind, reply)


def test_event_windows_beyond_what_ids_hold_are_empty(stack: LocalStack, keys: dict[str, str]) -> None:
    windows = ("createdAfter=0150-02-10T09:35:36Z", "createdBefore=1969-12-31T00:00:00Z")
    for query in (*windows, "createdAfter=9999-01-01T00:00:00Z"):
        reply = call("GET", f"{stack.api_url}/events?{query}", key=keys["full"])
        assert reply.status == 200, (query, reply)
    before_1970 = call("GET", f"{stack.api_url}/events?{windows[1]}", key=keys["full"])
    assert before_1970.json["data"] == []


def test_another_method_on_a_known_path_is_405_with_allow(stack: LocalStack, keys: dict[str, str]) -> None:
    api = stack.api_url
    reply = call("PUT", f"{api}/accounts", {}, key=keys["full"])
    assert (reply.status, reply.json["code"]) == (405, "method_not_allowed"), reply
    assert reply.headers["Allow"] == "GET, POST"
    # Without a key too: the answer says nothing about any organization's data.
    reply = call("DELETE", f"{api}/invoices/inv_01KF0E44M0V8TGZSB41NBMNFNT/finalize")
    assert (reply.status, reply.headers["Allow"]) == (405, "POST")
    # An unknown path stays an unknown path.
    assert call("PUT", f"{api}/nowhere", {}, key=keys["full"]).status == 404
