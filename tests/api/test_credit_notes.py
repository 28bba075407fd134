"""Credit notes (issue 18) over the API: the done-when that needs no refunds."""

from __future__ import annotations

from typing import Any

from tests.support.api_client import ApiClient
from tests.support.builders import draft, line


def issued(api: ApiClient, account_id: str, unit: str = "100.00", rate: str = "19") -> dict[str, Any]:
    inv = api.post("/invoices", draft(account_id, line(unit, taxRate=rate), currency="EUR")).body
    reply = api.post(f"/invoices/{inv['id']}/finalize")
    assert reply.status == 200, reply
    return dict(reply.body)


def free(amount: str, rate: str | None = "19") -> dict[str, Any]:
    return {"description": "Goodwill", "amount": amount, **({"taxRate": rate} if rate else {})}


def test_an_unpaid_invoice_credited_in_part_owes_less(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    assert inv["total"] == "119.00"
    reply = api.post(
        f"/invoices/{inv['id']}/credit-notes", {"lines": [free("19.00", None)], "reason": "order_change"}
    )
    assert reply.status == 201, reply
    note = reply.body
    assert (note["status"], note["total"], note["amountAgainstDue"], note["number"]) == (
        "issued",
        "19.00",
        "19.00",
        "CN-2026-00001",
    )
    after = api.get(f"/invoices/{inv['id']}").body
    assert (after["status"], after["amountDue"], after["amountCredited"]) == ("issued", "100.00", "19.00")
    assert after["creditNoteIds"] == [note["id"]]


def test_credited_in_full_reads_paid(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    line_id = inv["lineItems"][0]["id"]
    note = api.post(
        f"/invoices/{inv['id']}/credit-notes", {"lines": [{"lineItemId": line_id, "quantity": "1"}]}
    )
    assert note.status == 201, note
    assert (note.body["subtotal"], note.body["taxTotal"], note.body["total"]) == ("100.00", "19.00", "119.00")
    after = api.get(f"/invoices/{inv['id']}").body
    assert (after["status"], after["amountDue"], after["amountCredited"]) == ("paid", "0.00", "119.00")
    types = [e["type"] for e in api.get("/events").body["data"]]
    assert "credit_note.issued" in types
    assert "invoice.paid" in types


def test_a_paid_invoice_must_allocate_the_credit(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    assert api.post(f"/invoices/{inv['id']}/payments", {"amount": "119.00", "method": "check"}).status == 201
    bare = api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("10.00")]})
    assert (bare.status, bare.body["field"]) == (422, "outOfBandAmount")
    ok = api.post(
        f"/invoices/{inv['id']}/credit-notes", {"lines": [free("10.00")], "outOfBandAmount": "11.90"}
    )
    assert ok.status == 201, ok
    assert (ok.body["amountAgainstDue"], ok.body["outOfBandAmount"]) == ("0.00", "11.90")
    after = api.get(f"/invoices/{inv['id']}").body
    assert (after["status"], after["amountDue"], after["amountCredited"]) == ("paid", "0.00", "11.90")


def test_refunds_and_balances_are_refused_as_not_yet_supported(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    api.post(f"/invoices/{inv['id']}/payments", {"amount": "119.00", "method": "check"})
    for field in ("refundAmount", "creditAmount"):
        reply = api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("10.00")], field: "11.90"})
        assert (reply.status, reply.body["field"]) == (422, field), reply
        assert "not yet supported" in reply.body["message"]


def test_422s_name_the_field(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    path = f"/invoices/{inv['id']}/credit-notes"
    cases = [
        ({"lines": [{"lineItemId": "li_nope", "quantity": "1"}]}, "lines[0].lineItemId"),
        ({"lines": [{"lineItemId": inv["lineItems"][0]["id"], "quantity": "2"}]}, "lines[0].quantity"),
        ({"lines": [free("200.00")]}, "lines"),
        ({"lines": [free("1.001")]}, "lines[0].amount"),
        ({"lines": [free("1.00")], "outOfBandAmount": "1.00"}, "outOfBandAmount"),
    ]
    for body, field in cases:
        reply = api.post(path, body)
        assert (reply.status, reply.body.get("field")) == (422, field), (body, reply)
    assert api.get(f"/invoices/{inv['id']}").body["amountCredited"] == "0.00"


def test_the_sum_of_credit_notes_never_exceeds_the_total(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    assert api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("60.00", None)]}).status == 201
    second = api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("60.00", None)]})
    assert (second.status, second.body["field"]) == (422, "lines")


def test_drafts_and_void_invoices_cannot_be_credited(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    d = api.post("/invoices", draft(account["id"])).body
    assert api.post(f"/invoices/{d['id']}/credit-notes", {"lines": [free("1.00")]}).status == 409
    inv = issued(api, account["id"])
    api.post(f"/invoices/{inv['id']}/void")
    assert api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("1.00")]}).status == 409


def test_preview_writes_nothing(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    reply = api.post(f"/invoices/{inv['id']}/credit-notes/preview", {"lines": [free("10.00")]})
    assert reply.status == 200, reply
    assert (reply.body["number"], reply.body["total"], reply.body["amountAgainstDue"]) == (
        None,
        "11.90",
        "11.90",
    )
    assert api.get(f"/invoices/{inv['id']}").body["amountCredited"] == "0.00"
    assert api.get("/credit-notes").body["data"] == []


def test_numbers_list_read_and_void(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    other = issued(api, account["id"])
    first = api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("10.00")]}).body
    second = api.post(f"/invoices/{other['id']}/credit-notes", {"lines": [free("10.00")]}).body
    assert (first["number"], second["number"]) == ("CN-2026-00001", "CN-2026-00002")
    assert [n["id"] for n in api.get("/credit-notes").body["data"]] == [second["id"], first["id"]]
    assert [n["id"] for n in api.get("/credit-notes", query={"invoiceId": inv["id"]}).body["data"]] == [
        first["id"]
    ]
    assert len(api.get("/credit-notes", query={"accountId": account["id"]}).body["data"]) == 2
    page = api.get("/credit-notes", query={"limit": "1"}).body
    assert page["nextCursor"] == second["id"]
    assert [
        n["id"]
        for n in api.get("/credit-notes", query={"limit": "1", "cursor": page["nextCursor"]}).body["data"]
    ] == [first["id"]]
    assert api.get(f"/credit-notes/{first['id']}").body["total"] == "11.90"

    voided = api.post(f"/credit-notes/{first['id']}/void")
    assert (voided.status, voided.body["status"]) == (200, "void")
    after = api.get(f"/invoices/{inv['id']}").body
    assert (after["amountDue"], after["amountCredited"]) == ("119.00", "0.00")
    assert api.post(f"/credit-notes/{first['id']}/void").status == 409
    # A voided note's number is not reused.
    third = api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("10.00")]}).body
    assert third["number"] == "CN-2026-00003"
    assert api.get("/credit-notes/cn_nope").status == 404


def test_voiding_the_note_that_paid_the_invoice_reopens_it(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issued(api, account["id"])
    note = api.post(f"/invoices/{inv['id']}/credit-notes", {"lines": [free("100.00")]}).body
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "paid"
    api.post(f"/credit-notes/{note['id']}/void")
    after = api.get(f"/invoices/{inv['id']}").body
    assert (after["status"], after["amountDue"], after["paidAt"]) == ("issued", "119.00", None)
