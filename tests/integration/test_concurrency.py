"""Races on DynamoDB Local. Each racer is a thread calling the service layer with its own
request, released at the same instant; the services share nothing per request, so this is
what many Lambda containers do at once. (Powertools keeps the current event on a class
attribute, so racing resolvers in one process would mix requests: HTTP-level races run
through the local gateway's separate container processes, in tests/local.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import TypeVar

from remit.errors import RemitError
from remit.schemas.account import AccountCreate
from remit.schemas.invoice import InvoiceCreate, LineItemIn, PaymentIn
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.store import keys

T = TypeVar("T")


def race(n: int, act: Callable[[int], T]) -> list[T | RemitError]:
    """Run ``act(i)`` for i in 0..n-1, all released together; domain errors are results."""
    start = Barrier(n)

    def run(i: int) -> T | RemitError:
        start.wait()
        try:
            return act(i)
        except RemitError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def new_invoice(ctx: Context, org: str, unit: str = "100.00") -> str:
    account = AccountService(ctx).create(org, AccountCreate(name="Customer")).id
    body = InvoiceCreate(account_id=account, line_items=[LineItemIn(description="Work", unit_amount=unit)])
    return InvoiceService(ctx).create_draft(org, body).id


def test_twenty_concurrent_finalizations_get_twenty_consecutive_numbers(
    ctx: Context, new_org: Callable[[str], str]
) -> None:
    org = new_org("Numbers")
    drafts = [new_invoice(ctx, org) for _ in range(20)]

    results = race(20, lambda i: InvoiceService(ctx).finalize(org, drafts[i]))

    numbers = sorted(r.invoice_number for r in results if not isinstance(r, RemitError))
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, 21)], results
    for inv in drafts:
        issued = InvoiceService(ctx).get(org, inv)
        claim = ctx.store.table.get(keys.invoice_number(org, str(issued.invoice_number)))
        assert claim is not None
        assert claim["invoiceId"] == inv  # each number claimed once, by the invoice carrying it
    stored = ctx.store.organizations.get(org)
    assert stored is not None
    assert stored.sequences == {"INV-2026-*": 20}


def test_one_invoice_finalized_ten_times_at_once_is_numbered_once(
    ctx: Context, new_org: Callable[[str], str]
) -> None:
    org = new_org("Once")
    inv = new_invoice(ctx, org)

    results = race(10, lambda _: InvoiceService(ctx).finalize(org, inv))

    assert Counter(type(r).__name__ for r in results) == {"InvoiceOut": 1, "InvalidTransition": 9}
    stored = ctx.store.organizations.get(org)
    assert stored is not None
    assert stored.sequences == {"INV-2026-*": 1}


def test_concurrent_payments_can_never_over_pay(ctx: Context, new_org: Callable[[str], str]) -> None:
    org = new_org("Payments")
    inv = new_invoice(ctx, org, "100.00")
    InvoiceService(ctx).finalize(org, inv)

    # Sixteen payments of 12.50 against 100.00: exactly eight fit.
    pay = PaymentIn(amount="12.50", method="check")
    results = race(16, lambda _: InvoiceService(ctx).record_payment(org, inv, pay))

    outcomes = Counter(r.code if isinstance(r, RemitError) else "paid" for r in results)
    assert outcomes["paid"] == 8, outcomes
    assert outcomes["overpayment"] + outcomes["invalid_state"] == 8, outcomes
    final = InvoiceService(ctx).get(org, inv)
    assert (final.status, final.amount_paid, final.amount_due) == ("paid", "100.00", "0.00")
    assert len(final.payments or []) == 8


def test_two_large_payments_at_once_only_one_lands(ctx: Context, new_org: Callable[[str], str]) -> None:
    org = new_org("Two")
    inv = new_invoice(ctx, org, "100.00")
    InvoiceService(ctx).finalize(org, inv)

    pay = PaymentIn(amount="60.00", method="ach")
    results = race(2, lambda _: InvoiceService(ctx).record_payment(org, inv, pay))

    assert sorted(r.code if isinstance(r, RemitError) else "ok" for r in results) == ["ok", "overpayment"]
    final = InvoiceService(ctx).get(org, inv)
    assert (final.amount_paid, final.amount_due, len(final.payments or [])) == ("60.00", "40.00", 1)


def test_payments_racing_a_void_never_pay_a_void_invoice(ctx: Context, new_org: Callable[[str], str]) -> None:
    org = new_org("Void race")
    inv = new_invoice(ctx, org, "100.00")
    InvoiceService(ctx).finalize(org, inv)
    pay = PaymentIn(amount="10.00", method="check")

    results = race(
        8,
        lambda i: (
            InvoiceService(ctx).void(org, inv)
            if i == 0
            else InvoiceService(ctx).record_payment(org, inv, pay)
        ),
    )

    final = InvoiceService(ctx).get(org, inv)
    landed = [r for r in results[1:] if not isinstance(r, RemitError)]
    assert final.status == "void"
    # Whatever was paid before the void is on record, and nothing after it.
    assert len(final.payments or []) == len(landed)
    assert final.amount_paid == f"{10 * len(landed)}.00"


def test_a_number_claimed_behind_the_counters_back_is_skipped_not_reused(
    ctx: Context, new_org: Callable[[str], str]
) -> None:
    org = new_org("Tampered")
    first, second = new_invoice(ctx, org), new_invoice(ctx, org)
    InvoiceService(ctx).finalize(org, first)
    # Someone claimed the next number by hand, without moving the counter.
    ctx.store.table.put({**keys.invoice_number(org, "INV-2026-00002"), "invoiceId": "inv_elsewhere"})

    issued = InvoiceService(ctx).finalize(org, second)

    assert issued.invoice_number == "INV-2026-00003"
    stored = ctx.store.organizations.get(org)
    assert stored is not None
    assert stored.sequences == {"INV-2026-*": 3}
