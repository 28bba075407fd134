from __future__ import annotations

from remit.clock import Clock, SystemClock
from remit.domain.api_key import ApiKey, parse_token, verify
from remit.store.api_keys import ApiKeyRepo

USAGE_KEY_PREFIX = "remit-usage-"


def usage_key(organization_id: str) -> str:
    """The value of the organization's API Gateway API key, which the authorizer returns
    as ``usageIdentifierKey`` so the usage plan throttles each organization on its own.

    Derived from the id rather than stored: with the API's key source AUTHORIZER no client
    ever sends this value, so it is no secret, and the authorizer needs no read beyond the
    API key record. API Gateway wants at least 20 characters; the prefix sees to that."""
    return f"{USAGE_KEY_PREFIX}{organization_id}"


class Authenticator:
    """Turns an ``Authorization: Bearer <key>`` header into the API key it names."""

    def __init__(self, keys: ApiKeyRepo, clock: Clock | None = None) -> None:
        self.keys = keys
        self.clock = clock or SystemClock()

    def authenticate(self, authorization: str | None) -> ApiKey | None:
        scheme, _, token = (authorization or "").partition(" ")
        parsed = parse_token(token.strip()) if scheme.lower() == "bearer" else None
        if parsed is None:
            return None
        key_id, secret = parsed
        key = self.keys.get(key_id)
        if key is None or not verify(key, secret):
            return None
        self.keys.touch(key, self.clock.now())
        return key
