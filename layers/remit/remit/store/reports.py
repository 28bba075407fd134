"""Reads for the dashboard's receivables report and invoice search. Each is a Query or
a GetItem on a key (docs/data-model.md, access patterns):

- open invoices: GSI1 ``ORG#<org>#INVOICES`` (the organization's invoice list), filtered
  to ``status = issued`` and projected to the five attributes the report needs;
- money in and written off in a period: GSI1 ``ORG#<org>#EVENTTYPE#<type>`` between the
  event ids of the period's first and last millisecond (ids are ULIDs, ordered by time),
  so a month reads that month's events and nothing else;
- an invoice by number: GetItem on ``ORG#<org>`` / ``INVNUM#<number>`` (the claim written
  at finalization), then the invoice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from remit.domain.events import Event, EventType
from remit.domain.receivables import OpenInvoice
from remit.store import keys
from remit.store.events import id_bound
from remit.store.table import Item, Table


class ReportRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def open_invoices(self, org_id: str) -> Iterator[OpenInvoice]:
        args: dict[str, Any] = {
            "IndexName": "GSI1",
            "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :inv)",
            "FilterExpression": "#s = :issued",
            "ProjectionExpression": "id, #s, currency, amountDue, dueDate",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":pk": keys.org_invoices(org_id),
                ":inv": "INV#",
                ":issued": "issued",
            },
        }
        for item in self._all(args):
            yield OpenInvoice(
                id=str(item["id"]),
                status=str(item["status"]),
                currency=str(item["currency"]),
                amount_due=int(item.get("amountDue", 0)),
                due_date=date.fromisoformat(item["dueDate"]) if item.get("dueDate") else None,
            )

    def events_between(
        self, org_id: str, event_type: EventType, start: datetime, end: datetime
    ) -> Iterator[Event]:
        args: dict[str, Any] = {
            "IndexName": "GSI1",
            "KeyConditionExpression": "gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": keys.events_of_type(org_id, event_type),
                ":low": id_bound(start, upper=False),
                ":high": id_bound(end, upper=True),
            },
        }
        for item in self._all(args):
            yield Event.model_validate(item)

    def invoice_id_by_number(self, org_id: str, number: str) -> str | None:
        item = self.table.get(keys.invoice_number(org_id, number))
        return str(item["invoiceId"]) if item else None

    def _all(self, args: dict[str, Any]) -> Iterator[Item]:
        start = None
        while True:
            page = self.table.query(start=start, **args)
            yield from page.items
            start = page.last_key
            if start is None:
                return
