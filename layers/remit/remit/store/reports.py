"""The receivables aggregates and the dashboard's invoice search (docs/data-model.md,
access patterns).

Aggregates live in one partition per organization, ``ORG#<org>#RECEIVABLES``:
- ``OUT#<currency>#<dueDate>``: what issued invoices due that day still owe (amount,
  count); the report buckets them by age when it reads them, so nothing ages in storage;
- ``MONTH#<yyyy-mm>#<currency>``: issued, collected, writtenOff, voided that month;
- ``SEEN#<stream record id>``: a stream record already applied (expires after two days,
  longer than a stream keeps records), so a redelivered batch adds nothing twice.
The report is two Queries on that partition (``begins_with`` OUT# and MONTH#); its size
grows with distinct due dates and months, never with the number of invoices.

An invoice by number is a GetItem on the claim finalization writes (``INVNUM#<number>``);
an invoice's events, a bounded Query of the organization's events since it was created.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from remit.domain.events import Event
from remit.domain.receivables import Counter
from remit.store import keys
from remit.store.events import id_bound
from remit.store.table import Item, Table, put_op, update_op
from remit.store.transactions import Op, transact

SEEN_TTL_SECONDS = 2 * 24 * 3600


class _Applied(Exception):
    """The stream record's marker is there: it was applied before."""


def receivables_partition(org_id: str) -> str:
    return f"ORG#{org_id}#RECEIVABLES"


class ReportRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def apply(self, org_id: str, record_id: str, deltas: Mapping[Counter, int], now: datetime) -> bool:
        """Add ``deltas`` to the counters, once per stream record: False if ``record_id``
        was applied before (all of it: the marker and the additions are one transaction)."""
        if not deltas:
            return True
        pk = receivables_partition(org_id)
        by_item: dict[str, dict[str, int]] = defaultdict(dict)
        for (sk, field), amount in deltas.items():
            by_item[sk][field] = amount
        marker = {"pk": pk, "sk": f"SEEN#{record_id}", "ttl": int(now.timestamp()) + SEEN_TTL_SECONDS}
        ops: list[Op | dict[str, Any]] = [Op(put_op(marker, "attribute_not_exists(pk)"), _Applied)]
        for sk, fields in sorted(by_item.items()):
            names = {f"#f{i}": name for i, name in enumerate(fields)}
            values = {f":v{i}": amount for i, amount in enumerate(fields.values())}
            expression = "ADD " + ", ".join(f"#f{i} :v{i}" for i in range(len(fields)))
            ops.append(update_op({"pk": pk, "sk": sk}, expression, names=names, values=values))
        try:
            # A conflict is raised as is: the stream handler reports the batch failed and
            # the record comes again.
            transact(self.table, ops, on_conflict=None)
        except _Applied:
            return False
        return True

    def aggregates(self, org_id: str, prefix: str) -> list[Item]:
        """Every aggregate item whose sort key starts with ``prefix`` (``OUT#``, ``MONTH#``)."""
        args: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": receivables_partition(org_id), ":prefix": prefix},
        }
        items: list[Item] = []
        start = None
        while True:
            page = self.table.query(start=start, **args)
            items += page.items
            start = page.last_key
            if start is None:
                return items

    def subject_events(self, org_id: str, subject_id: str, since: datetime, pages: int = 3) -> list[Event]:
        """The events about one invoice, newest first: the organization's events since the
        invoice was created, filtered to its id, at most ``pages`` pages of 100 read (an
        old invoice in a busy organization may show only its recent events)."""
        args: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "FilterExpression": "subjectId = :subject",
            "ExpressionAttributeValues": {
                ":pk": keys.event(org_id, "")["pk"],
                ":low": id_bound(since, upper=False),
                ":high": "evt_~",
                ":subject": subject_id,
            },
            "ScanIndexForward": False,
        }
        found: list[Event] = []
        start = None
        for _ in range(pages):
            page = self.table.query(limit=100, start=start, **args)
            found += [Event.model_validate(i) for i in page.items]
            start = page.last_key
            if start is None:
                break
        return found

    def invoice_id_by_number(self, org_id: str, number: str) -> str | None:
        item = self.table.get(keys.invoice_number(org_id, number))
        return str(item["invoiceId"]) if item else None
