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

An invoice by number is a GetItem on the claim finalization writes (``INVNUM#<number>``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from remit.domain.receivables import Counter
from remit.store import keys
from remit.store.table import Item, Table, TransactionCancelled, put_op, update_op

SEEN_TTL_SECONDS = 2 * 24 * 3600


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
        ops = [
            put_op(
                {"pk": pk, "sk": f"SEEN#{record_id}", "ttl": int(now.timestamp()) + SEEN_TTL_SECONDS},
                "attribute_not_exists(pk)",
            )
        ]
        for sk, fields in sorted(by_item.items()):
            names = {f"#f{i}": name for i, name in enumerate(fields)}
            values = {f":v{i}": amount for i, amount in enumerate(fields.values())}
            expression = "ADD " + ", ".join(f"#f{i} :v{i}" for i in range(len(fields)))
            ops.append(update_op({"pk": pk, "sk": sk}, expression, names=names, values=values))
        try:
            self.table.transact(ops)
        except TransactionCancelled as exc:
            if exc.reasons and exc.reasons[0] == "ConditionalCheckFailed":
                return False
            raise
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

    def invoice_id_by_number(self, org_id: str, number: str) -> str | None:
        item = self.table.get(keys.invoice_number(org_id, number))
        return str(item["invoiceId"]) if item else None
