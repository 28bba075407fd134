"""Credit notes (docs/credit-notes.md). Every write is one transaction with the invoice
head, conditioned on the invoice's version: the invoice's ``amountCredited`` moves in the
same transaction as the note, so two notes racing on one invoice cannot both be written
and the sum of its notes never exceeds its total."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remit.domain.credit_note import CreditNote
from remit.domain.events import Event
from remit.domain.invoice import Invoice
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import NumberTaken, SequenceMoved, StaleWrite
from remit.store.events import event_put
from remit.store.invoices import InvoiceRepo
from remit.store.organizations import OrganizationRepo
from remit.store.table import Item, Table, cursor_at, put_op
from remit.store.transactions import Op, transact

CN = "CN#"


class CreditNoteRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def item(note: CreditNote) -> Item:
        org = note.organization_id
        return dump(
            note,
            "credit_note",
            **keys.credit_note(org, note.id),
            gsi1pk=keys.invoice_credit_notes(org, note.invoice_id),
            gsi1sk=f"{CN}{note.id}",
            gsi2pk=keys.account_invoices(org, note.account_id),
            gsi2sk=f"{CN}{note.id}",
        )

    def _invoice_put(self, before: Invoice, after: Invoice) -> Op:
        item = InvoiceRepo.head_item(after)
        return Op(put_op(item, "version = :v", values={":v": before.version}), StaleWrite(after.id))

    # -- reads -----------------------------------------------------------------------

    def get(self, org_id: str, note_id: str) -> CreditNote | None:
        return load(CreditNote, self.table.get(keys.credit_note(org_id, note_id)))

    def list(
        self,
        org_id: str,
        *,
        invoice_id: str | None,
        account_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[CreditNote], str | None]:
        """Newest first (ids are ULIDs): one invoice's from GSI1, one account's from GSI2,
        else the organization's from the table itself. Both filters: the invoice's, then
        the account checked on each (an invoice has one account)."""
        if invoice_id:
            index, pk_name, sk_name = "GSI1", "gsi1pk", "gsi1sk"
            pk, prefix = keys.invoice_credit_notes(org_id, invoice_id), CN
        elif account_id:
            index, pk_name, sk_name = "GSI2", "gsi2pk", "gsi2sk"
            pk, prefix = keys.account_invoices(org_id, account_id), CN
        else:
            index, pk_name, sk_name = None, "pk", "sk"
            pk, prefix = f"ORG#{org_id}", keys.CREDIT_NOTE_PREFIX
        query: dict[str, Any] = {
            "KeyConditionExpression": f"{pk_name} = :pk AND begins_with({sk_name}, :p)",
            "ExpressionAttributeValues": {":pk": pk, ":p": prefix},
            "ScanIndexForward": False,
        }
        if index:
            query["IndexName"] = index
        start: dict[str, Any] | None = None
        if cursor:
            start = {**keys.credit_note(org_id, cursor), pk_name: pk, sk_name: f"{prefix}{cursor}"}
        page = self.table.query(limit=limit + 1, start=start, **query)
        notes = [CreditNote.model_validate(i) for i in page.items]
        if invoice_id and account_id:
            notes = [n for n in notes if n.account_id == account_id]
        more = len(page.items) > limit or page.last_key is not None
        shown = notes[:limit]
        next_cursor = None
        if more and len(page.items) > limit:
            last = page.items[limit - 1]
            next_cursor = cursor_at({sk_name: last[sk_name]}, sk_name, prefix)
        return shown, next_cursor

    # -- writes ----------------------------------------------------------------------

    def issue(
        self,
        before: Invoice,
        after: Invoice,
        note: CreditNote,
        scope: str,
        previous_sequence: int,
        sequence: int,
        events: Sequence[Event],
    ) -> None:
        """One transaction: the invoice (at the version read) takes the credit, the note is
        written, its number claimed and the credit-note counter advanced, with the events.
        Any of them failing writes none of them."""
        org_id = note.organization_id
        claim = {
            **keys.credit_note_number(org_id, note.number),
            "entity": "credit_note_number",
            "creditNoteId": note.id,
        }
        transact(
            self.table,
            [
                self._invoice_put(before, after),
                Op(put_op(self.item(note), "attribute_not_exists(pk)"), StaleWrite(note.id)),
                Op(
                    OrganizationRepo.sequence_op(org_id, scope, previous_sequence, sequence),
                    SequenceMoved(scope),
                ),
                Op(put_op(claim, "attribute_not_exists(pk)"), NumberTaken(note.number)),
                *(event_put(e) for e in events),
            ],
            on_conflict=StaleWrite(after.id),
        )

    def void(
        self,
        before: Invoice,
        after: Invoice,
        note_before: CreditNote,
        note: CreditNote,
        events: Sequence[Event],
    ) -> None:
        """The note and the invoice it restores, both at the versions read."""
        transact(
            self.table,
            [
                self._invoice_put(before, after),
                Op(
                    put_op(self.item(note), "version = :v", values={":v": note_before.version}),
                    StaleWrite(note.id),
                ),
                *(event_put(e) for e in events),
            ],
            on_conflict=StaleWrite(after.id),
        )
