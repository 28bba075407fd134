from __future__ import annotations

from remit.clock import Clock, SystemClock
from remit.domain.api_key import ApiKey, parse_token, verify
from remit.store.api_keys import ApiKeyRepo


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
