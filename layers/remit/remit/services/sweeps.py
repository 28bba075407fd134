"""Sweeps: find the work that has fallen due (through the sparse DueIndex, reading only
due items) and hand it to the workers as jobs. The work itself is idempotent, so a sweep
that runs twice, or overlaps another, costs a little reading and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

from remit.adapters.sqs import Job
from remit.services.context import Context
from remit.store import due
from remit.store.collections import COLLECTIONS
from remit.store.invoices import AUTOPAY, FINALIZE
from remit.store.payment_methods import EXPIRING
from remit.store.subscriptions import BILLING

KINDS = (BILLING, FINALIZE, AUTOPAY, EXPIRING, COLLECTIONS)


def due_jobs(ctx: Context, kind: str) -> Iterator[Job]:
    for item in due.due(ctx.store.table, kind, ctx.clock.now()):
        body = {"kind": kind, "organizationId": item["organizationId"], "id": item["id"]}
        if kind == EXPIRING:
            body["accountId"] = item["accountId"]  # a payment method's key includes its account
        yield Job(
            body=body,
            # A subscription's drafts finalize one after another, in period order.
            group=str(item.get("subscriptionId") or item["id"]),
            dedupe=f"{kind}:{item['id']}:{item['duesk']}",
        )
