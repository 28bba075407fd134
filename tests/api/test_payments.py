from __future__ import annotations

from datetime import timedelta

from remit.clock import FixedClock
from tests.support.api_client import ApiClient
from tests.support.builders import draft, issue, line

SEED_PAYMENT = {
    "amount": "1500.00",
    # The seed's example dates from 2024; the invoices here are issued on the test clock's
    # 2026-01-15, and a payment two years before its invoice is refused (issue 16.6).
    "paymentDate": "2026-01-14",
    "method": "wire_transfer",
    "reference": "Wire ref: 12345",
    "notes": "Payment received via wire",
}


def test_the_seed_payment_pays_the_invoice(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issue(api, account["id"], line("1500.00"))["id"]
    reply = api.post(f"/invoices/{inv}/payments", SEED_PAYMENT)
    assert reply.status == 201, reply
    assert (reply.body["status"], reply.body["amountPaid"], reply.body["amountDue"]) == (
        "paid",
        "1500.00",
        "0.00",
    )
    assert reply.body["paidAt"] is not None
    [payment] = api.get(f"/invoices/{inv}").body["payments"]
    assert payment["amount"] == "1500.00"
    assert payment["paymentDate"] == "2026-01-14"
    assert (payment["method"], payment["reference"]) == ("wire_transfer", "Wire ref: 12345")


def test_partial_payments_accumulate(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issue(api, account["id"], line("100.00"))["id"]
    first = api.post(f"/invoices/{inv}/payments", {"amount": "30.00", "method": "check"}).body
    assert (first["status"], first["amountPaid"], first["amountDue"]) == ("issued", "30.00", "70.00")
    second = api.post(f"/invoices/{inv}/payments", {"amount": "70", "method": "wire_transfer"}).body
    assert (second["status"], second["amountDue"]) == ("paid", "0.00")
    assert [p["amount"] for p in api.get(f"/invoices/{inv}").body["payments"]] == ["30.00", "70.00"]


def test_over_payment_is_refused_and_changes_nothing(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issue(api, account["id"], line("100.00"))["id"]
    api.post(f"/invoices/{inv}/payments", {"amount": "60.00", "method": "check"})
    reply = api.post(f"/invoices/{inv}/payments", {"amount": "40.01", "method": "check"})
    assert (reply.status, reply.body["code"], reply.body["field"]) == (409, "overpayment", "amount")
    after = api.get(f"/invoices/{inv}").body
    assert (after["amountPaid"], len(after["payments"])) == ("60.00", 1)


def test_payments_are_refused_for_drafts_paid_and_void_invoices(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    pay = {"amount": "1.00", "method": "check"}
    draft_id = api.post("/invoices", draft(account["id"])).body["id"]
    assert api.post(f"/invoices/{draft_id}/payments", pay).body["code"] == "invalid_state"
    voided = issue(api, account["id"], line("1500.00"))["id"]
    api.post(f"/invoices/{voided}/void")
    reply = api.post(f"/invoices/{voided}/payments", pay)
    assert (reply.status, reply.body["message"]) == (
        409,
        "the invoice is void; only issued (including past_due) or uncollectible invoices can be paid",
    )
    paid = issue(api, account["id"], line("1.00"))["id"]
    api.post(f"/invoices/{paid}/payments", pay)
    assert api.post(f"/invoices/{paid}/payments", pay).status == 409


def test_an_uncollectible_invoice_can_still_be_paid(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issue(api, account["id"], line("10.00"))["id"]
    api.post(f"/invoices/{inv}/mark-uncollectible")
    reply = api.post(f"/invoices/{inv}/payments", {"amount": "10.00", "method": "ach"})
    assert reply.body["status"] == "paid"


def test_bad_payments_are_422_naming_the_field(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issue(api, account["id"], line("10.00"))["id"]
    cases = [
        ({"amount": "-1.00", "method": "check"}, "amount"),
        ({"amount": "0.00", "method": "check"}, "amount"),
        ({"amount": 5, "method": "check"}, "amount"),
        ({"method": "check"}, "amount"),
        ({"amount": "1.00"}, "method"),
        ({"amount": "1.00", "method": "bitcoin"}, "method"),
        ({"amount": "1.00", "method": "check", "paymentDate": "yesterday"}, "paymentDate"),
    ]
    for body, field in cases:
        reply = api.post(f"/invoices/{inv}/payments", body)
        assert (reply.status, reply.body["field"]) == (422, field), (body, reply)
    other = api.post(f"/invoices/{inv}/payments", {"amount": "1.00", "method": "check", "currency": "EUR"})
    assert (other.status, other.body["field"]) == (409, "currency")  # the invoice is in USD
    places = api.post(f"/invoices/{inv}/payments", {"amount": "1.001", "method": "check"})
    assert (places.status, places.body["field"]) == (409, "amount")  # more than USD holds
    assert api.get(f"/invoices/{inv}").body["payments"] == []


# -- paymentDate (issue 16.6) ------------------------------------------------------------


def test_a_payment_date_in_the_future_or_long_before_the_invoice_is_refused(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    inv = issue(api, account["id"], line("10.00"))["id"]  # issued 2026-01-15, today
    for day in ("2026-01-17", "2099-01-01", "2024-12-31", "1970-01-01"):
        reply = api.post(
            f"/invoices/{inv}/payments", {"amount": "1.00", "method": "check", "paymentDate": day}
        )
        assert (reply.status, reply.body["code"], reply.body["field"]) == (
            409,
            "payment_date_out_of_range",
            "paymentDate",
        ), (day, reply)
        assert day in reply.body["message"]
    assert api.get(f"/invoices/{inv}").body["payments"] == []
    # Today, and up to a year before the issue date.
    for day in ("2026-01-15", "2025-01-15"):
        reply = api.post(
            f"/invoices/{inv}/payments", {"amount": "1.00", "method": "check", "paymentDate": day}
        )
        assert reply.status == 201, (day, reply)
    # At 10:00 UTC it is already tomorrow in UTC+14: that is today for someone.
    clock.advance(timedelta(hours=1))
    reply = api.post(
        f"/invoices/{inv}/payments", {"amount": "1.00", "method": "check", "paymentDate": "2026-01-16"}
    )
    assert reply.status == 201, reply


def test_paid_at_is_when_the_money_arrived_not_when_it_was_recorded(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    inv = issue(api, account["id"], line("10.00"))["id"]  # issued 2026-01-15T09:00:00Z
    clock.advance(timedelta(days=20))  # recorded on 2026-02-04
    wire = {"amount": "10.00", "method": "wire_transfer", "paymentDate": "2026-01-28"}
    reply = api.post(f"/invoices/{inv}/payments", wire)
    assert reply.status == 201, reply
    assert reply.body["paidAt"] == "2026-01-28T00:00:00Z"
    [paid] = api.get("/events", query={"type": "invoice.paid"}).body["data"]
    assert paid["data"]["paidAt"] == "2026-01-28T00:00:00Z"


def test_a_payment_dated_before_the_invoice_counts_as_paid_when_it_was_issued(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    inv = issue(api, account["id"], line("10.00"))["id"]
    clock.advance(timedelta(days=3))
    deposit = {"amount": "10.00", "method": "check", "paymentDate": "2025-12-01"}
    reply = api.post(f"/invoices/{inv}/payments", deposit)
    assert reply.body["paidAt"] == reply.body["issuedAt"] == "2026-01-15T09:00:00Z"


def test_a_payment_without_a_date_is_paid_now(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    inv = issue(api, account["id"], line("10.00"))["id"]
    clock.advance(timedelta(days=2, hours=3))
    reply = api.post(f"/invoices/{inv}/payments", {"amount": "10.00", "method": "check"})
    assert reply.body["paidAt"] == "2026-01-17T12:00:00Z"
