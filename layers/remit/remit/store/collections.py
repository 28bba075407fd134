"""An invoice's collection calendar: its wake-up item in the DueIndex and its step records.

Both live in the invoice's partition (``ORG#<org>#INV#<inv>``) under ``COLLECTION``, so one
Query reads the wake-up item and every step already taken. The wake-up item is the only
one in the DueIndex (kind ``collections``): the invoice head keeps its own DueIndex entry
for AutoPay, and an item can sit in the index only once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from remit.domain.collections import SETTLED_STEPS, StepRecord
from remit.domain.events import Event
from remit.domain.invoice import Invoice
from remit.store import due, keys
from remit.store.codec import dump
from remit.store.emails import dump_time
from remit.store.errors import StaleWrite
from remit.store.events import event_put
from remit.store.invoices import InvoiceRepo
from remit.store.table import ConditionFailed, Item, Table, put_op
from remit.store.transactions import Op, transact

COLLECTIONS = "collections"
SCHEDULE_SK = "COLLECTION"
STEP_PREFIX = "COLLECTION#STEP#"


def schedule_key(org_id: str, invoice_id: str) -> dict[str, str]:
    return {"pk": keys.invoice_collection(org_id, invoice_id), "sk": SCHEDULE_SK}


def step_key(org_id: str, invoice_id: str, step: str) -> dict[str, str]:
    return {"pk": keys.invoice_collection(org_id, invoice_id), "sk": f"{STEP_PREFIX}{step}"}


def schedule_item(org_id: str, invoice_id: str, wake_at: datetime | None) -> Item:
    item: Item = {
        **schedule_key(org_id, invoice_id),
        "entity": "collection_schedule",
        "organizationId": org_id,
        "id": invoice_id,
    }
    if wake_at is not None:
        item |= {"wakeAt": dump_time(wake_at), **due.keys(COLLECTIONS, invoice_id, wake_at)}
    return item


class StepTaken(Exception):
    """The step is settled already, or another run holds its claim (``running``)."""

    def __init__(self, existing: StepRecord | None) -> None:
        super().__init__(existing.status if existing else "unknown")
        self.existing = existing


class CollectionRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def read(self, org_id: str, invoice_id: str) -> tuple[Item | None, dict[str, StepRecord]]:
        """The wake-up item and the step records, in one Query (paged: a long-overdue
        invoice with monthly late fees gathers records over the years)."""
        schedule: Item | None = None
        steps: dict[str, StepRecord] = {}
        start: Item | None = None
        while True:
            page = self.table.query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={
                    ":pk": keys.invoice_collection(org_id, invoice_id),
                    ":prefix": SCHEDULE_SK,
                },
                start=start,
            )
            for item in page.items:
                if item["sk"] == SCHEDULE_SK:
                    schedule = item
                else:
                    record = StepRecord.model_validate(item)
                    steps[record.key] = record
            start = page.last_key
            if start is None:
                return schedule, steps

    def reschedule(self, org_id: str, invoice_id: str, wake_at: datetime | None) -> None:
        """Move the wake-up (None: out of the index). Unconditional on purpose: a wake-up
        earlier than needed costs one look; every step is guarded by its own claim."""
        self.table.put(schedule_item(org_id, invoice_id, wake_at))

    @staticmethod
    def schedule_op(org_id: str, invoice_id: str, wake_at: datetime | None) -> dict[str, Any]:
        """For the finalize transaction: the invoice's first wake-up."""
        return put_op(schedule_item(org_id, invoice_id, wake_at))

    # -- steps ---------------------------------------------------------------------------

    def _item(self, record: StepRecord) -> Item:
        return dump(
            record, "collection_step", **step_key(record.organization_id, record.invoice_id, record.key)
        )

    def get(self, org_id: str, invoice_id: str, step: str) -> StepRecord | None:
        item = self.table.get(step_key(org_id, invoice_id, step))
        return None if item is None else StepRecord.model_validate(item)

    def claim(self, record: StepRecord, now: datetime) -> None:
        """Take the step: a new record, or a claim whose lease ran out (its worker died).
        Anything else is StepTaken."""
        try:
            self.table.put(
                self._item(record),
                "attribute_not_exists(pk) OR (#s = :running AND claimedUntil < :now)",
                names={"#s": "status"},
                values={":running": "running", ":now": dump_time(now)},
            )
        except ConditionFailed as exc:
            raise StepTaken(self.get(record.organization_id, record.invoice_id, record.key)) from exc

    def settle(
        self,
        record: StepRecord,
        *,
        claimed: bool,
        events: Sequence[Event] = (),
        invoice: tuple[Invoice, int] | None = None,
    ) -> None:
        """Write the step's final state with its events (and the invoice it changed, at
        the version read) in one transaction. ``claimed``: the step was claimed first and
        only the claim's holder (its token) may settle it; otherwise the record must be new,
        which makes a step without outside effects (past due, a late fee) once by itself."""
        assert record.status in SETTLED_STEPS
        if claimed:
            op = put_op(
                self._item(record), "#t = :token", names={"#t": "token"}, values={":token": record.token}
            )
        else:
            op = put_op(self._item(record), "attribute_not_exists(pk)")
        # Losing the step's own condition: who holds it is worth a read, made only then.
        ops: list[Op | dict[str, Any]] = [
            Op(op, lambda: StepTaken(self.get(record.organization_id, record.invoice_id, record.key)))
        ]
        if invoice is not None:
            after, expected = invoice
            ops.append(put_op(InvoiceRepo.head_item(after), "version = :v", values={":v": expected}))
        stale = StaleWrite(record.invoice_id)
        transact(self.table, [*ops, *(event_put(e) for e in events)], otherwise=stale, on_conflict=stale)
