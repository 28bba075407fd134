"""Payment attempts: claimed and settled, each in one transaction with the invoice head.

The claim's condition is the invoice's version, so of any number of concurrent claimers
exactly one writes attempt N (and the head now says attempt N is open, which stops the
others from claiming N+1). The settlement's condition is the head's version too, and the
attempt item must still be open, so an attempt is settled once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remit.domain.events import Event
from remit.domain.invoice import Invoice, Payment
from remit.domain.payment_attempt import PaymentAttempt
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.events import event_put
from remit.store.invoices import InvoiceRepo
from remit.store.table import Table, put_op
from remit.store.transactions import transact


class PaymentRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def attempt_item(attempt: PaymentAttempt, org_id: str) -> dict[str, Any]:
        return dump(
            attempt, "payment_attempt", **keys.payment_attempt(org_id, attempt.invoice_id, attempt.number)
        )

    def get_attempt(self, org_id: str, invoice_id: str, number: int) -> PaymentAttempt | None:
        return load(PaymentAttempt, self.table.get(keys.payment_attempt(org_id, invoice_id, number)))

    def _head_put(self, before: Invoice, after: Invoice) -> dict[str, Any]:
        return put_op(InvoiceRepo.head_item(after), "version = :v", values={":v": before.version})

    def _transact(self, ops: list[dict[str, Any]]) -> None:
        # Every condition here is "as read": any of them failing means re-read.
        transact(self.table, ops, otherwise=StaleWrite)

    def claim(self, before: Invoice, after: Invoice, attempt: PaymentAttempt) -> None:
        org = after.organization_id
        self._transact(
            [
                self._head_put(before, after),
                put_op(self.attempt_item(attempt, org), "attribute_not_exists(pk)"),
            ]
        )

    def settle(
        self,
        before: Invoice,
        after: Invoice,
        attempt: PaymentAttempt,
        payment: Payment | None,
        events: Sequence[Event],
    ) -> None:
        """The attempt's outcome, the invoice's new state, the payment (if money came in)
        and the events, all or nothing. ``processing`` and ``requires_action`` (3-D Secure)
        keep the attempt open."""
        org = after.organization_id
        ops = [
            self._head_put(before, after),
            put_op(
                self.attempt_item(attempt, org),
                "#s IN (:pending, :processing, :action)",
                names={"#s": "status"},
                values={":pending": "pending", ":processing": "processing", ":action": "requires_action"},
            ),
        ]
        if payment is not None:
            payment_item = dump(payment, "payment", **keys.payment(org, after.id, payment.id))
            ops.append(put_op(payment_item, "attribute_not_exists(pk)"))
        self._transact([*ops, *(event_put(e) for e in events)])

    def reschedule(self, before: Invoice, after: Invoice, events: Sequence[Event] = ()) -> None:
        """An invoice-only change of the collection schedule (nothing to charge after all)."""
        self._transact([self._head_put(before, after), *(event_put(e) for e in events)])
