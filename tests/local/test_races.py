"""Races over HTTP through the local gateway, whose Lambda containers are separate
processes as in AWS: many clients at once against one organization."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from remit_local.stack import LocalStack
from tests.local.client import Reply, call

NewOrg = Callable[..., tuple[str, str]]


def race(n: int, act: Callable[[int], Reply]) -> list[Reply]:
    start = Barrier(n)

    def run(i: int) -> Reply:
        start.wait()
        return act(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def draft(api: str, key: str, account: str) -> Any:
    body = {"accountId": account, "lineItems": [{"description": "Work", "unitAmount": "10.00"}]}
    reply = call("POST", f"{api}/invoices", body, key=key)
    assert reply.status == 201, reply
    return reply.json["id"]


def test_concurrent_finalizations_over_http_number_consecutively(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org("Race Co")
    api = stack.api_url
    account = call("POST", f"{api}/accounts", {"name": "Busy"}, key=key).json["id"]
    invoices = [draft(api, key, account) for _ in range(20)]

    replies = race(20, lambda i: call("POST", f"{api}/invoices/{invoices[i]}/finalize", key=key))

    assert [r.status for r in replies] == [200] * 20, [r for r in replies if r.status != 200]
    year = replies[0].json["issuedAt"][:4]  # other tests move the shared local clock
    assert sorted(r.json["invoiceNumber"] for r in replies) == [f"INV-{year}-{n:05d}" for n in range(1, 21)]
    assert {r.json["id"] for r in replies} == set(invoices)


def test_one_idempotency_key_racing_creates_one_invoice(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org("Retry storm")
    api = stack.api_url
    account = call("POST", f"{api}/accounts", {"name": "A"}, key=key).json["id"]
    body = {"accountId": account, "lineItems": [{"description": "Work", "unitAmount": "10.00"}]}

    replies = race(
        8, lambda _: call("POST", f"{api}/invoices", body, key=key, headers={"Idempotency-Key": "storm-1"})
    )

    outcomes = Counter(r.json.get("code", "created") for r in replies)
    assert set(outcomes) <= {"created", "idempotency_in_progress"}, outcomes
    assert len({r.json["id"] for r in replies if r.status == 201}) == 1
    assert len(call("GET", f"{api}/invoices", key=key).json["data"]) == 1
