"""The invoice routes end to end through the handler: drafts, lifecycle, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from remit.clock import FixedClock
from tests.support.api_client import ApiClient
from tests.support.builders import draft, issue, line


def test_a_draft_takes_its_defaults_from_the_account_then_the_organization(api: ApiClient) -> None:
    plain = api.post("/accounts", {"name": "Plain"}).body
    german = api.post(
        "/accounts",
        {"name": "Kunde", "invoiceSettings": {"paymentTerms": "net_45", "language": "de", "currency": "EUR"}},
    ).body
    a = api.post("/invoices", draft(plain["id"])).body
    b = api.post("/invoices", draft(german["id"])).body
    assert (a["currency"], a["paymentTerms"], a["language"]) == ("USD", "net_30", "en")
    assert (b["currency"], b["paymentTerms"], b["language"]) == ("EUR", "net_45", "de")
    assert a["status"] == b["status"] == "draft"
    assert a["invoiceNumber"] is None


def test_a_draft_shows_its_lines_taxes_and_totals(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    reply = api.post(
        "/invoices",
        draft(
            account["id"],
            line("150.00", "10", taxRate="19"),
            line("49.99", taxRate=7, discount={"percent": "10"}),
            discount={"amount": "10.00"},
            memo="Net 30. Thank you.",
        ),
    )
    assert reply.status == 201, reply
    inv = reply.body
    assert [(li["amount"], li["discountAmount"]) for li in inv["lineItems"]] == [
        ("1500.00", "0.00"),
        ("49.99", "5.00"),
    ]
    assert inv["subtotal"] == "1549.99"
    assert inv["discountTotal"] == "15.00"
    # The 10.00 invoice discount splits 9.71 / 0.29 over the nets 1500.00 / 44.99.
    assert inv["taxBreakdown"] == [
        {"rate": "7", "taxableAmount": "44.70", "taxAmount": "3.13"},
        {"rate": "19", "taxableAmount": "1490.29", "taxAmount": "283.16"},
    ]
    assert inv["taxTotal"] == "286.29"
    assert inv["total"] == "1821.28"
    assert (inv["amountPaid"], inv["amountDue"]) == ("0.00", "1821.28")
    assert api.get(f"/invoices/{inv['id']}").body == {**inv, "payments": [], "paymentAttempts": []}


def test_editing_a_draft_replaces_lines_and_reprices(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    reply = api.patch(f"/invoices/{inv['id']}", {"lineItems": [line("20.00", "3")], "paymentTerms": "net_7"})
    assert reply.status == 200, reply
    assert (reply.body["total"], reply.body["paymentTerms"], len(reply.body["lineItems"])) == (
        "60.00",
        "net_7",
        1,
    )
    switched = api.patch(f"/invoices/{inv['id']}", {"currency": "JPY"})
    assert (switched.status, switched.body["field"]) == (409, "currency")
    yen = api.patch(f"/invoices/{inv['id']}", {"currency": "JPY", "lineItems": [line("1500", "2")]})
    assert (yen.body["currency"], yen.body["total"]) == ("JPY", "3000")


def test_finalize_numbers_consecutively_and_sets_the_due_date(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    numbers = []
    for _ in range(3):
        inv = api.post("/invoices", draft(account["id"])).body
        issued = api.post(f"/invoices/{inv['id']}/finalize")
        assert issued.status == 200, issued
        numbers.append(issued.body["invoiceNumber"])
        assert issued.body["status"] == "issued"
        assert issued.body["dueDate"] == str(clock.now().date() + timedelta(days=30))
    assert numbers == ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003"]


def test_numbering_follows_the_settings_and_restarts_each_year(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    api.patch("/organization/invoice-settings", {"invoicePrefix": "AC-", "invoiceNumberFormat": "YY-NNN"})

    def next_number() -> str:
        return str(issue(api, account["id"])["invoiceNumber"])

    assert [next_number(), next_number()] == ["AC-26-001", "AC-26-002"]
    clock.advance(timedelta(days=365))
    assert next_number() == "AC-27-001"


def test_a_zero_total_invoice_is_paid_on_finalize(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"], line("0.00"))).body
    assert api.post(f"/invoices/{inv['id']}/finalize").body["status"] == "paid"


def test_issued_invoices_read_past_due_after_the_due_date(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    inv = api.post("/invoices", draft(account["id"], paymentTerms="net_10")).body
    api.post(f"/invoices/{inv['id']}/finalize")
    clock.advance(timedelta(days=10))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "issued"
    clock.advance(timedelta(days=1))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "past_due"
    paid = api.post(f"/invoices/{inv['id']}/payments", {"amount": "100.00", "method": "check"})
    assert paid.body["status"] == "paid"


@pytest.mark.parametrize(
    ("steps", "action", "expect"),
    [
        ([], "void", 409),
        ([], "mark-uncollectible", 409),
        (["finalize"], "finalize", 409),
        (["finalize"], "void", 200),
        (["finalize"], "mark-uncollectible", 200),
        (["finalize", "void"], "void", 409),
        (["finalize", "void"], "mark-uncollectible", 409),
        (["finalize", "mark-uncollectible"], "void", 200),
        (["finalize", "mark-uncollectible"], "mark-uncollectible", 409),
    ],
)
def test_transitions_through_the_api(
    api: ApiClient,
    account: dict,
    steps: list[str],  # type: ignore[type-arg]
    action: str,
    expect: int,
) -> None:
    inv = api.post("/invoices", draft(account["id"])).body
    for step in steps:
        assert api.post(f"/invoices/{inv['id']}/{step}").status == 200
    reply = api.post(f"/invoices/{inv['id']}/{action}")
    assert reply.status == expect, reply
    if expect == 409:
        assert reply.body["code"] == "invalid_state"
        assert reply.body["message"].startswith("the invoice is ")


def test_only_drafts_can_be_edited_or_deleted(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    keep = api.post("/invoices", draft(account["id"])).body
    assert api.delete(f"/invoices/{inv['id']}").status == 204
    assert api.get(f"/invoices/{inv['id']}").status == 404
    api.post(f"/invoices/{keep['id']}/finalize")
    assert api.delete(f"/invoices/{keep['id']}").status == 409
    edit = api.patch(f"/invoices/{keep['id']}", {"memo": "late change"})
    assert (edit.status, edit.body["code"]) == (409, "invalid_state")


def test_voided_invoices_keep_their_trail_and_owe_nothing(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = api.post("/invoices", draft(account["id"])).body
    api.post(f"/invoices/{inv['id']}/finalize")
    voided = api.post(f"/invoices/{inv['id']}/void").body
    assert (voided["status"], voided["total"], voided["amountDue"]) == ("void", "100.00", "0.00")
    assert voided["invoiceNumber"] == "INV-2026-00001"
    assert voided["voidedAt"] is not None


def test_an_amount_the_implied_currency_cannot_hold_conflicts_with_it(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    # The request names no currency, so the account's (USD) applies: the schema could not
    # know it, and the amount conflicts with stored state (409), where naming USD is a 422.
    body = {"accountId": account["id"], "lineItems": [line("1.001")]}
    implied = api.post("/invoices", body)
    assert (implied.status, implied.body["field"]) == (409, "lineItems[0].unitAmount"), implied
    assert "USD" in implied.body["message"]
    named = api.post("/invoices", {**body, "currency": "USD"})
    assert (named.status, named.body["field"]) == (422, "lineItems[0].unitAmount"), named
    draft = api.post("/invoices", {"accountId": account["id"], "lineItems": [line("1.00")]}).body
    patched = api.patch(f"/invoices/{draft['id']}", {"discount": {"amount": "0.005"}})
    assert (patched.status, patched.body["field"]) == (409, "discount.amount"), patched
    assert api.get(f"/invoices/{draft['id']}").body["discount"] is None
    listed = api.get("/invoices", query={"accountId": account["id"]}).body["data"]
    assert [i["id"] for i in listed] == [draft["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lineItems": [line("-5.00")]}, "lineItems[0].unitAmount"),
        ({"currency": "USD", "lineItems": [line("1.001")]}, "lineItems[0].unitAmount"),
        ({"lineItems": [line(5)]}, "lineItems[0].unitAmount"),
        ({"lineItems": [line("5.00", "abc")]}, "lineItems[0].quantity"),
        ({"lineItems": [line("5.00", "0")]}, "lineItems[0].quantity"),
        ({"lineItems": [line("5.00", "-1")]}, "lineItems[0].quantity"),
        ({"lineItems": [line("5.00", taxRate="101")]}, "lineItems[0].taxRate"),
        ({"lineItems": [line("5.00", discount={"percent": "5", "amount": "1.00"})]}, "lineItems[0].discount"),
        ({"lineItems": [{"unitAmount": "5.00"}]}, "lineItems[0]"),
        ({"lineItems": [{"priceId": "price_x", "unitAmount": "5.00"}]}, "lineItems[0]"),
        ({"lineItems": "many"}, "lineItems"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "JPY", "lineItems": [line("10.50")]}, "lineItems[0].unitAmount"),
        ({"paymentTerms": "net_400"}, "paymentTerms"),
        ({"lineItems": [line("99999999999.99", "1000")]}, "lineItems[0]"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_stored(
    api: ApiClient,
    account: dict,
    body: dict,  # type: ignore[type-arg]
    field: str,
) -> None:
    reply = api.post("/invoices", {"accountId": account["id"], "lineItems": [line()], **body})
    assert reply.status == 422, reply
    assert reply.body["field"] == field
    assert reply.body["message"]
    assert api.get("/invoices").body["data"] == []


def test_unknown_ids_are_404(api: ApiClient) -> None:
    assert api.post("/invoices", draft("acc_missing")).body["field"] == "accountId"
    for method, path in [
        ("GET", "/invoices/inv_x"),
        ("PATCH", "/invoices/inv_x"),
        ("DELETE", "/invoices/inv_x"),
        ("POST", "/invoices/inv_x/finalize"),
        ("POST", "/invoices/inv_x/void"),
        ("POST", "/invoices/inv_x/mark-uncollectible"),
    ]:
        reply = api.call(method, path, {} if method == "PATCH" else None)
        assert (reply.status, reply.body["code"]) == (404, "not_found"), (method, path)


def test_malformed_json_is_a_400(api: ApiClient) -> None:
    reply = api.call("POST", "/invoices", raw_body="{not json")
    assert (reply.status, reply.body["code"]) == (400, "invalid_json")


def test_an_unknown_route_reaching_the_function_is_a_json_404(api: ApiClient) -> None:
    from remit_local.apigw import proxy_event

    reply = api.invoke(proxy_event("GET", "/nowhere", authorizer={"organizationId": api.org_id}))
    assert (reply.status, reply.body["code"]) == (404, "route_not_found")
