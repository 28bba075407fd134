"""The sandbox gateway's ledger: its charges and refunds, one item per idempotency key in
the organization's own partition. Kept in the table (not in memory) because a charge made
by one Lambda invocation is looked up by another, maybe minutes later."""

from __future__ import annotations

import contextlib
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

    def transition(
        self, org_id: str, kind: str, idempotency_key: str, expected: str, changes: dict[str, Any]
    ) -> Item | None:
        """Move the entry on from status ``expected`` (an authentication completed, failed or
        abandoned), conditionally: of two racing moves one wins. Returns the entry as it
        stands afterwards (whoever moved it); None if there is no entry."""
        key = keys.sandbox_entry(org_id, kind, idempotency_key)
        names = {f"#f{i}": name for i, name in enumerate(changes)}
        values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(changes.values())}
        with contextlib.suppress(ConditionFailed):  # moved already: theirs stands
            self.table.update(
                key,
                "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
                condition="#status = :expected",
                names={**names, "#status": "status"},
                values={**values, ":expected": expected},
            )
        return self.table.get(key)

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
