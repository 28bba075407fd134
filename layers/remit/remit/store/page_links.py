from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from remit.domain.events import Event
from remit.domain.page_link import PageLink
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.events import event_put
from remit.store.table import Table, put_op
from remit.store.transactions import Op, transact


class _Viewed(Exception):
    """The marker is there: the invoice was viewed before."""


class PageLinkRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, link: PageLink) -> None:
        # ``ttl``: DynamoDB deletes the link a week after it expired.
        ttl = int(link.expires_at.timestamp()) + 7 * 24 * 3600
        item = dump(link, "page_link", **keys.page_link(link.organization_id, link.id), ttl=ttl)
        self.table.put(item, "attribute_not_exists(pk)")

    def get(self, org_id: str, link_id: str) -> PageLink | None:
        return load(PageLink, self.table.get(keys.page_link(org_id, link_id)))

    def mark_viewed(
        self, org_id: str, invoice_id: str, link_id: str, at: datetime, events: Sequence[Event]
    ) -> bool:
        """The first view, once: the marker's conditional put and its events commit
        together, so concurrent first views write ``invoice.viewed`` once. False when the
        invoice was viewed before."""
        marker = {
            **keys.invoice_viewed(org_id, invoice_id),
            "entity": "invoice_viewed",
            "viewedAt": at.isoformat(),
            "linkId": link_id,
        }
        ops: list[Op | dict[str, Any]] = [
            Op(put_op(marker, "attribute_not_exists(pk)"), _Viewed),
            *(event_put(e) for e in events),
        ]
        for _ in range(3):
            try:
                transact(self.table, ops, otherwise=_Viewed)
            except StaleWrite:
                continue  # a concurrent first view: try again, one of us finds the marker
            except _Viewed:
                return False
            return True
        return False

    def viewed(self, org_id: str, invoice_id: str) -> bool:
        return self.table.get(keys.invoice_viewed(org_id, invoice_id)) is not None
