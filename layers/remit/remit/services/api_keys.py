"""API keys managed through the API: create (the token shown once), list (never the
secret), revoke (effective on the next request: the authorizer caches nothing)."""

from __future__ import annotations

from remit.domain.api_key import issue
from remit.errors import Conflict, NotFound
from remit.schemas.api_key import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, ApiKeyPage
from remit.services.context import Context
from remit.services.retry import optimistic
from remit.store.api_keys import MAX_KEYS, LastFullKey

LAST_FULL_KEY = "this is the organization's last full-access key; create another first"


class ApiKeyService:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def create(self, org_id: str, body: ApiKeyCreate) -> ApiKeyCreated:
        if len(self.store.api_keys.of_organization(org_id)) >= MAX_KEYS:
            raise Conflict(f"an organization has at most {MAX_KEYS} API keys; revoke unused ones")
        key, token = issue(org_id, body.name, body.scope, self.clock.now())
        # A retry writes the same new key: it was not written, the count moved under it.
        optimistic(lambda _: self.store.api_keys.create(key), what="the organization's API keys")
        return ApiKeyCreated(**ApiKeyOut.of(key).model_dump(), token=token)

    def list(self, org_id: str) -> ApiKeyPage:
        return ApiKeyPage(
            data=[ApiKeyOut.of(k) for k in self.store.api_keys.of_organization(org_id)], next_cursor=None
        )

    def revoke(self, org_id: str, key_id: str) -> None:
        def attempt(_: int) -> None:
            keys = self.store.api_keys.of_organization(org_id)
            key = next((k for k in keys if k.id == key_id), None)
            if key is None:
                raise NotFound(f"no API key {key_id}", field="id")
            if key.revoked_at is not None:
                return  # revoking twice is revoking once
            others = [k for k in keys if k.id != key_id and k.revoked_at is None and k.scope == "full"]
            if key.scope == "full" and not others:
                # Without a full-access key the organization could not make another one.
                raise Conflict(LAST_FULL_KEY)
            # The list above may be stale, or a concurrent revocation may have read the same
            # one: the rule holds by the count's condition in the store, not by this read.
            try:
                self.store.api_keys.revoke(org_id, key_id, self.clock.now(), scope=key.scope)
            except LastFullKey as exc:
                raise Conflict(LAST_FULL_KEY) from exc

        optimistic(attempt, what="the organization's API keys")
