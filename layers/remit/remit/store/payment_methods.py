"""An account's saved payment methods. A card that will expire carries DueIndex keys
(kind ``pm_expiring``, at expiry minus 30 days) until its warning has been written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remit.domain.account import Account
from remit.domain.events import Event
from remit.domain.payment_method import PaymentMethod
from remit.store import due, keys
from remit.store.accounts import AccountRepo
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.events import event_put
from remit.store.table import Item, Table, delete_op, put_op
from remit.store.transactions import transact

EXPIRING = "pm_expiring"


class PaymentMethodRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def item(method: PaymentMethod) -> Item:
        warn = method.expiry_warning_at()
        scheduled = due.keys(EXPIRING, method.id, warn) if warn is not None else {}
        return dump(
            method,
            "payment_method",
            **keys.payment_method(method.organization_id, method.account_id, method.id),
            **scheduled,
        )

    def get(self, org_id: str, account_id: str, method_id: str) -> PaymentMethod | None:
        return load(PaymentMethod, self.table.get(keys.payment_method(org_id, account_id, method_id)))

    def for_account(self, org_id: str, account_id: str) -> list[PaymentMethod]:
        # An account holds a handful of methods; one page is all of them.
        page = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": keys.organization(org_id)["pk"],
                ":prefix": f"{keys.PAYMENT_METHOD_PREFIX}{account_id}#",
            },
        )
        return [PaymentMethod.model_validate(i) for i in page.items]

    def _account_put(self, before: Account, after: Account) -> dict[str, Any]:
        return put_op(AccountRepo.item(after), "version = :v", values={":v": before.version})

    def _transact(self, ops: list[dict[str, Any]]) -> None:
        # Every condition here is "as read": any of them failing means re-read.
        transact(self.table, ops, otherwise=StaleWrite)

    def add(
        self, method: PaymentMethod, account: tuple[Account, Account] | None, events: Sequence[Event]
    ) -> None:
        """The method, and the account's change (a new default) if there is one, together."""
        ops = [put_op(self.item(method), "attribute_not_exists(pk)")]
        if account is not None:
            ops.append(self._account_put(*account))
        self._transact([*ops, *(event_put(e) for e in events)])

    def remove(
        self, method: PaymentMethod, account: tuple[Account, Account] | None, events: Sequence[Event]
    ) -> None:
        ops = [
            delete_op(
                keys.payment_method(method.organization_id, method.account_id, method.id),
                "attribute_exists(pk)",
            )
        ]
        if account is not None:
            ops.append(self._account_put(*account))
        self._transact([*ops, *(event_put(e) for e in events)])

    def mark_expiry_notified(
        self, before: PaymentMethod, after: PaymentMethod, events: Sequence[Event]
    ) -> None:
        """Once: the condition on the version means a second worker's write fails."""
        self._transact(
            [
                put_op(self.item(after), "version = :v", values={":v": before.version}),
                *(event_put(e) for e in events),
            ]
        )
