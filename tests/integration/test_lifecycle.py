"""An invoice from draft to paid through the API handler, on DynamoDB Local."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from remit.clock import FixedClock
from remit.services.context import Context
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line


def test_draft_to_paid(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str], clock: FixedClock, ctx: Context
) -> None:
    api = api_for(new_org("Acme"))
    assert api.patch("/organization/invoice-settings", {"invoicePrefix": "ACME-"}).status == 200
    account = api.post("/accounts", {"name": "Globex", "invoiceSettings": {"paymentTerms": "net_15"}}).body

    inv = api.post("/invoices", draft(account["id"], line("1200.00", taxRate="10"), line("300.00"))).body
    assert (inv["status"], inv["total"]) == ("draft", "1620.00")
    edited = api.patch(f"/invoices/{inv['id']}", {"lineItems": [line("1200.00", taxRate="10")]}).body
    assert edited["total"] == "1320.00"

    issued = api.post(f"/invoices/{inv['id']}/finalize").body
    assert (issued["status"], issued["invoiceNumber"]) == ("issued", "ACME-2026-00001")
    assert issued["dueDate"] == str(clock.now().date() + timedelta(days=15))

    clock.advance(timedelta(days=16))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "past_due"
    partial = api.post(f"/invoices/{inv['id']}/payments", {"amount": "320.00", "method": "check"}).body
    assert (partial["status"], partial["amountDue"]) == ("past_due", "1000.00")
    paid = api.post(
        f"/invoices/{inv['id']}/payments",
        {"amount": "1000.00", "method": "wire_transfer", "reference": "W-1"},
    ).body
    assert (paid["status"], paid["amountPaid"], paid["amountDue"]) == ("paid", "1320.00", "0.00")

    detail = api.get(f"/invoices/{inv['id']}").body
    assert [p["amount"] for p in detail["payments"]] == ["320.00", "1000.00"]
    listed = api.get("/invoices", query={"status": "paid", "accountId": account["id"]}).body["data"]
    assert [i["id"] for i in listed] == [inv["id"]]

    org_item = ctx.store.organizations.get(str(api.org_id))
    assert org_item is not None
    assert org_item.sequences == {"ACME-2026-*": 1}
