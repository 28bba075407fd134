from __future__ import annotations

from tests.support.api_client import ApiClient

SEED_OVERRIDES = {
    "paymentTerms": "net_45",
    "deliveryMethod": "email",
    "recipients": ["billing@customer.example", "finance@customer.example"],
    "language": "de",
    "currency": "EUR",
}


def test_create_and_read_an_account_with_the_seed_overrides(api: ApiClient) -> None:
    created = api.post(
        "/accounts", {"name": "Kunde AG", "email": "ap@kunde.example", "invoiceSettings": SEED_OVERRIDES}
    )
    assert created.status == 201, created
    assert created.body["id"].startswith("acc_")
    assert created.body["invoiceSettings"] == SEED_OVERRIDES
    assert api.get(f"/accounts/{created.body['id']}").body == created.body


def test_update_merges_invoice_settings_field_by_field(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    path = f"/accounts/{account['id']}"
    api.patch(path, {"invoiceSettings": {"currency": "EUR", "language": "fr"}})
    reply = api.patch(
        path, {"name": "Globex SA", "invoiceSettings": {"language": None, "paymentTerms": "net_60"}}
    )
    assert reply.status == 200, reply
    assert reply.body["name"] == "Globex SA"
    assert reply.body["email"] == "ap@globex.example"
    settings = reply.body["invoiceSettings"]
    assert (settings["currency"], settings["language"], settings["paymentTerms"]) == ("EUR", None, "net_60")


def test_bad_account_input_is_a_422_naming_the_field(api: ApiClient) -> None:
    cases = [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"name": "X", "email": "nope"}, "email"),
        ({"name": "X", "invoiceSettings": {"currency": "EURO"}}, "invoiceSettings.currency"),
        ({"name": "X", "invoiceSettings": {"currency": "ABC"}}, "invoiceSettings.currency"),
        ({"name": "X", "invoiceSettings": {"paymentTerms": "net_x"}}, "invoiceSettings.paymentTerms"),
        (
            {"name": "X", "invoiceSettings": {"recipients": ["a@b.example", "bad"]}},
            "invoiceSettings.recipients[1]",
        ),
        ({"name": "X", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        reply = api.post("/accounts", body)
        assert (reply.status, reply.body["field"]) == (422, field), (body, reply)
    assert api.get("/accounts").body["data"] == []


def test_unknown_account_is_404(api: ApiClient) -> None:
    reply = api.get("/accounts/acc_missing")
    assert (reply.status, reply.body["code"]) == (404, "not_found")
    assert api.patch("/accounts/acc_missing", {"name": "x"}).status == 404


def test_accounts_list_newest_first_with_a_cursor(api: ApiClient, ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    names = []
    for i in range(5):
        ctx.clock.advance(timedelta(seconds=1))
        names.append(api.post("/accounts", {"name": f"Customer {i}"}).body["name"])
    first = api.get("/accounts", query={"limit": 2})
    assert [a["name"] for a in first.body["data"]] == ["Customer 4", "Customer 3"]
    second = api.get("/accounts", query={"limit": 2, "cursor": first.body["nextCursor"]})
    third = api.get("/accounts", query={"limit": 2, "cursor": second.body["nextCursor"]})
    assert [a["name"] for a in second.body["data"] + third.body["data"]] == names[2::-1]
    assert third.body["nextCursor"] is None


def test_a_cursor_is_an_account_id_and_only_positions_the_page(api: ApiClient, ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    ids = []
    for i in range(3):
        ctx.clock.advance(timedelta(seconds=1))
        ids.append(api.post("/accounts", {"name": f"Customer {i}"}).body["id"])
    first = api.get("/accounts", query={"limit": 1}).body
    assert first["nextCursor"] == ids[2]
    # Any id of the right kind is a place to start, read under the caller's organization
    # only: the lowest possible id has nothing after it, the highest has everything.
    lowest, highest = "acc_" + "0" * 26, "acc_7" + "Z" * 25
    assert api.get("/accounts", query={"cursor": lowest}).body["data"] == []
    assert [a["id"] for a in api.get("/accounts", query={"cursor": highest}).body["data"]] == ids[::-1]
    for cursor in ("garbage", "inv_" + "0" * 26, "eyJwayI6Ik9SRyMifQ=="):
        reply = api.get("/accounts", query={"cursor": cursor})
        assert (reply.status, reply.body["field"]) == (422, "cursor")
