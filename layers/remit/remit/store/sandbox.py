"""The sandbox gateway's ledger: its charges and refunds, one item per idempotency key in
the organization's own partition. Kept in the table (not in memory) because a charge made
by one Lambda invocation is looked up by another, maybe minutes later."""

from __future__ import annotations

from typing import Any

from remit.store import keys
from remit.store.table import ConditionFailed, Item, Table


class SandboxLedger:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, org_id: str, kind: str, idempotency_key: str, entry: dict[str, Any]) -> Item:
        """Write the entry for the key unless one exists; return the one that stands
        (ours, or the first writer's: a replayed key gets the original answer)."""
        key = keys.sandbox_entry(org_id, kind, idempotency_key)
        try:
            self.table.put({**key, "entity": f"sandbox_{kind}", **entry}, "attribute_not_exists(pk)")
        except ConditionFailed:
            existing = self.table.get(key)
            assert existing is not None, "a sandbox entry is never deleted"
            return existing
        return {**key, **entry}

    def get(self, org_id: str, kind: str, idempotency_key: str) -> Item | None:
        return self.table.get(keys.sandbox_entry(org_id, kind, idempotency_key))

    def entries(self, org_id: str, kind: str) -> list[Item]:
        """Every entry of a kind (tests and the bench count charges with it)."""
        found: list[Item] = []
        start: Item | None = None
        while True:
            page = self.table.query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :kind)",
                ExpressionAttributeValues={
                    ":pk": keys.sandbox_partition(org_id),
                    ":kind": f"{kind.upper()}#",
                },
                start=start,
            )
            found += page.items
            start = page.last_key
            if start is None:
                return found
