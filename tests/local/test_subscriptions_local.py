"""Subscriptions on the local cloud: moving the clock runs the sweeper and its workers
(EventBridge schedule, SQS, FIFO) and the periods' invoices appear through the API."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from remit_local.stack import LocalStack
from tests.local.client import call

NewOrg = Callable[..., tuple[str, str]]


def test_moving_the_clock_bills_and_finalizes_each_period(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org("Local Subscriptions")
    api = stack.api_url

    def post(path: str, body: Any = None) -> Any:
        reply = call("POST", f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), reply
        return reply.json

    account = post("/accounts", {"name": "Subscriber"})["id"]
    product = post(
        "/products",
        {
            "name": "Team plan",
            "prices": [{"currency": "USD", "unitAmount": "30.00", "recurring": {"interval": "month"}}],
        },
    )
    sub = post("/subscriptions", {"accountId": account, "items": [{"priceId": product["prices"][0]["id"]}]})

    for _ in range(3):
        moved = call("POST", f"{api}/_local/clock", {"advance": "P31D"})
        assert moved.status == 200, moved

    listed = call("GET", f"{api}/invoices?accountId={account}&limit=100", key=key).json["data"]
    mine = sorted((i for i in listed if i["subscriptionId"] == sub["id"]), key=lambda i: i["periodStart"])
    assert len(mine) == 4  # the first period at once, then one per month moved
    # Every period is a month after the one before, none twice.
    assert len({i["periodStart"] for i in mine}) == 4
    assert all(a["periodEnd"] == b["periodStart"] for a, b in itertools.pairwise(mine))
    # All but the newest have outlived the hour-long draft window and were numbered in order.
    numbered = [i["invoiceNumber"] for i in mine[:-1]]
    assert all(numbered)
    assert numbered == sorted(numbered)
    assert mine[-1]["status"] == "draft"
