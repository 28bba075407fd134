from __future__ import annotations

from typing import Any

from remit.domain.api_key import ApiKey
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.table import Table, put_op


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
