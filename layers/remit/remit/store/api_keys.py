"""API keys, and the count of an organization's active full-access keys.

The rule "an organization keeps a full-access key" is a conditional write, not a read then
a write: the count (``keys.api_key_count``) moves in the same transaction as the key it
counts, and revoking a full-access key requires it to be above one. Two revocations at once
cannot both pass, whatever each read before."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from remit.domain.api_key import LAST_USE_GRANULARITY, ApiKey, Scope
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.table import ConditionFailed, Item, Table, put_op, update_op
from remit.store.transactions import Op, transact

# An organization has few keys; its list is one query.
MAX_KEYS = 100
FULL = "full"


class LastFullKey(Exception):
    """Revoking this key would leave its organization with no full-access key."""


class _NotRevocable(Exception):
    """No such key of the organization, or it was revoked already."""


def count_item(org_id: str, full_keys: int) -> Item:
    return {
        **keys.api_key_count(org_id),
        "entity": "api_key_count",
        "organizationId": org_id,
        "fullKeys": full_keys,
    }


def count_op(org_id: str, full_keys: int) -> dict[str, Any]:
    """The count of a new organization, written with its first key."""
    return put_op(count_item(org_id, full_keys), "attribute_not_exists(pk)")


def _count_change(org_id: str, delta: int) -> dict[str, Any]:
    # Going down needs another full-access key left; going up only needs the count there.
    condition = "fullKeys > :one" if delta < 0 else "attribute_exists(fullKeys)"
    return update_op(
        keys.api_key_count(org_id),
        "SET fullKeys = fullKeys + :d",
        condition=condition,
        values={":d": delta, **({":one": 1} if delta < 0 else {})},
    )


class ApiKeyRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, key_id: str) -> ApiKey | None:
        return load(ApiKey, self.table.get(keys.api_key(key_id)))

    @staticmethod
    def create_op(key: ApiKey) -> dict[str, Any]:
        item = dump(
            key,
            "api_key",
            **keys.api_key(key.id),
            gsi1pk=keys.org_api_keys(key.organization_id),
            gsi1sk=key.id,
        )
        return put_op(item, "attribute_not_exists(pk)")

    def create(self, key: ApiKey) -> None:
        """A full-access key is counted in its own transaction. StaleWrite: a concurrent
        change of the count (another key made or revoked): write again."""
        if key.scope != FULL:
            self.table.transact([self.create_op(key)])
            return
        self._ensure_count(key.organization_id)
        transact(self.table, [self.create_op(key), _count_change(key.organization_id, +1)])

    def full_key_count(self, org_id: str) -> int | None:
        item = self.table.get(keys.api_key_count(org_id))
        return None if item is None else int(item["fullKeys"])

    def _ensure_count(self, org_id: str) -> None:
        """Organizations made before the count have none: count their keys on first use.
        The list comes from an index (it may lag), so each key is read again consistently
        (a revocation is never missed, which could only over-count); a key the index has
        not shown yet could only under-count, which refuses a revocation, never allows one.
        The count is written only if no one else wrote it first."""
        if self.full_key_count(org_id) is not None:
            return
        listed = self.of_organization(org_id)
        current = [load(ApiKey, i) for i in self.table.get_many([keys.api_key(k.id) for k in listed])]
        active = sum(1 for k in current if k is not None and k.scope == FULL and k.revoked_at is None)
        with contextlib.suppress(ConditionFailed):
            self.table.put(count_item(org_id, active), "attribute_not_exists(pk)")

    def of_organization(self, org_id: str) -> list[ApiKey]:
        """Newest first."""
        page = self.table.query(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": keys.org_api_keys(org_id)},
            ScanIndexForward=False,
            limit=MAX_KEYS,
        )
        return [ApiKey.model_validate(i) for i in page.items]

    def revoke(self, org_id: str, key_id: str, when: datetime, *, scope: Scope) -> bool:
        """False if there is no such key of ``org_id`` (of that scope), or it was
        revoked already. The organization is part of the condition: no one revokes
        another's key by its id. A full-access key's revocation takes one off the count in
        the same transaction, on the condition that another is left: LastFullKey if not.
        StaleWrite: a concurrent change of the count; read again and decide again."""
        full_access = scope == FULL
        # The scope is checked too, so the count moves with full-access keys only (an item
        # without one is a full-access key, as the model reads it).
        of_scope = "(#scope = :scope OR attribute_not_exists(#scope))" if full_access else "#scope = :scope"
        revoke = update_op(
            keys.api_key(key_id),
            "SET revokedAt = :at",
            condition=f"organizationId = :org AND attribute_not_exists(revokedAt) AND {of_scope}",
            names={"#scope": "scope"},
            values={":at": when.isoformat(), ":org": org_id, ":scope": scope},
        )
        ops = [Op(revoke, _NotRevocable)]
        if full_access:
            self._ensure_count(org_id)
            ops.append(Op(_count_change(org_id, -1), LastFullKey(org_id)))
        try:
            # The key's own condition is listed first: revoking a revoked key is revoking
            # it once (False), even when the count would also refuse.
            transact(self.table, ops)
        except _NotRevocable:
            return False
        return True

    def touch(self, key: ApiKey, when: datetime) -> None:
        """Record a use, unless one was recorded within the last minute (then nothing is
        written: the authorizer calls this on every request)."""
        if key.last_used_at is not None and when - key.last_used_at < LAST_USE_GRANULARITY:
            return
        # A refusal means another request recorded a use within the minute: fine.
        with contextlib.suppress(ConditionFailed):
            self.table.update(
                keys.api_key(key.id),
                "SET lastUsedAt = :at",
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)",
                values={":at": when.isoformat(), ":cutoff": (when - LAST_USE_GRANULARITY).isoformat()},
            )
