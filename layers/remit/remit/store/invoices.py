from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from remit.domain.events import Event
from remit.domain.invoice import Invoice, Payment
from remit.domain.lifecycle import ReportedStatus
from remit.domain.organization import Organization
from remit.domain.payment_attempt import PaymentAttempt
from remit.store import due, keys
from remit.store.codec import dump, load
from remit.store.errors import AlreadyExists, NumberTaken, SequenceMoved, StaleWrite
from remit.store.events import event_put
from remit.store.organizations import OrganizationRepo
from remit.store.table import Item, Table, cursor_at, delete_op, put_op
from remit.store.transactions import Op, transact

# A filtered list reads at most this many pages before answering with what it has and a
# cursor, so one request's cost stays bounded however sparse the matches are.
MAX_PAGES_PER_LIST = 10
# The DueIndex kind of drafts that finalize by themselves.
FINALIZE = "finalize"
# The DueIndex kind of issued invoices with a charge due: AutoPay's first charge, a
# retry, or an open attempt to reconcile (a lapsed claim, a bank debit to poll).
AUTOPAY = "autopay"
FILTERED_PAGE_SIZE = 100


class InvoiceRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    # -- items -----------------------------------------------------------------------

    @staticmethod
    def head_item(invoice: Invoice) -> Item:
        org, inv = invoice.organization_id, invoice.id
        scheduled: dict[str, str] = {}
        if invoice.status == "draft" and invoice.auto_finalize_at is not None:
            # Drafts due at the same moment finalize in the order of the periods they
            # bill, so a subscription's invoices are numbered in period order.
            order = due.stamp(invoice.period_start) if invoice.period_start else ""
            scheduled = due.keys(
                FINALIZE, inv, invoice.auto_finalize_at, order, group=invoice.subscription_id
            )
        elif invoice.open_attempt is not None and invoice.check_attempt_at is not None:
            scheduled = due.keys(AUTOPAY, inv, invoice.check_attempt_at)
        elif invoice.status == "issued" and invoice.next_charge_at is not None:
            scheduled = due.keys(AUTOPAY, inv, invoice.next_charge_at)
        return dump(
            invoice,
            "invoice",
            **keys.invoice(org, inv),
            gsi1pk=keys.org_invoices(org),
            gsi1sk=f"INV#{inv}",
            gsi2pk=keys.account_invoices(org, invoice.account_id),
            gsi2sk=f"INV#{inv}",
            **scheduled,
        )

    def _head_put(self, invoice: Invoice, expected_version: int | None) -> dict[str, Any]:
        item = self.head_item(invoice)
        if expected_version is None:
            return put_op(item, "attribute_not_exists(pk)")
        return put_op(item, "version = :v", values={":v": expected_version})

    def _commit(
        self, head: dict[str, Any], events: Sequence[Event], others: Sequence[dict[str, Any]] = ()
    ) -> None:
        """Write the invoice head (and ``others``) with their events in one transaction;
        the head's condition failing means someone else changed it first."""
        transact(self.table, [Op(head, StaleWrite), *others, *(event_put(e) for e in events)])

    # -- reads -----------------------------------------------------------------------

    def get(self, org_id: str, invoice_id: str) -> Invoice | None:
        return load(Invoice, self.table.get(keys.invoice(org_id, invoice_id)))

    def get_with_organization(
        self, org_id: str, invoice_id: str
    ) -> tuple[Invoice | None, Organization | None]:
        invoice, org = self.table.get_many([keys.invoice(org_id, invoice_id), keys.organization(org_id)])
        return load(Invoice, invoice), load(Organization, org)

    def get_detail(
        self, org_id: str, invoice_id: str
    ) -> tuple[Invoice, list[Payment], list[PaymentAttempt]] | None:
        """The invoice, its payments and its payment attempts in one Query (they share a
        partition, under one sort-key prefix)."""
        page = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": keys.invoice_collection(org_id, invoice_id),
                ":prefix": keys.INVOICE_DETAIL_PREFIX,
            },
        )
        head = next((i for i in page.items if i["sk"] == keys.INVOICE_SK), None)
        if head is None:
            return None
        payments = [Payment.model_validate(i) for i in page.items if i.get("entity") == "payment"]
        attempts = [
            PaymentAttempt.model_validate(i) for i in page.items if i.get("entity") == "payment_attempt"
        ]
        return Invoice.model_validate(head), payments, attempts

    def list(
        self,
        org_id: str,
        *,
        account_id: str | None,
        statuses: Sequence[ReportedStatus],
        today: date,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Invoice], str | None]:
        """Newest first, from GSI1 (organization) or GSI2 (one account), with the cursor
        for the next page. A status filter is a FilterExpression on that query: ``issued``
        and ``past_due`` differ only by the due date, which is how reads never report an
        overdue invoice as issued."""
        if account_id:
            index, pk_name, sk_name, pk = (
                "GSI2",
                "gsi2pk",
                "gsi2sk",
                keys.account_invoices(org_id, account_id),
            )
        else:
            index, pk_name, sk_name, pk = "GSI1", "gsi1pk", "gsi1sk", keys.org_invoices(org_id)
        start: dict[str, Any] | None = None
        if cursor:
            start = {**keys.invoice(org_id, cursor), pk_name: pk, sk_name: f"INV#{cursor}"}
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{pk_name} = :pk AND begins_with({sk_name}, :inv)",
            "ExpressionAttributeValues": {":pk": pk, ":inv": "INV#"},
            "ScanIndexForward": False,
        }
        if statuses:
            query["FilterExpression"], names, values = _status_filter(statuses, today)
            query["ExpressionAttributeNames"] = names
            query["ExpressionAttributeValues"] |= values
        # One more than asked tells whether another page exists without an empty last page.
        page_size = max(limit + 1, FILTERED_PAGE_SIZE) if statuses else limit + 1

        collected: list[Item] = []
        for _ in range(MAX_PAGES_PER_LIST):
            page = self.table.query(limit=page_size, start=start, **query)
            collected += page.items
            start = page.last_key
            if len(collected) > limit or start is None:
                break
        if len(collected) > limit:
            last = collected[limit - 1]
            start = {k: last[k] for k in ("pk", "sk", pk_name, sk_name)}
        return [Invoice.model_validate(i) for i in collected[:limit]], cursor_at(start, sk_name, "INV#")

    # -- writes ----------------------------------------------------------------------

    def create(self, invoice: Invoice, events: Sequence[Event]) -> None:
        try:
            self._commit(self._head_put(invoice, None), events)
        except StaleWrite as exc:
            raise AlreadyExists(invoice.id) from exc

    def save(self, invoice: Invoice, expected_version: int, events: Sequence[Event] = ()) -> None:
        self._commit(self._head_put(invoice, expected_version), events)

    def delete_draft(self, invoice: Invoice, events: Sequence[Event]) -> None:
        self._commit(
            delete_op(
                keys.invoice(invoice.organization_id, invoice.id),
                "version = :v AND #s = :draft",
                names={"#s": "status"},
                values={":v": invoice.version, ":draft": "draft"},
            ),
            events,
        )

    def finalize(
        self,
        before: Invoice,
        after: Invoice,
        scope: str,
        previous_sequence: int,
        sequence: int,
        events: Sequence[Event],
        extra: Sequence[dict[str, Any]] = (),
    ) -> None:
        """One transaction: the invoice moves on, the scope's counter advances, the number
        is claimed, the events (and ``extra``: the collection wake-up) are written. Any of
        them failing writes none of them."""
        assert after.invoice_number is not None
        org_id = after.organization_id
        number_claim = {
            **keys.invoice_number(org_id, after.invoice_number),
            "entity": "invoice_number",
            "invoiceId": after.id,
        }
        ops: list[Op | dict[str, Any]] = [
            Op(self._head_put(after, before.version), StaleWrite(after.id)),
            Op(
                OrganizationRepo.sequence_op(org_id, scope, previous_sequence, sequence),
                SequenceMoved(scope),
            ),
            Op(put_op(number_claim, "attribute_not_exists(pk)"), NumberTaken(after.invoice_number)),
            *extra,
            *(event_put(e) for e in events),
        ]
        transact(self.table, ops, on_conflict=StaleWrite(after.id))

    def add_payment(self, before: Invoice, after: Invoice, payment: Payment, events: Sequence[Event]) -> None:
        payment_item = dump(payment, "payment", **keys.payment(after.organization_id, after.id, payment.id))
        self._commit(
            self._head_put(after, before.version), events, [put_op(payment_item, "attribute_not_exists(pk)")]
        )


def _status_filter(
    statuses: Sequence[ReportedStatus], today: date
) -> tuple[str, dict[str, str], dict[str, Any]]:
    names = {"#s": "status"}
    values: dict[str, Any] = {}
    clauses = []
    for i, status in enumerate(dict.fromkeys(statuses)):
        if status in ("issued", "past_due"):
            names["#due"] = "dueDate"
            values[":issued"] = "issued"
            values[":today"] = today.isoformat()
            clauses.append(
                "(#s = :issued AND #due >= :today)"
                if status == "issued"
                else "(#s = :issued AND #due < :today)"
            )
        else:
            values[f":s{i}"] = status
            clauses.append(f"#s = :s{i}")
    return " OR ".join(clauses), names, values
