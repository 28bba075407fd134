"""Every state change writes its events in the same transaction (the outbox)."""

from __future__ import annotations

from typing import Any

from remit.services.context import Context
from remit.store.table import Table
from tests.support.api_client import ApiClient
from tests.support.builders import draft


def outbox(table: Table, org_id: str) -> list[dict[str, Any]]:
    page = table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}#EVENT"}
    )
    return page.items


def test_each_change_writes_its_event_in_order(api: ApiClient, account: dict, ctx: Context) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    api.post(f"/invoices/{inv['id']}/finalize")
    api.post(f"/invoices/{inv['id']}/payments", {"amount": "40.00", "method": "check"})
    api.post(f"/invoices/{inv['id']}/payments", {"amount": "60.00", "method": "check"})
    events = outbox(ctx.store.table, str(api.org_id))
    assert [e["type"] for e in events] == [
        "invoice.created",
        "invoice.issued",
        "payment.succeeded",
        "payment.succeeded",
        "invoice.paid",
    ]
    assert all(e["subjectId"] == inv["id"] and e["organizationId"] == api.org_id for e in events)
    issued, paid = events[1], events[-1]
    assert issued["data"]["invoiceNumber"] == "INV-2026-00001"
    assert issued["data"]["status"] == "issued"
    assert (paid["data"]["total"], paid["data"]["paidAt"]) == ("100.00", paid["createdAt"])
    assert events[2]["data"]["amount"] == "40.00"
    assert events[2]["data"]["invoiceNumber"] == "INV-2026-00001"
    assert len({e["id"] for e in events}) == len(events)


def test_a_refused_change_writes_no_event(api: ApiClient, account: dict, ctx: Context) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    api.post(f"/invoices/{inv['id']}/void")  # refused: still a draft
    api.post(f"/invoices/{inv['id']}/payments", {"amount": "1.00", "method": "check"})  # refused too
    assert [e["type"] for e in outbox(ctx.store.table, str(api.org_id))] == ["invoice.created"]


def test_void_and_write_off_events(api: ApiClient, account: dict, ctx: Context) -> None:  # type: ignore[type-arg]
    a = api.post("/invoices", draft(account["id"])).body["id"]
    b = api.post("/invoices", draft(account["id"])).body["id"]
    for inv in (a, b):
        api.post(f"/invoices/{inv}/finalize")
    api.post(f"/invoices/{a}/void")
    api.post(f"/invoices/{b}/mark-uncollectible")
    api.delete(f"/invoices/{api.post('/invoices', draft(account['id'])).body['id']}")
    types = [e["type"] for e in outbox(ctx.store.table, str(api.org_id))]
    assert types.count("invoice.voided") == 1
    assert types.count("invoice.marked_uncollectible") == 1
    assert types.count("invoice.deleted") == 1
