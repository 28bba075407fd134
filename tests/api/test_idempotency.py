from __future__ import annotations

from tests.support.api_client import ApiClient
from tests.support.builders import draft


def test_same_key_same_body_returns_the_first_answer(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    body = draft(account["id"])
    first = api.post("/invoices", body, headers={"Idempotency-Key": "create-1"})
    again = api.post("/invoices", body, headers={"Idempotency-Key": "create-1"})
    assert first.status == again.status == 201
    assert again.body == first.body
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(api.get("/invoices").body["data"]) == 1


def test_same_key_with_another_body_is_refused(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    api.post("/invoices", draft(account["id"]), headers={"Idempotency-Key": "k"})
    reply = api.post("/invoices", draft(account["id"], memo="other"), headers={"Idempotency-Key": "k"})
    assert (reply.status, reply.body["code"], reply.body["field"]) == (
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert len(api.get("/invoices").body["data"]) == 1


def test_a_retried_finalize_replays_instead_of_failing(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    first = api.post(f"/invoices/{inv['id']}/finalize", headers={"Idempotency-Key": "fin"})
    retry = api.post(f"/invoices/{inv['id']}/finalize", headers={"Idempotency-Key": "fin"})
    assert (first.status, retry.status) == (200, 200)
    assert retry.body["invoiceNumber"] == first.body["invoiceNumber"] == "INV-2026-00001"
    assert api.post(f"/invoices/{inv['id']}/finalize").status == 409  # without the key it is a new request


def test_a_retried_payment_is_recorded_once(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    api.post(f"/invoices/{inv['id']}/finalize")
    pay = {"amount": "40.00", "method": "wire_transfer"}
    for _ in range(3):
        assert (
            api.post(f"/invoices/{inv['id']}/payments", pay, headers={"Idempotency-Key": "wire-1"}).status
            == 201
        )
    assert [p["amount"] for p in api.get(f"/invoices/{inv['id']}").body["payments"]] == ["40.00"]


def test_keys_are_scoped_to_the_route_and_the_organization(api: ApiClient, account: dict, ctx) -> None:  # type: ignore[no-untyped-def,type-arg]
    from remit.services.organizations import OrganizationService

    other, _ = OrganizationService(ctx).create("Other")
    other_account = api.post("/accounts", {"name": "Theirs"}, org=other.id).body
    mine = api.post("/invoices", draft(account["id"]), headers={"Idempotency-Key": "shared"})
    theirs = api.post(
        "/invoices", draft(other_account["id"]), headers={"Idempotency-Key": "shared"}, org=other.id
    )
    assert mine.status == theirs.status == 201
    assert mine.body["id"] != theirs.body["id"]


def test_a_failed_request_can_be_retried_with_the_same_key(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    early = api.post(
        f"/invoices/{inv['id']}/payments",
        {"amount": "1.00", "method": "check"},
        headers={"Idempotency-Key": "p"},
    )
    assert early.status == 409  # still a draft
    api.post(f"/invoices/{inv['id']}/finalize")
    later = api.post(
        f"/invoices/{inv['id']}/payments",
        {"amount": "1.00", "method": "check"},
        headers={"Idempotency-Key": "p"},
    )
    assert later.status == 201
