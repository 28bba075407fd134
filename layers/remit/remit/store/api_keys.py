from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from remit.domain.api_key import LAST_USE_GRANULARITY, ApiKey
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.table import ConditionFailed, Table, put_op

# An organization has few keys; its list is one query.
MAX_KEYS = 100


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
        self.table.transact([self.create_op(key)])

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

    def revoke(self, org_id: str, key_id: str, when: datetime) -> bool:
        """False if there is no such key of ``org_id``, or it was revoked already. The
        organization is part of the condition: no one revokes another's key by its id."""
        try:
            self.table.update(
                keys.api_key(key_id),
                "SET revokedAt = :at",
                condition="organizationId = :org AND attribute_not_exists(revokedAt)",
                values={":at": when.isoformat(), ":org": org_id},
            )
        except ConditionFailed:
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
