"""Collections' cost (issue 8): 100,000 issued invoices, each with its collection wake-up
item, of which 1,000 have steps due. How many items does the sweep read (target: at most
1.1x the due count)? And how long do the collections workers take to complete 10,000 due
steps (each of the 1,000 invoices has ten: past due, three retries through the sandbox
gateway, three reminder emails, three SMS), ten workers at once, on DynamoDB Local?"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bench.local_table import bench_table, timed_sweep, write_all
from remit.clock import FixedClock
from remit.domain.collections import DunningAction
from remit.domain.invoice import Invoice
from remit.domain.totals import LineItem
from remit.emails.mime import OutgoingEmail
from remit.schemas.account import AccountCreate
from remit.schemas.organization import DunningSettingsPatch, DunningStepIn
from remit.schemas.payment_method import PaymentMethodIn
from remit.services.accounts import AccountService
from remit.services.documents import DocumentService
from remit.services.links import Links
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.store.collections import COLLECTIONS, schedule_item
from remit.store.invoices import InvoiceRepo
from remit.store.table import Table, serialize
from remit.wiring import collection_service, delivery_service

TOTAL = 100_000
DUE = 1_000
WORKERS = 10
ACTIONS: tuple[DunningAction, ...] = ("retry_payment", "email_reminder", "sms_reminder")
# Days 0..8 past due, cycling through the three actions: nine dunning steps, plus past due.
SCHEDULE = [DunningStepIn(days_past_due=d, action=ACTIONS[d % 3]) for d in range(9)]
STEPS_PER_INVOICE = 1 + len(SCHEDULE)


@dataclass
class Counting:
    """A mailer and an SMS sender that count (what SES and SNS would be asked to send)."""

    emails: int = 0
    sms: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, email: OutgoingEmail) -> str:
        with self.lock:
            self.emails += 1
            return f"ses-{self.emails}"


@dataclass
class CountingSms:
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, phone: str, text: str) -> str:
        with self.lock:
            self.sent += 1
            return f"sms-{self.sent}"


class NoDocuments:
    def exists(self, key: str) -> bool:
        raise AssertionError("reminders attach nothing")

    def put_pdf(self, key: str, body: bytes, filename: str) -> None:
        raise AssertionError("reminders attach nothing")

    def get(self, key: str) -> bytes:
        raise AssertionError("reminders attach nothing")

    def presign(self, key: str, seconds: int) -> str:
        raise AssertionError("reminders attach nothing")

    def render(self, org_id: str, invoice_id: str, kind: Any) -> str:
        raise AssertionError("reminders attach nothing")


@dataclass
class Result:
    total: int
    due: int
    items_read: int
    queries: int
    sweep_ms: float
    steps_done: int
    charges: int
    emails: int
    sms: int
    invoice_ms_median: float
    work_total_s: float


def _load(table: Table, org: str, account: str, clock: FixedClock) -> None:
    """Issued invoices and their wake-up items written straight to the table: the first DUE
    are nine days past due with nothing done yet (wake-up a minute ago), the rest are due
    over the next weeks (their wake-up is their past-due day)."""
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
        due_date = (now - timedelta(days=10)).date() if n < DUE else (now + timedelta(days=1 + n % 27)).date()
        invoice = template.model_copy(
            update={
                "id": f"inv_bench{n:06d}",
                "status": "issued",
                "invoice_number": f"INV-2026-{n:06d}",
                "issued_at": now - timedelta(days=40),
                "due_date": due_date,
            }
        )
        wake = now - timedelta(minutes=1) if n < DUE else now + timedelta(days=2 + n % 27)
        requests.append({"PutRequest": {"Item": serialize(InvoiceRepo.head_item(invoice))}})
        requests.append({"PutRequest": {"Item": serialize(schedule_item(org, invoice.id, wake))}})
    write_all(table, requests)


def run() -> Result:
    with bench_table("remit-bench-dunning", connections=WORKERS * 2) as (ctx, table, clock):
        org, _ = OrganizationService(ctx).create("Bench")
        OrganizationService(ctx).update_dunning_settings(
            org.id, DunningSettingsPatch(enabled=True, schedule=SCHEDULE)
        )
        account = AccountService(ctx).create(
            org.id, AccountCreate(name="Payer", email="ap@payer.example", phone="+14155550100")
        )
        PaymentMethodService(ctx).add(
            org.id,
            account.id,
            PaymentMethodIn(type="card", gateway_token="pm_card_chargeDeclined"),  # noqa: S106 - a test token
        )
        _load(table, org.id, account.id, clock)

        sweep = timed_sweep(ctx, table, COLLECTIONS)
        jobs = sweep.jobs

        mailer, sms = Counting(), CountingSms()
        nothing = NoDocuments()
        delivery = delivery_service(
            ctx,
            mailer=mailer,
            documents=DocumentService(ctx, nothing, nothing),
            sender="billing@bench.example",
            links=Links(ctx, "https://bench"),
        )
        service = collection_service(ctx, delivery=delivery, sms=sms)

        def work(job: Any) -> tuple[float, int]:
            started = time.perf_counter()
            done = service.run(job.body["organizationId"], job.body["id"])
            return (time.perf_counter() - started) * 1000, len(done)

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
            sum(n for _, n in results),
            len(ctx.store.sandbox.entries(org.id, "charge")),
            mailer.emails,
            sms.sent,
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
            f"Working the {r.due:,} due invoices through the collections worker's code path "
            f"(`CollectionService.run`, {WORKERS} at once): {r.steps_done:,} steps done "
            f"({r.charges:,} sandbox charges, {r.emails:,} emails, {r.sms:,} SMS), "
            f"median {r.invoice_ms_median:.0f} ms per invoice ({STEPS_PER_INVOICE} steps), "
            f"{r.work_total_s:.1f} s in all ({r.steps_done / r.work_total_s:.0f} steps a second).",
        ]
    )


if __name__ == "__main__":
    print(markdown(run()))
