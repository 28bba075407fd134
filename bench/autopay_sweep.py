"""AutoPay's cost: 100,000 issued invoices of which 1,000 are due for a charge. How many
items does the sweep read (target: at most 1.1x the due count), and how long does
charging all 1,000 take through the AutoPay worker's code path (``collect_due``: claim,
sandbox charge, settle), with ten workers at once as Lambda would scale the queue out,
on DynamoDB Local."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.local_table import bench_table, timed_sweep, write_all
from remit.clock import FixedClock
from remit.domain.invoice import Invoice
from remit.domain.totals import LineItem
from remit.schemas.account import AccountCreate
from remit.schemas.payment_method import PaymentMethodIn
from remit.services.accounts import AccountService
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.store.invoices import AUTOPAY, InvoiceRepo
from remit.store.table import Table, serialize

TOTAL = 100_000
DUE = 1_000
WORKERS = 10


@dataclass
class Result:
    total: int
    due: int
    items_read: int
    queries: int
    sweep_ms: float
    charged: int
    gateway_charges: int
    charge_ms_median: float
    charge_total_s: float


def _load(table: Table, org: str, account: str, clock: FixedClock) -> None:
    """Issued AutoPay invoices written straight to the table: the first DUE are due now,
    the rest over the next weeks."""
    now = clock.now()
    line = LineItem(id="li_1", description="Plan", quantity=1, unit_amount=4900)
    template = Invoice(
        id="inv_template",
        organization_id=org,
        account_id=account,
        currency="USD",
        payment_terms="net_30",
        created_at=now,
        updated_at=now,
        version=0,
    ).with_lines([line], None, now)
    requests: list[dict[str, Any]] = []
    for n in range(TOTAL):
        when = now - timedelta(minutes=1) if n < DUE else now + timedelta(days=1 + n % 27)
        invoice = template.model_copy(
            update={
                "id": f"inv_bench{n:06d}",
                "status": "issued",
                "invoice_number": f"INV-2026-{n:06d}",
                "issued_at": now - timedelta(days=27),
                "due_date": (now + timedelta(days=3)).date(),
                "auto_pay": True,
                "next_charge_at": when,
            }
        )
        requests.append({"PutRequest": {"Item": serialize(InvoiceRepo.head_item(invoice))}})
    write_all(table, requests)


def run() -> Result:
    with bench_table("remit-bench-autopay", connections=WORKERS * 2) as (ctx, table, clock):
        org, _ = OrganizationService(ctx).create("Bench")
        account = AccountService(ctx).create(org.id, AccountCreate(name="Payer", auto_pay_enabled=True)).id
        PaymentMethodService(ctx).add(
            org.id,
            account,
            PaymentMethodIn(type="card", gateway_token="pm_card_visa"),  # noqa: S106 - a test method
        )
        _load(table, org.id, account, clock)

        sweep = timed_sweep(ctx, table, AUTOPAY)
        jobs = sweep.jobs

        payments = PaymentService(ctx)

        def work(job: Any) -> tuple[float, bool]:
            started = time.perf_counter()
            attempt = payments.collect_due(job.body["organizationId"], job.body["id"])
            return (
                time.perf_counter() - started
            ) * 1000, attempt is not None and attempt.status == "succeeded"

        began_all = time.perf_counter()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(work, jobs))
        total_s = time.perf_counter() - began_all
        return Result(
            TOTAL,
            len(jobs),
            sweep.items_read,
            sweep.queries,
            sweep.ms,
            sum(ok for _, ok in results),
            len(ctx.store.sandbox.entries(org.id, "charge")),
            statistics.median(ms for ms, _ in results),
            total_s,
        )


def markdown(r: Result) -> str:
    ratio = r.items_read / r.due if r.due else float("inf")
    met = "met" if ratio <= 1.1 else "**missed**"
    return "\n".join(
        [
            "| invoices | due | items the sweep read | ratio to due | target | queries | sweep ms |",
            "|---:|---:|---:|---:|---|---:|---:|",
            f"| {r.total:,} | {r.due:,} | {r.items_read:,} | {ratio:.2f} | ≤ 1.10 ({met}) | {r.queries} "
            f"| {r.sweep_ms:.0f} |",
            "",
            f"Charging the {r.due:,} due invoices through the AutoPay worker's code path "
            f"(`PaymentService.collect_due`, {WORKERS} at once): {r.charged:,} paid, "
            f"{r.gateway_charges:,} sandbox charges, median {r.charge_ms_median:.1f} ms each, "
            f"{r.charge_total_s:.1f} s in all.",
        ]
    )


if __name__ == "__main__":
    print(markdown(run()))
