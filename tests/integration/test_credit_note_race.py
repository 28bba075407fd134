"""Credit notes racing on one invoice (issue 18): the sum of an invoice's credit notes
never exceeds its total, because each note is written in one transaction with the invoice
head conditioned on the version it was computed from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from remit.errors import RemitError
from remit.schemas.account import AccountCreate
from remit.schemas.credit_note import CreditLineIn, CreditNoteCreate
from remit.schemas.invoice import InvoiceCreate, LineItemIn
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.credit_notes import CreditNoteService
from remit.services.invoices import InvoiceService
from remit.store import keys
from tests.integration.test_concurrency import race


def test_ten_concurrent_credit_notes_of_60_on_119_leave_one(
    ctx: Context, new_org: Callable[[str], str]
) -> None:
    org = new_org("Credits")
    account = AccountService(ctx).create(org, AccountCreate(name="Customer")).id
    line = LineItemIn(description="Work", unit_amount="100.00", tax_rate=Decimal(19))
    inv = InvoiceService(ctx).create_draft(org, InvoiceCreate(account_id=account, line_items=[line])).id
    issued = InvoiceService(ctx).finalize(org, inv)
    assert issued.total == "119.00"
    body = CreditNoteCreate(lines=[CreditLineIn(description="Credit", amount="60.00")])

    results = race(10, lambda _: CreditNoteService(ctx).issue(org, inv, body))

    kinds = Counter(type(r).__name__ for r in results)
    assert kinds["CreditNoteOut"] == 1, results
    assert all(isinstance(r, RemitError) for r in results if type(r).__name__ != "CreditNoteOut")
    after = InvoiceService(ctx).get(org, inv)
    assert (after.amount_credited, after.amount_due, len(after.credit_note_ids)) == ("60.00", "59.00", 1)
    # One number used, one claimed: the losers wrote nothing.
    stored = ctx.store.organizations.get(org)
    assert stored is not None
    assert stored.sequences.get("creditnote:CN-2026-*") == 1
    [winner] = [r for r in results if type(r).__name__ == "CreditNoteOut"]
    assert ctx.store.table.get(keys.credit_note_number(org, winner.number)) is not None  # type: ignore[union-attr]
