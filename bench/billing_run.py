"""The billing run's cost: 10,000 subscriptions of which 1 % are due. How many items does
the sweep read (target: at most 1.1x the due count), and how long does billing the due
ones take through the worker's code path, on DynamoDB Local."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bench.local_table import bench_table, timed_sweep, write_all
from remit.clock import FixedClock
from remit.domain.catalogue import Recurring
from remit.domain.subscription import Subscription, SubscriptionItem
from remit.schemas.account import AccountCreate
from remit.services.accounts import AccountService
from remit.services.billing import BillingService
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.store.subscriptions import BILLING, SubscriptionRepo
from remit.store.table import Table, serialize

TOTAL = 10_000
DUE = 100


@dataclass
class Result:
    total: int
    due: int
    items_read: int
    queries: int
    sweep_ms: float
    billed: int
    bill_ms_median: float
    bill_total_s: float


def _load(table: Table, ctx: Context, org: str, account: str, clock: FixedClock) -> None:
    """10,000 subscriptions written straight to the table: the first DUE are due now,
    the rest later in the month."""
    now = clock.now()
    item = SubscriptionItem(
        id="si_1",
        price_id="price_1",
        product_id="prod_1",
        description="Plan",
        quantity=Decimal(1),
        unit_amount=2000,
    )
    requests: list[dict[str, Any]] = []
    for n in range(TOTAL):
        next_start = now - timedelta(minutes=1) if n < DUE else now + timedelta(days=1 + n % 27)
        sub = Subscription(
            id=f"sub_bench{n:06d}",
            organization_id=org,
            account_id=account,
            currency="USD",
            recurring=Recurring(interval="month"),
            items=[item],
            start_date=next_start,
            billing_anchor=next_start,
            next_period_start=next_start,
            created_at=now,
            updated_at=now,
        )
        requests.append({"PutRequest": {"Item": serialize(SubscriptionRepo.item(sub))}})
    write_all(table, requests)


def run() -> Result:
    with bench_table("remit-bench-billing") as (ctx, table, clock):
        org, _ = OrganizationService(ctx).create("Bench")
        account = AccountService(ctx).create(org.id, AccountCreate(name="Subscriber")).id
        _load(table, ctx, org.id, account, clock)

        sweep = timed_sweep(ctx, table, BILLING)
        jobs = sweep.jobs

        timings = []
        billing = BillingService(ctx)
        began_all = time.perf_counter()
        billed = 0
        for job in jobs:
            began = time.perf_counter()
            billed += billing.bill(job.body["organizationId"], job.body["id"])
            timings.append((time.perf_counter() - began) * 1000)
        return Result(
            TOTAL,
            len(jobs),
            sweep.items_read,
            sweep.queries,
            sweep.ms,
            billed,
            statistics.median(timings),
            time.perf_counter() - began_all,
        )


def markdown(r: Result) -> str:
    ratio = r.items_read / r.due if r.due else float("inf")
    met = "met" if ratio <= 1.1 else "**missed**"
    return "\n".join(
        [
            "| subscriptions | due | items the sweep read | ratio to due | target | queries | sweep ms |",
            "|---:|---:|---:|---:|---|---:|---:|",
            f"| {r.total:,} | {r.due} | {r.items_read} | {ratio:.2f} | ≤ 1.10 ({met}) | {r.queries} "
            f"| {r.sweep_ms:.0f} |",
            "",
            f"Billing the {r.due} due subscriptions one after another through the worker's code path "
            f"(`BillingService.bill`): {r.billed} invoices, median {r.bill_ms_median:.1f} ms each, "
            f"{r.bill_total_s:.1f} s in all.",
        ]
    )


if __name__ == "__main__":
    print(markdown(run()))
