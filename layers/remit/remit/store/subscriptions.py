from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remit.domain.events import Event
from remit.domain.invoice import Invoice
from remit.domain.subscription import Subscription
from remit.store import due, keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.events import event_put
from remit.store.invoices import InvoiceRepo
from remit.store.table import Table, cursor_at, put_op
from remit.store.transactions import transact

BILLING = "billing"


class SubscriptionRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def item(sub: Subscription) -> dict[str, Any]:
        org = sub.organization_id
        extra = {"gsi2pk": keys.account_invoices(org, sub.account_id), "gsi2sk": f"SUB#{sub.id}"}
        # In the billing run's index only while an invoice will fall due.
        if sub.next_period_start is not None:
            extra |= due.keys(BILLING, sub.id, sub.next_period_start)
        return dump(sub, "subscription", **keys.subscription(org, sub.id), **extra)

    def _put(self, sub: Subscription, expected_version: int | None) -> dict[str, Any]:
        if expected_version is None:
            return put_op(self.item(sub), "attribute_not_exists(pk)")
        return put_op(self.item(sub), "version = :v", values={":v": expected_version})

    def get(self, org_id: str, subscription_id: str) -> Subscription | None:
        return load(Subscription, self.table.get(keys.subscription(org_id, subscription_id)))

    def save(self, sub: Subscription, expected_version: int | None, events: Sequence[Event] = ()) -> None:
        stale = StaleWrite(sub.id)
        ops = [self._put(sub, expected_version), *(event_put(e) for e in events)]
        transact(self.table, ops, otherwise=stale, on_conflict=stale)

    def bill(
        self, before: Subscription, after: Subscription, invoice: Invoice | None, events: Sequence[Event]
    ) -> None:
        """The period's invoice and the subscription's move to the next period, in one
        transaction: a repeated or concurrent run finds the version moved and writes
        nothing, so a period is invoiced exactly once."""
        ops = [self._put(after, before.version)]
        if invoice is not None:
            ops.append(put_op(InvoiceRepo.head_item(invoice), "attribute_not_exists(pk)"))
        stale = StaleWrite(after.id)
        transact(self.table, [*ops, *(event_put(e) for e in events)], otherwise=stale, on_conflict=stale)

    def list(
        self, org_id: str, account_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Subscription], str | None]:
        start: dict[str, Any] | None = dict(keys.subscription(org_id, cursor)) if cursor else None
        if account_id:
            pk_name, sk_name, partition, prefix = (
                "gsi2pk",
                "gsi2sk",
                keys.account_invoices(org_id, account_id),
                "SUB#",
            )
            query: dict[str, Any] = {"IndexName": "GSI2"}
            if start:
                start |= {pk_name: partition, sk_name: f"SUB#{cursor}"}
        else:
            pk_name, sk_name, partition, prefix = (
                "pk",
                "sk",
                keys.organization(org_id)["pk"],
                keys.SUBSCRIPTION_PREFIX,
            )
            query = {}
        page = self.table.query(
            KeyConditionExpression=f"{pk_name} = :pk AND begins_with({sk_name}, :prefix)",
            ExpressionAttributeValues={":pk": partition, ":prefix": prefix},
            ScanIndexForward=False,
            limit=limit,
            start=start,
            **query,
        )
        next_cursor = cursor_at(page.last_key, "sk", keys.SUBSCRIPTION_PREFIX)
        return [Subscription.model_validate(i) for i in page.items], next_cursor
