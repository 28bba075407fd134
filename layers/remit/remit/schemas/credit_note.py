"""Credit notes over the API (docs/credit-notes.md): amounts as decimal strings in the
invoice's currency, parsed to minor units by ``to_domain``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from remit.domain.credit_note import CreditLineRequest, CreditNote, CreditNoteStatus, Reason
from remit.money import canonical, format_amount, parse_amount
from remit.schemas.common import VISIBLE_TEXT_PATTERN, Amount, Page, Percent, RequestModel, ResponseModel
from remit.schemas.decimals import LineQuantity
from remit.schemas.invoice import TaxLineOut


class CreditLineIn(RequestModel):
    """Either part or all of an invoice line (``lineItemId`` and ``quantity``), credited at
    the price and tax it was charged at, or a free amount (``description``, ``amount`` and
    optionally ``taxRate``)."""

    line_item_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    quantity: LineQuantity | None = None
    description: (
        Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=VISIBLE_TEXT_PATTERN)] | None
    ) = None
    amount: Amount | None = Field(None, description="Net of tax, for a free line")
    tax_rate: Percent | None = None

    def to_domain(self, currency: str, index: int) -> CreditLineRequest:
        amount = (
            None if self.amount is None else parse_amount(self.amount, currency, f"lines[{index}].amount")
        )
        return CreditLineRequest(
            line_item_id=self.line_item_id,
            quantity=self.quantity,
            description=self.description,
            amount=amount,
            tax_rate=self.tax_rate,
        )


class CreditNoteCreate(RequestModel):
    lines: Annotated[list[CreditLineIn], Field(min_length=1, max_length=100)]
    reason: Reason | None = None
    memo: Annotated[str, StringConstraints(max_length=2000)] | None = None
    refund_amount: Amount = Field(
        "0", description="Money back through the gateway (not yet supported: must be 0)"
    )
    credit_amount: Amount = Field("0", description="To the customer's balance (not yet supported: must be 0)")
    out_of_band_amount: Amount = Field("0", description="Money returned outside Remit")


class CreditLineOut(ResponseModel):
    description: str
    amount: str
    tax_rate: str | None
    line_item_id: str | None
    quantity: str | None


class CreditNoteOut(ResponseModel):
    id: str
    number: str | None = Field(description="Null on a preview: numbers are assigned only when issued")
    status: CreditNoteStatus
    invoice_id: str
    account_id: str
    currency: str
    reason: Reason | None
    memo: str | None
    lines: list[CreditLineOut]
    subtotal: str
    tax_breakdown: list[TaxLineOut]
    tax_total: str
    total: str
    amount_against_due: str = Field(
        description="The part of the total that reduced what the invoice still owed"
    )
    refund_amount: str
    credit_amount: str
    out_of_band_amount: str
    created_at: str
    voided_at: str | None

    @classmethod
    def of(cls, note: CreditNote) -> CreditNoteOut:
        def money(minor: int) -> str:
            return format_amount(minor, note.currency)

        def stamp(at: object) -> str | None:
            return None if at is None else at.isoformat().replace("+00:00", "Z")  # type: ignore[attr-defined]

        return cls(
            id=note.id,
            number=note.number,
            status=note.status,
            invoice_id=note.invoice_id,
            account_id=note.account_id,
            currency=note.currency,
            reason=note.reason,
            memo=note.memo,
            lines=[
                CreditLineOut(
                    description=li.description,
                    amount=money(li.amount),
                    tax_rate=None if li.tax_rate is None else str(canonical(li.tax_rate)),
                    line_item_id=li.line_item_id,
                    quantity=None if li.quantity is None else str(canonical(li.quantity)),
                )
                for li in note.lines
            ],
            subtotal=money(note.subtotal),
            tax_breakdown=[
                TaxLineOut(
                    rate=str(canonical(t.rate)),
                    taxable_amount=money(t.taxable_amount),
                    tax_amount=money(t.tax_amount),
                )
                for t in note.tax_breakdown
            ],
            tax_total=money(note.tax_total),
            total=money(note.total),
            amount_against_due=money(note.against_due),
            refund_amount=money(note.refund_amount),
            credit_amount=money(note.credit_amount),
            out_of_band_amount=money(note.out_of_band_amount),
            created_at=stamp(note.created_at) or "",
            voided_at=stamp(note.voided_at),
        )


class CreditNotePage(Page[CreditNoteOut]):
    pass
