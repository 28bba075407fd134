"""API keys. The secret is 256 random bits, shown once; only a salted SHA-256 of it is
stored. A slow KDF buys nothing for a secret with full entropy, and the authorizer runs
on every request. Comparison is constant-time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Literal

from ulid import ULID

from remit.domain.base import DomainModel

Scope = Literal["full", "read_only"]
TOKEN_PREFIX = "rk_"  # noqa: S105 - a format marker, not a secret
LAST_USE_GRANULARITY = timedelta(minutes=1)


class ApiKey(DomainModel):
    id: str
    organization_id: str
    name: str
    scope: Scope = "full"
    # What the owner sees in listings: enough to tell keys apart, useless to an attacker.
    display_prefix: str
    salt: str
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    # Recorded by the authorizer at most once a minute (LAST_USE_GRANULARITY): enough to
    # tell a key in use from a forgotten one, without a write on every request.
    last_used_at: datetime | None = None


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def issue(organization_id: str, name: str, scope: Scope, now: datetime) -> tuple[ApiKey, str]:
    """A new key and its token ``rk_<keyid>_<secret>``; the token is never stored."""
    ulid = str(ULID.from_datetime(now)).lower()
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    key = ApiKey(
        id=f"key_{ulid}",
        organization_id=organization_id,
        name=name,
        scope=scope,
        display_prefix=f"{TOKEN_PREFIX}{ulid[-8:]}",
        salt=salt,
        secret_hash=_digest(salt, secret),
        created_at=now,
    )
    return key, f"{TOKEN_PREFIX}{ulid}_{secret}"


def parse_token(token: str) -> tuple[str, str] | None:
    """(key id, secret) from a token, or None when it is not shaped like one of ours."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    parts = token[len(TOKEN_PREFIX) :].split("_", 1)
    if len(parts) != 2 or len(parts[0]) != 26 or not parts[0].isalnum() or not parts[1]:
        return None
    return f"key_{parts[0]}", parts[1]


def verify(key: ApiKey, secret: str) -> bool:
    return key.revoked_at is None and hmac.compare_digest(_digest(key.salt, secret), key.secret_hash)
