"""Remit's own API through the local gateway and its real authorizer, over HTTP, on
DynamoDB Local: what a user of ``make run`` sees."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from remit.services.organizations import OrganizationService
from remit_local.stack import LocalStack
from tests.local.client import call

NewOrg = Callable[..., tuple[str, str]]


def test_no_key_is_401_in_remit_error_shape(stack: LocalStack) -> None:
    reply = call("GET", f"{stack.api_url}/organization")
    assert reply.status == 401
    assert reply.json["code"] == "unauthorized"
    assert set(reply.json) == {"code", "message", "field"}


def test_wrong_key_is_401(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org()
    forged = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    for bad in (forged, "rk_nonsense", "not-even-close"):
        reply = call("GET", f"{stack.api_url}/organization", key=bad)
        assert reply.status == 401, bad
        assert reply.json["code"] == "unauthorized"


def test_read_only_key_may_read_but_not_write(stack: LocalStack, new_org: NewOrg) -> None:
    org_id, _ = new_org("Read Only Co")
    _, read_key = OrganizationService(stack.context()).create_api_key(org_id, "viewer", "read_only")
    assert call("GET", f"{stack.api_url}/organization", key=read_key).status == 200
    reply = call("POST", f"{stack.api_url}/accounts", {"name": "Nope"}, key=read_key)
    assert reply.status == 403
    assert reply.json["code"] == "forbidden"


def test_unknown_route_is_404_and_another_method_405(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org()
    # template.yaml maps MISSING_AUTHENTICATION_TOKEN to a 404 for a path the API lacks; a
    # path it has answers other methods with 405 and Allow (its ANY route).
    reply = call("GET", f"{stack.api_url}/nowhere", key=key)
    assert (reply.status, reply.json["code"]) == (404, "route_not_found")
    for method, path, allowed in (("PUT", "/accounts", "GET, POST"), ("GET", "/invoices/x/finalize", "POST")):
        reply = call(method, f"{stack.api_url}{path}", key=key)
        assert (reply.status, reply.json["code"]) == (405, "method_not_allowed"), (method, path)
        assert reply.headers["Allow"] == allowed


def test_invoice_from_draft_to_paid(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org("Flow Co")
    api = stack.api_url
    account = call("POST", f"{api}/accounts", {"name": "Globex", "email": "ap@globex.example"}, key=key)
    assert account.status == 201, account

    draft = call(
        "POST",
        f"{api}/invoices",
        {
            "accountId": account.json["id"],
            "currency": "USD",
            "lineItems": [
                {"description": "Consulting", "quantity": "10", "unitAmount": "150.00", "taxRate": "10"},
                {"description": "Travel", "unitAmount": "200.00"},
            ],
        },
        key=key,
        headers={"Idempotency-Key": "draft-1"},
    )
    assert draft.status == 201, draft
    assert draft.json["status"] == "draft"
    assert draft.json["invoiceNumber"] is None
    invoice = draft.json["id"]
    total = draft.json["total"]

    issued = call("POST", f"{api}/invoices/{invoice}/finalize", key=key)
    assert issued.status == 200, issued
    assert issued.json["status"] == "issued"
    assert issued.json["invoiceNumber"]

    partial = call(
        "POST", f"{api}/invoices/{invoice}/payments", {"amount": "100.00", "method": "check"}, key=key
    )
    assert partial.status == 201, partial
    assert partial.json["status"] == "issued"
    assert partial.json["amountPaid"] == "100.00"

    rest = call(
        "POST",
        f"{api}/invoices/{invoice}/payments",
        {"amount": partial.json["amountDue"], "method": "wire_transfer", "reference": "WT-1"},
        key=key,
    )
    assert rest.status == 201, rest
    assert rest.json["status"] == "paid"

    fetched = call("GET", f"{api}/invoices/{invoice}", key=key).json
    assert fetched["status"] == "paid"
    assert fetched["amountPaid"] == total
    assert fetched["amountDue"] == "0.00"
    assert len(fetched["payments"]) == 2
    listed = call("GET", f"{api}/invoices?status=paid", key=key).json
    assert [i["id"] for i in listed["data"]] == [invoice]


def test_organizations_cannot_see_each_others_invoices(stack: LocalStack, new_org: NewOrg) -> None:
    api = stack.api_url
    _, key_a = new_org("Tenant A")
    _, key_b = new_org("Tenant B")
    account = call("POST", f"{api}/accounts", {"name": "A's customer"}, key=key_a).json
    invoice = call(
        "POST",
        f"{api}/invoices",
        {"accountId": account["id"], "lineItems": [{"description": "x", "unitAmount": "5.00"}]},
        key=key_a,
    ).json
    assert call("GET", f"{api}/invoices/{invoice['id']}", key=key_a).status == 200

    assert call("GET", f"{api}/invoices/{invoice['id']}", key=key_b).status == 404
    assert call("POST", f"{api}/invoices/{invoice['id']}/finalize", key=key_b).status == 404
    assert call("GET", f"{api}/accounts/{account['id']}", key=key_b).status == 404
    assert call("GET", f"{api}/invoices", key=key_b).json["data"] == []


def test_concurrent_requests_of_two_tenants_never_mix(stack: LocalStack, new_org: NewOrg) -> None:
    """Each request runs in a container of its own: one process cannot hand one
    tenant's request context to another's handler."""
    orgs = [new_org(f"Concurrent {n}") for n in range(2)]
    calls = [orgs[n % 2] for n in range(12)]

    def whoami(org: tuple[str, str]) -> tuple[str, str]:
        reply = call("GET", f"{stack.api_url}/organization", key=org[1])
        assert reply.status == 200, reply
        return org[0], reply.json["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(whoami, calls))
    assert all(expected == seen for expected, seen in results)


def test_swagger_is_served_without_a_key(stack: LocalStack) -> None:
    page = call("GET", f"{stack.api_url}/swagger")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    spec = call("GET", f"{stack.api_url}/swagger?format=json")
    assert spec.status == 200
    document = spec.json
    assert "/invoices/{invoiceId}/finalize" in document["paths"]
    # The UI's "try it out" must call the local gateway's own paths (no stage prefix).
    assert document["servers"] == [{"url": "/"}]
