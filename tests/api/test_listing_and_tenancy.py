from __future__ import annotations

from datetime import timedelta

from remit.clock import FixedClock
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from tests.support.api_client import ApiClient
from tests.support.builders import draft


def make(api: ApiClient, account_id: str, clock: FixedClock, *steps: str, terms: str = "net_30") -> str:
    clock.advance(timedelta(seconds=1))
    inv = str(api.post("/invoices", draft(account_id, paymentTerms=terms)).body["id"])
    for step in steps:
        api.post(f"/invoices/{inv}/{step}")
    return inv


def test_list_filters_by_status_and_account_newest_first(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    other = api.post("/accounts", {"name": "Other"}).body["id"]
    d = make(api, account["id"], clock)
    overdue = make(api, account["id"], clock, "finalize", terms="net_1")
    issued = make(api, account["id"], clock, "finalize")
    voided = make(api, account["id"], clock, "finalize", "void")
    elsewhere = make(api, other, clock, "finalize")
    clock.advance(timedelta(days=2))

    def ids(**query: object) -> list[str]:
        reply = api.get("/invoices", query=query)
        assert reply.status == 200, reply
        return [i["id"] for i in reply.body["data"]]

    assert ids() == [elsewhere, voided, issued, overdue, d]
    assert ids(status="issued") == [elsewhere, issued]
    assert ids(status="past_due") == [overdue]
    assert ids(status=["issued", "past_due"], accountId=account["id"]) == [issued, overdue]
    assert ids(status=["draft", "void"]) == [voided, d]
    assert ids(accountId=other) == [elsewhere]
    assert api.get("/invoices", query={"status": "open"}).status == 422
    assert api.get("/invoices", query={"limit": 0}).status == 422
    assert api.get("/invoices", query={"limit": 101}).status == 422


def test_filtered_pages_chain_without_gaps_or_repeats(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    issued = [make(api, account["id"], clock, "finalize") for _ in range(5)]
    for _ in range(3):
        make(api, account["id"], clock)  # drafts between, filtered out
    seen: list[str] = []
    cursor = None
    while True:
        query = {"status": "issued", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/invoices", query=query).body
        seen += [i["id"] for i in page["data"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == issued[::-1]


def test_another_organization_sees_nothing_and_gets_404(
    api: ApiClient,
    account: dict,
    ctx: Context,  # type: ignore[type-arg]
    clock: FixedClock,
) -> None:
    inv = make(api, account["id"], clock, "finalize")
    intruder, _ = OrganizationService(ctx).create("Intruder")
    as_intruder = {"org": intruder.id}
    for method, path, body in [
        ("GET", f"/invoices/{inv}", None),
        ("PATCH", f"/invoices/{inv}", {"memo": "x"}),
        ("DELETE", f"/invoices/{inv}", None),
        ("POST", f"/invoices/{inv}/finalize", None),
        ("POST", f"/invoices/{inv}/void", None),
        ("POST", f"/invoices/{inv}/mark-uncollectible", None),
        ("POST", f"/invoices/{inv}/payments", {"amount": "1.00", "method": "check"}),
        ("GET", f"/accounts/{account['id']}", None),
        ("PATCH", f"/accounts/{account['id']}", {"name": "mine now"}),
    ]:
        reply = api.call(method, path, body, **as_intruder)  # type: ignore[arg-type]
        assert (reply.status, reply.body["code"]) == (404, "not_found"), (method, path, reply)
    assert api.post("/invoices", draft(account["id"]), **as_intruder).status == 404  # type: ignore[arg-type]
    assert api.get("/invoices", **as_intruder).body["data"] == []  # type: ignore[arg-type]
    assert api.get("/accounts", **as_intruder).body["data"] == []  # type: ignore[arg-type]
    assert api.get("/invoices", query={"accountId": account["id"]}, **as_intruder).body["data"] == []  # type: ignore[arg-type]
    # ... and the owner's invoice is untouched.
    assert api.get(f"/invoices/{inv}").body["status"] == "issued"


def test_a_request_without_an_organization_is_refused(api: ApiClient) -> None:
    from remit_local.apigw import proxy_event

    reply = api.invoke(proxy_event("GET", "/organization", authorizer=None))
    assert (reply.status, reply.body["code"]) == (401, "unauthorized")
