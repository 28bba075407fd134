from __future__ import annotations

from typing import Any

from tests.support.api_client import ApiClient

MONTHLY = {"currency": "USD", "unitAmount": "49.00", "taxRate": "19", "recurring": {"interval": "month"}}
SETUP_FEE = {"currency": "USD", "unitAmount": "150.00"}


def product(api: ApiClient, *prices: dict[str, Any], name: str = "Pro plan") -> Any:
    reply = api.post("/products", {"name": name, "prices": list(prices)})
    assert reply.status == 201, reply
    return reply.body


def test_a_product_with_one_time_and_recurring_prices(api: ApiClient) -> None:
    made = product(
        api,
        MONTHLY,
        SETUP_FEE,
        {"currency": "JPY", "unitAmount": "5000", "recurring": {"interval": "quarter", "intervalCount": 2}},
    )
    monthly, setup, yen = made["prices"]
    assert monthly["recurring"] == {"interval": "month", "intervalCount": 1}
    assert (monthly["unitAmount"], monthly["taxRate"]) == ("49.00", "19")
    assert setup["recurring"] is None
    assert (yen["unitAmount"], yen["recurring"]["intervalCount"]) == ("5000", 2)
    assert len({p["id"] for p in made["prices"]}) == 3
    assert api.get(f"/products/{made['id']}").body == made
    assert [p["id"] for p in api.get("/products").body["data"]] == [made["id"]]


def test_prices_are_archived_and_added_never_changed(api: ApiClient) -> None:
    made = product(api, MONTHLY)
    old = made["prices"][0]["id"]
    reply = api.patch(
        f"/products/{made['id']}",
        {
            "name": "Pro plan 2026",
            "archivePriceIds": [old],
            "addPrices": [{**MONTHLY, "unitAmount": "59.00"}],
        },
    )
    assert reply.status == 200, reply
    prices = {p["id"]: p for p in reply.body["prices"]}
    assert prices[old]["active"] is False
    assert prices[old]["unitAmount"] == "49.00"  # unchanged, for the invoices that billed it
    [new] = [p for p in prices.values() if p["id"] != old]
    assert (new["unitAmount"], new["active"]) == ("59.00", True)
    bad = api.patch(f"/products/{made['id']}", {"archivePriceIds": ["price_elsewhere"]})
    assert (bad.status, bad.body["field"]) == (404, "archivePriceIds[0]")


def test_bad_prices_are_refused_naming_the_field(api: ApiClient) -> None:
    cases = [
        ({"name": "X", "prices": [{**SETUP_FEE, "unitAmount": "1.001"}]}, "prices[0].unitAmount"),
        ({"name": "X", "prices": [{**SETUP_FEE, "currency": "ABC"}]}, "prices[0].currency"),
        (
            {"name": "X", "prices": [{**MONTHLY, "recurring": {"interval": "week"}}]},
            "prices[0].recurring.interval",
        ),
        (
            {"name": "X", "prices": [{**MONTHLY, "recurring": {"interval": "month", "intervalCount": 0}}]},
            "prices[0].recurring.intervalCount",
        ),
        ({"prices": []}, "name"),
    ]
    for body, field in cases:
        reply = api.post("/products", body)
        assert (reply.status, reply.body["field"]) == (422, field), (body, reply)
    assert api.get("/products").body["data"] == []


def test_invoice_lines_can_bill_one_time_prices(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    made = product(api, SETUP_FEE, MONTHLY, name="Onboarding")
    setup, monthly = made["prices"]
    reply = api.post(
        "/invoices",
        {
            "accountId": account["id"],
            "lineItems": [
                {"priceId": setup["id"], "quantity": "2"},
                {"description": "One-off workshop", "unitAmount": "300.00"},
            ],
        },
    )
    assert reply.status == 201, reply
    first, second = reply.body["lineItems"]
    assert (first["description"], first["unitAmount"], first["amount"], first["priceId"]) == (
        "Onboarding",
        "150.00",
        "300.00",
        setup["id"],
    )
    assert (second["priceId"], second["amount"]) == (None, "300.00")
    assert reply.body["total"] == "600.00"

    refused = [
        ({"priceId": monthly["id"]}, 409),  # recurring: that is what subscriptions are for
        ({"priceId": "price_missing"}, 404),
    ]
    for line, status in refused:
        got = api.post("/invoices", {"accountId": account["id"], "lineItems": [line]})
        assert (got.status, got.body["field"]) == (status, "lineItems[0].priceId"), got
    euro = api.post(
        "/invoices", {"accountId": account["id"], "currency": "EUR", "lineItems": [{"priceId": setup["id"]}]}
    )
    assert (euro.status, euro.body["field"]) == (409, "lineItems[0].priceId")
    api.patch(f"/products/{made['id']}", {"archivePriceIds": [setup["id"]]})
    archived = api.post("/invoices", {"accountId": account["id"], "lineItems": [{"priceId": setup["id"]}]})
    assert (archived.status, archived.body["message"]) == (409, "the price is archived")
