"""Credit notes (issue 18; docs/credit-notes.md): issue one against an invoice, preview
it, list, read, void. The arithmetic is domain/credit_note.py; the atomicity (the note,
the invoice's counters, the number and the events in one transaction) store/credit_notes.py."""

from __future__ import annotations

from remit.domain.credit_note import (
    CREDITABLE_STATUSES,
    CreditNote,
    check_within_total,
    credit_lines,
    settle,
)
from remit.domain.invoice import Invoice
from remit.domain.numbering import NumberFormat
from remit.domain.organization import Organization
from remit.errors import InvalidTransition, NotFound, ValidationFailed
from remit.ids import new_id
from remit.money import parse_amount
from remit.schemas.credit_note import CreditNoteCreate, CreditNoteOut, CreditNotePage
from remit.services.context import Context
from remit.services.events import invoice_data, make_events
from remit.services.retry import optimistic
from remit.store import keys
from remit.store.errors import NumberTaken, SequenceMoved, StaleWrite

CREDIT_NOTE_FIELDS = ("creditNotePrefix", "creditNoteNumberFormat")


class CreditNoteService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    # -- reads -----------------------------------------------------------------------

    def get(self, org_id: str, note_id: str) -> CreditNoteOut:
        return CreditNoteOut.of(self._note(org_id, note_id))

    def list(
        self, org_id: str, *, invoice_id: str | None, account_id: str | None, limit: int, cursor: str | None
    ) -> CreditNotePage:
        notes, next_cursor = self.store.credit_notes.list(
            org_id, invoice_id=invoice_id, account_id=account_id, limit=limit, cursor=cursor
        )
        return CreditNotePage(data=[CreditNoteOut.of(n) for n in notes], next_cursor=next_cursor)

    def _note(self, org_id: str, note_id: str) -> CreditNote:
        note = self.store.credit_notes.get(org_id, note_id)
        if note is None:
            raise NotFound(f"no credit note {note_id}", field="id")
        return note

    # -- issuing ---------------------------------------------------------------------

    def preview(self, org_id: str, invoice_id: str, body: CreditNoteCreate) -> CreditNoteOut:
        invoice, _ = self._invoice(org_id, invoice_id)
        note = self._compute(invoice, body, number="")
        return CreditNoteOut.of(note).model_copy(update={"number": None})

    def issue(self, org_id: str, invoice_id: str, body: CreditNoteCreate) -> CreditNoteOut:
        """Compute against the invoice as read, then write it all conditioned on that
        read (the invoice's version): a concurrent note, payment or void sends us round
        again, and the re-computation refuses whatever would now exceed the total."""
        taken: dict[tuple[str, int], int] = {}
        note_id = new_id("cn", self.clock)

        def attempt(_: int) -> CreditNote:
            invoice, org = self._invoice(org_id, invoice_id)
            now = self.clock.now()
            settings = org.invoice_settings
            fmt = NumberFormat.parse(
                settings.credit_note_prefix, settings.credit_note_number_format, CREDIT_NOTE_FIELDS
            )
            scope = keys.CREDIT_NOTE_SCOPE_PREFIX + fmt.scope(now.date())
            previous = org.sequences.get(scope, 0)
            sequence = previous + 1 + taken.get((scope, previous), 0)
            note = self._compute(invoice, body, number=fmt.number(now.date(), sequence), note_id=note_id)
            after = invoice.credited(note.id, note.total, note.against_due, now)
            events = make_events(note, [("credit_note.issued", _data(note))], now, self.clock)
            if after.status == "paid" and invoice.status != "paid":
                # Paid by credit: subscribers that act on payment hear of it as of any other.
                events += make_events(after, [("invoice.paid", invoice_data(after, now))], now, self.clock)
            try:
                self.store.credit_notes.issue(invoice, after, note, scope, previous, sequence, events)
            except SequenceMoved as exc:
                raise StaleWrite(scope) from exc
            except NumberTaken as exc:
                taken[(scope, previous)] = taken.get((scope, previous), 0) + 1
                raise StaleWrite(scope) from exc
            return note

        return CreditNoteOut.of(optimistic(attempt, what="the invoice"))

    def _invoice(self, org_id: str, invoice_id: str) -> tuple[Invoice, Organization]:
        invoice, org = self.store.invoices.get_with_organization(org_id, invoice_id)
        if invoice is None or org is None:
            raise NotFound(f"no invoice {invoice_id}", field="invoiceId")
        status = invoice.reported_status(self.clock.now().date())
        if status not in CREDITABLE_STATUSES:
            raise InvalidTransition(
                f"a {status} invoice cannot be credited; only {', '.join(CREDITABLE_STATUSES)} ones",
                field="status",
            )
        return invoice, org

    def _compute(
        self, invoice: Invoice, body: CreditNoteCreate, *, number: str, note_id: str = ""
    ) -> CreditNote:
        cur = invoice.currency
        refund = parse_amount(body.refund_amount, cur, "refundAmount")
        credit = parse_amount(body.credit_amount, cur, "creditAmount")
        out_of_band = parse_amount(body.out_of_band_amount, cur, "outOfBandAmount")
        # Honest refusals until refunds (gateway) and customer balances exist: accepting
        # either would record money as moved that never moved.
        if refund:
            raise ValidationFailed(
                "refunds through the gateway are not yet supported; use outOfBandAmount", field="refundAmount"
            )
        if credit:
            raise ValidationFailed(
                "customer balances are not yet supported; use outOfBandAmount", field="creditAmount"
            )
        amounts = credit_lines(
            [line.to_domain(cur, i) for i, line in enumerate(body.lines)],
            invoice.line_items,
            invoice.discount_total,
        )
        check_within_total(amounts.total, invoice.total, invoice.amount_credited)
        settlement = settle(amounts.total, invoice.amount_due, refund, credit, out_of_band)
        return CreditNote(
            id=note_id or new_id("cn", self.clock),
            organization_id=invoice.organization_id,
            invoice_id=invoice.id,
            account_id=invoice.account_id,
            number=number,
            currency=cur,
            reason=body.reason,
            memo=body.memo,
            lines=amounts.lines,
            tax_breakdown=amounts.tax_breakdown,
            subtotal=amounts.subtotal,
            tax_total=amounts.tax_total,
            total=amounts.total,
            against_due=settlement.against_due,
            refund_amount=settlement.refund_amount,
            credit_amount=settlement.credit_amount,
            out_of_band_amount=settlement.out_of_band_amount,
            invoice_status_before=invoice.status,
            created_at=self.clock.now(),
        )

    # -- voiding ---------------------------------------------------------------------

    def void(self, org_id: str, note_id: str) -> CreditNoteOut:
        """Restore what the note reduced, in one transaction with the invoice at the
        version read."""

        def attempt(_: int) -> CreditNote:
            note = self._note(org_id, note_id)
            now = self.clock.now()
            voided = note.voided(now)
            invoice = self.store.invoices.get(org_id, note.invoice_id)
            if invoice is None:
                raise NotFound(f"no invoice {note.invoice_id}", field="invoiceId")
            if invoice.status == "void":
                raise InvalidTransition(
                    "the invoice is void; its credit notes stay as they are", field="status"
                )
            after = invoice.credit_voided(note.total, note.against_due, note.invoice_status_before, now)
            events = make_events(voided, [("credit_note.voided", _data(voided))], now, self.clock)
            self.store.credit_notes.void(invoice, after, note, voided, events)
            return voided

        return CreditNoteOut.of(optimistic(attempt, what="the credit note"))


def _data(note: CreditNote) -> dict[str, object]:
    return CreditNoteOut.of(note).model_dump(mode="json", by_alias=True)
