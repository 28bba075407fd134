"""A product's prices against DynamoDB Local's real transaction limit (100 items): a rename
rewrites the product and a copy of every price at once."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.api_client import ApiClient


def prices(n: int, start: int = 0) -> list[dict[str, str]]:
    return [{"currency": "USD", "unitAmount": f"{start + i + 1}.00"} for i in range(n)]


def test_a_product_holds_99_prices_renames_with_all_of_them_and_refuses_the_100th(
    new_org: Callable[[str], str], api_for: Callable[[str], ApiClient]
) -> None:
    api = api_for(new_org("Catalogue Co"))
    product = api.post("/products", {"name": "Plan", "prices": prices(50)}).body
    more = api.patch(f"/products/{product['id']}", {"addPrices": prices(49, 50)})
    assert (more.status, len(more.body["prices"])) == (200, 99), more
    # One transaction of 100 items: the product and its 99 price copies, all renamed.
    renamed = api.patch(f"/products/{product['id']}", {"name": "Plan 2027"})
    assert renamed.status == 200, renamed
    last = more.body["prices"][-1]["id"]
    line = api.post("/accounts", {"name": "Customer"}).body
    invoice = api.post("/invoices", {"accountId": line["id"], "lineItems": [{"priceId": last}]}).body
    assert (invoice["lineItems"][0]["description"], invoice["total"]) == ("Plan 2027", "99.00")
    # The 100th is refused as a conflict with what the product holds, and nothing changes.
    refused = api.patch(f"/products/{product['id']}", {"addPrices": prices(1, 99)})
    assert (refused.status, refused.body["code"]) == (409, "too_many_prices"), refused
    assert len(api.get(f"/products/{product['id']}").body["prices"]) == 99
