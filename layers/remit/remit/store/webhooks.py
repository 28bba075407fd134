from __future__ import annotations

from remit.domain.webhook import WebhookEndpoint
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.table import ConditionFailed, Table

# An organization has few endpoints; listing them all is one query.
MAX_ENDPOINTS = 20


class WebhookRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, endpoint: WebhookEndpoint) -> None:
        item = dump(endpoint, "webhook_endpoint", **keys.webhook(endpoint.organization_id, endpoint.id))
        self.table.put(item, "attribute_not_exists(pk)")

    def get(self, org_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        return load(WebhookEndpoint, self.table.get(keys.webhook(org_id, endpoint_id)))

    def list(self, org_id: str) -> list[WebhookEndpoint]:
        partition = keys.organization(org_id)["pk"]
        page = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": partition, ":prefix": keys.WEBHOOK_PREFIX},
            limit=MAX_ENDPOINTS + 1,
        )
        return [WebhookEndpoint.model_validate(i) for i in page.items]

    def delete(self, org_id: str, endpoint_id: str) -> bool:
        """False if it was already gone (a repeated DELETE)."""
        try:
            self.table.delete(keys.webhook(org_id, endpoint_id), "attribute_exists(pk)")
        except ConditionFailed:
            return False
        return True
