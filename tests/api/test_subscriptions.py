from __future__ import annotations

from datetime import timedelta
from typing import Any

from remit.clock import FixedClock
from tests.support.api_client import ApiClient

MONTHLY = {"currency": "USD", "unitAmount": "49.00", "taxRate": "10", "recurring": {"interval": "month"}}


def prices(api: ApiClient, *specs: dict[str, Any]) -> list[str]:
    made = api.post("/products", {"name": "Pro plan", "prices": list(specs)}).body
    return [p["id"] for p in made["prices"]]


def invoices_of(api: ApiClient, account_id: str) -> list[dict[str, Any]]:
    return list(reversed(api.get("/invoices", query={"accountId": account_id}).body["data"]))


def test_a_subscription_bills_its_first_period_at_once(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    [price] = prices(api, MONTHLY)
    reply = api.post(
        "/subscriptions", {"accountId": account["id"], "items": [{"priceId": price, "quantity": "3"}]}
    )
    assert reply.status == 201, reply
    sub = reply.body
    start = clock.now()
    assert (sub["status"], sub["currency"], sub["recurring"]) == (
        "active",
        "USD",
        {"interval": "month", "intervalCount": 1},
    )
    assert sub["currentPeriodStart"] == start.isoformat().replace("+00:00", "Z")
    assert sub["nextPeriodStart"].startswith("2026-02-15")
    [invoice] = invoices_of(api, account["id"])
    assert invoice["status"] == "draft"  # editable until the draft window passes
    assert invoice["subscriptionId"] == sub["id"]
    assert (invoice["periodStart"][:10], invoice["periodEnd"][:10]) == ("2026-01-15", "2026-02-15")
    assert invoice["autoFinalizeAt"] == (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    [line] = invoice["lineItems"]
    assert line["description"] == "Pro plan (2026-01-15 to 2026-02-15)"
    assert (line["quantity"], line["amount"], line["priceId"]) == ("3", "147.00", price)
    assert invoice["total"] == "161.70"


def test_a_later_billing_anchor_prorates_the_first_period(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    [price] = prices(api, {**MONTHLY, "taxRate": None})
    reply = api.post(
        "/subscriptions",
        {"accountId": account["id"], "items": [{"priceId": price}], "billingAnchor": "2026-02-01T00:00:00Z"},
    )
    assert reply.status == 201, reply
    [invoice] = invoices_of(api, account["id"])
    [line] = invoice["lineItems"]
    # From Jan 15 09:00 to Feb 1 00:00 is 16 days 15 hours of a 31-day month.
    assert line["description"] == "Pro plan (2026-01-15 to 2026-02-01, prorated)"
    assert line["quantity"] == "0.53629"  # 399 of 744 hours, to six decimals
    assert line["amount"] == "26.28"
    assert reply.body["nextPeriodStart"] == "2026-02-01T00:00:00Z"


def test_with_no_draft_window_the_invoice_issues_at_once(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    api.patch("/organization/settings", {"draftWindowMinutes": 0})
    [price] = prices(api, MONTHLY)
    api.post(
        "/subscriptions",
        {"accountId": account["id"], "items": [{"priceId": price}], "collectionMethod": "send_invoice"},
    )
    [invoice] = invoices_of(api, account["id"])
    assert (invoice["status"], invoice["invoiceNumber"]) == ("issued", "INV-2026-00001")
    assert invoice["collectionMethod"] == "send_invoice"


def test_bad_subscriptions_are_refused(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    monthly, yearly, one_time, euro = prices(
        api,
        MONTHLY,
        {**MONTHLY, "recurring": {"interval": "year"}},
        {"currency": "USD", "unitAmount": "5.00"},
        {**MONTHLY, "currency": "EUR"},
    )
    cases = [
        ({"items": [{"priceId": one_time}]}, 409, "items[0].priceId"),
        ({"items": [{"priceId": monthly}, {"priceId": yearly}]}, 409, "items[1].priceId"),
        ({"items": [{"priceId": monthly}, {"priceId": euro}]}, 409, "items[1].priceId"),
        ({"items": [{"priceId": "price_missing"}]}, 404, "items[0].priceId"),
        ({"items": []}, 422, "items"),
        ({"items": [{"priceId": monthly, "quantity": "0"}]}, 422, "items[0].quantity"),
        (
            {
                "items": [{"priceId": monthly}],
                "startDate": "2026-03-01T00:00:00Z",
                "billingAnchor": "2026-02-01T00:00:00Z",
            },
            422,
            "billingAnchor",
        ),
        ({"items": [{"priceId": monthly}], "collectionMethod": "cash"}, 422, "collectionMethod"),
    ]
    for body, status, field in cases:
        reply = api.post("/subscriptions", {"accountId": account["id"], **body})
        assert (reply.status, reply.body["field"]) == (status, field), (body, reply)
    missing = api.post("/subscriptions", {"accountId": "acc_missing", "items": [{"priceId": monthly}]})
    assert (missing.status, missing.body["field"]) == (404, "accountId")
    assert api.get("/subscriptions").body["data"] == []


def test_pause_resume_cancel_through_the_api(api: ApiClient, account: dict, clock: FixedClock) -> None:  # type: ignore[type-arg]
    [price] = prices(api, MONTHLY)
    sub = api.post("/subscriptions", {"accountId": account["id"], "items": [{"priceId": price}]}).body["id"]
    paused = api.post(f"/subscriptions/{sub}/pause").body
    assert (paused["status"], paused["nextPeriodStart"]) == ("paused", None)
    assert api.post(f"/subscriptions/{sub}/pause").body["code"] == "invalid_state"
    clock.advance(timedelta(days=40))
    resumed = api.post(f"/subscriptions/{sub}/resume").body
    assert (resumed["status"], resumed["nextPeriodStart"][:10]) == ("active", "2026-03-15")
    at_end = api.post(f"/subscriptions/{sub}/cancel", {"atPeriodEnd": True}).body
    assert (at_end["status"], at_end["cancelAtPeriodEnd"]) == ("active", True)
    canceled = api.post(f"/subscriptions/{sub}/cancel").body
    assert (canceled["status"], canceled["nextPeriodStart"]) == ("canceled", None)
    assert api.post(f"/subscriptions/{sub}/resume").status == 409
    assert len(invoices_of(api, account["id"])) == 1  # only the first period was ever billed


def test_item_changes_wait_for_the_next_period(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    basic, pro = prices(api, MONTHLY, {**MONTHLY, "unitAmount": "99.00"})
    sub = api.post("/subscriptions", {"accountId": account["id"], "items": [{"priceId": basic}]}).body["id"]
    reply = api.patch(
        f"/subscriptions/{sub}",
        {"items": [{"priceId": pro, "quantity": "2"}], "autoPay": {"enabled": True, "timing": "on_issue"}},
    )
    assert reply.status == 200, reply
    assert [i["priceId"] for i in reply.body["items"]] == [basic]
    assert [(i["priceId"], i["quantity"]) for i in reply.body["pendingItems"]] == [(pro, "2")]
    assert reply.body["autoPay"] == {"enabled": True, "timing": "on_issue", "daysBefore": None}
    events = api.get(f"/subscriptions/{sub}")
    assert events.status == 200
