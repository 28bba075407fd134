"""The billing run on DynamoDB Local: a year of periods, exactly once each, in order."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

from remit.clock import FixedClock
from remit.schemas.account import AccountCreate
from remit.schemas.catalogue import PriceIn, ProductCreate, RecurringIn
from remit.schemas.invoice import InvoiceOut
from remit.schemas.subscription import SubscriptionCreate, SubscriptionItemIn
from remit.services.accounts import AccountService
from remit.services.billing import BillingService
from remit.services.catalogue import ProductService
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.subscriptions import SubscriptionService
from remit.services.sweeps import due_jobs
from remit.store.invoices import FINALIZE
from remit.store.subscriptions import BILLING


def run_billing(ctx: Context) -> int:
    """What the sweeper and the two billing workers do on one pass; returns the jobs done.
    (AutoPay's kinds are the payment tests' business.)"""
    done = 0
    for kind in (BILLING, FINALIZE):
        for job in list(due_jobs(ctx, kind)):
            org, item = job.body["organizationId"], job.body["id"]
            if kind == BILLING:
                BillingService(ctx).bill(org, item)
            else:
                BillingService(ctx).finalize_due(org, item)
            done += 1
    return done


def subscribe(ctx: Context, org: str, interval: str, name: str) -> tuple[str, str]:
    account = AccountService(ctx).create(org, AccountCreate(name=name)).id
    product = ProductService(ctx).create(
        org,
        ProductCreate(
            name=f"{name} plan",
            prices=[PriceIn(currency="USD", unit_amount="20.00", recurring=RecurringIn(interval=interval))],
        ),
    )
    sub = SubscriptionService(ctx).create(
        org, SubscriptionCreate(account_id=account, items=[SubscriptionItemIn(price_id=product.prices[0].id)])
    )
    return account, sub.id


def invoices(ctx: Context, org: str, account: str) -> list[InvoiceOut]:
    page = InvoiceService(ctx).list(org, account_id=account, statuses=[], limit=100, cursor=None)
    return sorted(page.data, key=lambda i: str(i.period_start))


def test_a_year_of_billing(ctx: Context, clock: FixedClock, new_org: Callable[[str], str]) -> None:
    org = new_org("Subscriptions Co")
    monthly_acc, _ = subscribe(ctx, org, "month", "Monthly")
    yearly_acc, _ = subscribe(ctx, org, "year", "Yearly")
    paused_acc, paused_sub = subscribe(ctx, org, "month", "Paused")
    end = clock.now() + timedelta(days=365) - timedelta(hours=1)  # just before 2027-01-15 09:00

    while clock.now() + timedelta(days=7) <= end:  # a week at a time (pause and resume fall on steps)
        clock.advance(timedelta(days=7))
        if clock.now().date() == datetime(2026, 5, 21, tzinfo=UTC).date():
            SubscriptionService(ctx).pause(org, paused_sub)
        if clock.now().date() == datetime(2026, 8, 20, tzinfo=UTC).date():
            SubscriptionService(ctx).resume(org, paused_sub)
        run_billing(ctx)
        assert run_billing(ctx) == 0  # a second pass finds nothing left to do
    clock.set(end)
    run_billing(ctx)

    monthly = invoices(ctx, org, monthly_acc)
    assert [i.period_start[:10] for i in monthly if i.period_start] == [
        f"2026-{m:02d}-15" for m in range(1, 13)
    ]
    assert [i.period_end[:10] for i in monthly if i.period_end][-1] == "2027-01-15"
    yearly = invoices(ctx, org, yearly_acc)
    assert [(i.period_start[:10], i.period_end[:10]) for i in yearly if i.period_start and i.period_end] == [
        ("2026-01-15", "2027-01-15")
    ]
    paused = invoices(ctx, org, paused_acc)
    # Paused from May 21 to Aug 20: June 15, July 15 and August 15 are never billed.
    assert [i.period_start[:7] for i in paused if i.period_start] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    everything = monthly + yearly + paused
    assert {i.status for i in everything} <= {"issued", "past_due"}  # all finalized (unpaid, so some overdue)
    numbers = [i.invoice_number for i in everything]
    assert sorted(numbers) == [
        f"INV-2026-{n:05d}" for n in range(1, len(everything) + 1)
    ]  # none twice, no gap
    for series in (monthly, paused):
        assert [i.invoice_number for i in series] == sorted(i.invoice_number for i in series)  # period order


def test_one_run_after_a_long_gap_catches_up_in_order(
    ctx: Context, clock: FixedClock, new_org: Callable[[str], str]
) -> None:
    org = new_org("Gap Co")
    account, _ = subscribe(ctx, org, "month", "Gap")
    clock.advance(timedelta(days=5 * 31))  # the schedule was off for five months

    run_billing(ctx)  # bills what the gap held ...
    clock.advance(timedelta(hours=2))
    run_billing(ctx)  # ... and finalizes it once the window has passed

    issued = invoices(ctx, org, account)
    assert [i.period_start[:10] for i in issued if i.period_start] == [
        "2026-01-15",
        "2026-02-15",
        "2026-03-15",
        "2026-04-15",
        "2026-05-15",
        "2026-06-15",
    ]
    assert [i.invoice_number for i in issued] == [f"INV-2026-{n:05d}" for n in range(1, 7)]


def test_concurrent_runs_bill_each_period_once(
    ctx: Context, clock: FixedClock, new_org: Callable[[str], str]
) -> None:
    org = new_org("Race Co")
    account, sub = subscribe(ctx, org, "month", "Race")
    clock.advance(timedelta(days=95))
    start = Barrier(6)

    def run(_: int) -> int:
        start.wait()
        return BillingService(ctx).bill(org, sub)

    with ThreadPoolExecutor(max_workers=6) as pool:
        billed = list(pool.map(run, range(6)))

    assert sum(billed) == 3  # February, March, April: once each, whoever got there first
    assert [i.period_start[:10] for i in invoices(ctx, org, account) if i.period_start] == [
        "2026-01-15",
        "2026-02-15",
        "2026-03-15",
        "2026-04-15",
    ]
