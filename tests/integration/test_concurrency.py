"""Races on DynamoDB Local: each test runs many API 'containers' at once, the way Lambda
scales out, and checks that conditional writes keep money and numbers exact."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from remit.services.context import Context
from remit.store import keys
from tests.support.api_client import ApiClient, Reply
from tests.support.builders import draft, line


def race(clients: list[ApiClient], act: Callable[[ApiClient], Reply]) -> list[Reply]:
    """Run ``act`` once per client, all released at the same instant."""
    start = Barrier(len(clients))

    def run(client: ApiClient) -> Reply:
        start.wait()
        return act(client)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(run, clients))


def test_twenty_concurrent_finalizations_get_twenty_consecutive_numbers(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str], ctx: Context
) -> None:
    org = new_org("Numbers")
    clients = [api_for(org) for _ in range(20)]
    account = clients[0].post("/accounts", {"name": "Busy"}).body["id"]
    drafts = [c.post("/invoices", draft(account)).body["id"] for c in clients]
    pending = dict(zip(map(id, clients), drafts, strict=True))

    replies = race(clients, lambda c: c.post(f"/invoices/{pending[id(c)]}/finalize"))

    assert [r.status for r in replies] == [200] * 20, [r for r in replies if r.status != 200]
    numbers = sorted(r.body["invoiceNumber"] for r in replies)
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, 21)]
    # Every number is claimed exactly once, by the invoice that carries it.
    for reply in replies:
        claim = ctx.store.table.get(keys.invoice_number(org, reply.body["invoiceNumber"]))
        assert claim is not None
        assert claim["invoiceId"] == reply.body["id"]
    stored = ctx.store.organizations.get(org)
    assert stored is not None
    assert stored.sequences == {"INV-2026-*": 20}


def test_one_invoice_finalized_by_ten_callers_at_once_is_numbered_once(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str], ctx: Context
) -> None:
    org = new_org("Once")
    clients = [api_for(org) for _ in range(10)]
    account = clients[0].post("/accounts", {"name": "A"}).body["id"]
    inv = clients[0].post("/invoices", draft(account)).body["id"]

    replies = race(clients, lambda c: c.post(f"/invoices/{inv}/finalize"))

    assert Counter(r.status for r in replies) == {200: 1, 409: 9}
    stored = ctx.store.organizations.get(org)
    assert stored is not None
    assert stored.sequences == {"INV-2026-*": 1}


def test_concurrent_payments_can_never_over_pay(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str]
) -> None:
    org = new_org("Payments")
    clients = [api_for(org) for _ in range(16)]
    account = clients[0].post("/accounts", {"name": "Payer"}).body["id"]
    inv = clients[0].post("/invoices", draft(account, line("100.00"))).body["id"]
    clients[0].post(f"/invoices/{inv}/finalize")

    # Sixteen payments of 12.50 against 100.00: exactly eight fit.
    replies = race(
        clients, lambda c: c.post(f"/invoices/{inv}/payments", {"amount": "12.50", "method": "check"})
    )

    outcomes: Counter[Any] = Counter((r.status, r.body.get("code")) for r in replies)
    assert outcomes[(201, None)] == 8, outcomes
    assert sum(n for (status, _), n in outcomes.items() if status != 201) == 8
    assert all(code in ("overpayment", "invalid_state") for (status, code) in outcomes if status != 201)
    final = clients[0].get(f"/invoices/{inv}").body
    assert (final["status"], final["amountPaid"], final["amountDue"]) == ("paid", "100.00", "0.00")
    assert len(final["payments"]) == 8


def test_two_large_payments_at_once_only_one_lands(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str]
) -> None:
    org = new_org("Two")
    clients = [api_for(org) for _ in range(2)]
    account = clients[0].post("/accounts", {"name": "Payer"}).body["id"]
    inv = clients[0].post("/invoices", draft(account, line("100.00"))).body["id"]
    clients[0].post(f"/invoices/{inv}/finalize")

    replies = race(
        clients, lambda c: c.post(f"/invoices/{inv}/payments", {"amount": "60.00", "method": "ach"})
    )

    assert sorted(r.status for r in replies) == [201, 422]
    final = clients[0].get(f"/invoices/{inv}").body
    assert (final["amountPaid"], final["amountDue"], len(final["payments"])) == ("60.00", "40.00", 1)


def test_the_same_idempotency_key_racing_creates_one_invoice(
    api_for: Callable[[str], ApiClient], new_org: Callable[[str], str]
) -> None:
    org = new_org("Retry storm")
    clients = [api_for(org) for _ in range(8)]
    account = clients[0].post("/accounts", {"name": "A"}).body["id"]
    body = draft(account)

    replies = race(clients, lambda c: c.post("/invoices", body, headers={"Idempotency-Key": "storm"}))

    created = {r.body["id"] for r in replies if r.status == 201}
    assert len(created) == 1
    assert all(r.status == 201 or r.body["code"] == "idempotency_in_progress" for r in replies)
    assert len(clients[0].get("/invoices").body["data"]) == 1
