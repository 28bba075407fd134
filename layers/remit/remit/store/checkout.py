from __future__ import annotations

from collections.abc import Sequence

from remit.domain.checkout import CheckoutSession
from remit.domain.events import Event
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.events import event_put
from remit.store.table import ConditionFailed, Table, put_op
from remit.store.transactions import transact


class CheckoutRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(session: CheckoutSession) -> dict[str, object]:
        # ``ttl``: DynamoDB deletes the session a week after it expired.
        ttl = int(session.expires_at.timestamp()) + 7 * 24 * 3600
        return dump(
            session, "checkout_session", **keys.checkout_session(session.organization_id, session.id), ttl=ttl
        )

    def create(self, session: CheckoutSession) -> None:
        self.table.put(self._item(session), "attribute_not_exists(pk)")

    def get(self, org_id: str, session_id: str) -> CheckoutSession | None:
        return load(CheckoutSession, self.table.get(keys.checkout_session(org_id, session_id)))

    def complete(self, before: CheckoutSession, after: CheckoutSession, events: Sequence[Event]) -> None:
        """Once: the condition on the version and the open status."""
        op = put_op(
            self._item(after),
            "version = :v AND #s = :open",
            names={"#s": "status"},
            values={":v": before.version, ":open": "open"},
        )
        stale = StaleWrite(after.id)
        transact(self.table, [op, *(event_put(e) for e in events)], otherwise=stale, on_conflict=stale)

    def claim(self, before: CheckoutSession, after: CheckoutSession) -> None:
        """Record the account and invoice a checkout without an account will create,
        before creating them: once per session (the version, the open status, no account
        yet), so of two posts one claims and the other reuses its ids."""
        try:
            self.table.put(
                self._item(after),
                "version = :v AND #s = :open AND attribute_not_exists(accountId)",
                names={"#s": "status"},
                values={":v": before.version, ":open": "open"},
            )
        except ConditionFailed as exc:
            raise StaleWrite(after.id) from exc
