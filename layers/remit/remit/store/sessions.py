"""Dashboard sessions ended by signing out. The session is a Cognito ID token that stays
valid until it expires; a sign-out records its id here so a copy of the cookie is refused."""

from __future__ import annotations

from remit.store import keys
from remit.store.errors import AlreadyExists
from remit.store.table import ConditionFailed, Table

# DynamoDB's TTL deletes the record a day after the token expired (nothing checks it then).
KEEP_SECONDS = 24 * 3600


class SignedOutSessions:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, org_id: str, session_id: str, expires_at: int) -> None:
        """AlreadyExists when the session was signed out before."""
        item = {
            **keys.signed_out_session(org_id, session_id),
            "entity": "signed_out_session",
            "expiresAt": expires_at,
            "ttl": expires_at + KEEP_SECONDS,
        }
        try:
            self.table.put(item, "attribute_not_exists(pk)")
        except ConditionFailed as exc:
            raise AlreadyExists(session_id) from exc

    def contains(self, org_id: str, session_id: str) -> bool:
        return self.table.get(keys.signed_out_session(org_id, session_id)) is not None
