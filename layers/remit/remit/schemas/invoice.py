from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from remit.domain.catalogue import Price
from remit.domain.invoice import Invoice, Payment
from remit.domain.lifecycle import ReportedStatus
from remit.domain.payment_attempt import PaymentAttempt
from remit.domain.terms import PaymentTerms
from remit.domain.totals import Discount, LineItem
from remit.money import amount_pattern, canonical, currencies_by_places, format_amount, parse_amount
from remit.schemas.common import (
    VISIBLE_TEXT_PATTERN,
    Amount,
    Currency,
    Page,
    PatchModel,
    Percent,
    RequestModel,
    ResponseModel,
    no_null_unless_clearable,
)
from remit.schemas.decimals import LineQuantity

Quantity = LineQuantity
ManualMethod = Literal["wire_transfer", "check", "ach", "sepa", "card", "cash", "other"]


# -- requests ---------------------------------------------------------------------------


def _exactly_one_kind(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    no_null_unless_clearable(schema, cls)
    schema["oneOf"] = [{"required": ["percent"]}, {"required": ["amount"]}]


class DiscountIn(PatchModel):
    """Exactly one of ``percent`` or ``amount`` (neither may be null)."""

    model_config = ConfigDict(json_schema_extra=_exactly_one_kind)

    percent: Percent | None = None
    amount: Amount | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> DiscountIn:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give exactly one of percent or amount")
        return self

    def to_domain(self, currency: str, field: str) -> Discount:
        if self.amount is not None:
            return Discount(amount=parse_amount(self.amount, currency, f"{field}.amount"))
        return Discount(percent=self.percent)


def _price_or_inline(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # The same rule as LineItemIn._price_or_inline, so clients (and schemathesis) see it:
    # a price line names no amount or tax rate; an inline line names no price.
    schema["oneOf"] = [
        {
            "required": ["priceId"],
            "properties": {"priceId": {"type": "string"}, "unitAmount": False, "taxRate": False},
        },
        {
            "required": ["description", "unitAmount"],
            "properties": {
                "priceId": False,
                "description": {"type": "string"},
                "unitAmount": {"type": "string"},
            },
        },
    ]


class LineItemIn(RequestModel):
    """Either a catalogue price (``priceId``: its product's name, amount and tax rate) or a
    one-off item given inline (``description`` and ``unitAmount``)."""

    model_config = ConfigDict(json_schema_extra=_price_or_inline)

    price_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    description: Annotated[str, StringConstraints(max_length=500, pattern=VISIBLE_TEXT_PATTERN)] | None = None
    quantity: Quantity = Decimal(1)
    unit_amount: Amount | None = None
    tax_rate: Percent | None = None
    discount: DiscountIn | None = None
    product_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _price_or_inline(self) -> LineItemIn:
        given = self.model_fields_set
        if "price_id" in given:
            if self.price_id is None:
                raise ValueError("priceId names a price; leave it out for an inline line")
            if given & {"unit_amount", "tax_rate"}:
                raise ValueError("a line with a priceId takes its unitAmount and taxRate from the price")
        elif self.description is None or self.unit_amount is None:
            raise ValueError("give a priceId, or a description and a unitAmount")
        return self

    def to_domain(
        self,
        currency: str,
        index: int,
        line_id: str,
        price: Price | None = None,
        product_name: str | None = None,
    ) -> LineItem:
        field = f"lineItems[{index}]"
        product_id: str | None = self.product_id
        if price is not None:
            unit_amount, tax_rate, product_id = price.unit_amount, price.tax_rate, price.product_id
        else:
            unit_amount = parse_amount(self.unit_amount or "", currency, f"{field}.unitAmount")
            tax_rate = self.tax_rate
        return LineItem(
            id=line_id,
            description=self.description or product_name or "",
            quantity=self.quantity,
            unit_amount=unit_amount,
            tax_rate=tax_rate,
            discount=self.discount.to_domain(currency, f"{field}.discount") if self.discount else None,
            product_id=product_id,
            price_id=self.price_id,
        )


LineItems = Annotated[list[LineItemIn], Field(max_length=250)]


def _amounts_by_currency(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # parse_amount's rule where the request names the currency: its exponent decides the
    # places every amount may have. Without one the account's (or the invoice's) currency
    # applies, which the schema cannot know: an amount it cannot hold is then a 409.
    if issubclass(cls, PatchModel):
        no_null_unless_clearable(schema, cls)

    def amounts(pattern: str) -> dict[str, Any]:
        discount = {"properties": {"amount": {"pattern": pattern}}}
        line = {"properties": {"unitAmount": {"pattern": pattern}, "discount": discount}}
        return {"lineItems": {"items": line}, "discount": discount}

    schema["oneOf"] = [
        {
            "required": ["currency"],
            "properties": {"currency": {"enum": codes}, **amounts(amount_pattern(places))},
        }
        for places, codes in currencies_by_places().items()
    ] + [{"not": {"required": ["currency"]}}]


class InvoiceCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra=_amounts_by_currency)

    account_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    currency: Currency | None = Field(None, description="Defaults to the account's, then the organization's")
    payment_terms: PaymentTerms | None = Field(
        None, description="Defaults to the account's, then the organization's"
    )
    line_items: LineItems = []
    discount: DiscountIn | None = None
    memo: Annotated[str, StringConstraints(max_length=2000)] | None = None


class InvoicePatch(PatchModel):
    """Drafts only. Fields present replace; ``lineItems`` replaces the whole list; null
    removes the discount or the memo."""

    model_config = ConfigDict(json_schema_extra=_amounts_by_currency)
    clearable = frozenset({"discount", "memo"})

    currency: Currency | None = None
    payment_terms: PaymentTerms | None = None
    line_items: LineItems | None = None
    discount: DiscountIn | None = None
    memo: Annotated[str, StringConstraints(max_length=2000)] | None = None


class PaymentIn(RequestModel):
    """The seed's ``recordPayment``: money received outside Remit (wire, check ...)."""

    amount: Amount
    currency: Currency | None = Field(None, description="If given, must be the invoice's currency")
    payment_date: date | None = Field(None, description="Defaults to today")
    method: ManualMethod
    reference: Annotated[str, StringConstraints(max_length=200)] | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


# -- responses --------------------------------------------------------------------------


class DiscountOut(ResponseModel):
    percent: str | None = None
    amount: str | None = None


class LineItemOut(ResponseModel):
    id: str
    description: str
    quantity: str
    unit_amount: str
    tax_rate: str | None
    discount: DiscountOut | None
    discount_amount: str
    amount: str = Field(description="quantity x unitAmount, rounded half up")
    product_id: str | None
    price_id: str | None


class TaxLineOut(ResponseModel):
    rate: str
    taxable_amount: str
    tax_amount: str


class PaymentOut(ResponseModel):
    id: str
    amount: str
    currency: str
    payment_date: date
    method: str
    reference: str | None
    notes: str | None
    created_at: str

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        data = payment.model_dump(mode="json", exclude={"amount", "invoice_id"})
        return cls(amount=format_amount(payment.amount, payment.currency), **data)


class AttemptOut(ResponseModel):
    number: int
    amount: str
    currency: str
    payment_method_id: str
    method_type: str
    trigger: str = Field(description="manual, autopay, retry or checkout")
    status: str = Field(
        description=(
            "pending, requires_action (the customer is authenticating), processing, succeeded,"
            " failed or abandoned (never sent)"
        )
    )
    gateway: str
    gateway_charge_id: str | None
    gateway_code: str | None
    gateway_message: str | None
    retryable: bool | None
    next_attempt_at: str | None
    created_at: str
    settled_at: str | None

    @classmethod
    def of(cls, attempt: PaymentAttempt) -> AttemptOut:
        data = attempt.model_dump(mode="json", exclude={"amount", "invoice_id", "idempotency_key"})
        return cls(amount=format_amount(attempt.amount, attempt.currency), **data)


class InvoiceOut(ResponseModel):
    id: str
    invoice_number: str | None
    status: ReportedStatus
    account_id: str
    currency: str
    language: str
    payment_terms: str
    memo: str | None
    line_items: list[LineItemOut]
    discount: DiscountOut | None
    subtotal: str
    discount_total: str
    tax_breakdown: list[TaxLineOut]
    tax_total: str
    total: str
    amount_paid: str
    amount_due: str
    amount_credited: str = Field("0", description="The sum of its credit notes that are not void")
    credit_note_ids: list[str] = Field([], description="Its credit notes (void ones too), oldest first")
    issued_at: str | None
    issue_date: date | None = Field(None, description="The day it issued, in the account's time zone")
    due_date: date | None
    paid_at: str | None
    voided_at: str | None
    marked_uncollectible_at: str | None
    subscription_id: str | None = Field(None, description="The subscription that generated it")
    period_start: str | None = None
    period_end: str | None = None
    collection_method: str | None = None
    auto_finalize_at: str | None = Field(None, description="When this draft finalizes by itself")
    payments: list[PaymentOut] | None = Field(None, description="Present on single-invoice reads")
    auto_pay: bool = Field(False, description="Collected by AutoPay")
    next_payment_attempt: str | None = Field(None, description="When AutoPay (or its next retry) charges")
    attempt_count: int = 0
    handed_to_dunning_at: str | None = None
    payment_attempts: list[AttemptOut] | None = Field(
        None, description="Every charge attempt through the gateway; present on single-invoice reads"
    )
    created_at: str
    updated_at: str

    @classmethod
    def of(
        cls,
        invoice: Invoice,
        today: date,
        payments: list[Payment] | None = None,
        attempts: list[PaymentAttempt] | None = None,
    ) -> InvoiceOut:
        cur = invoice.currency

        def money(minor: int) -> str:
            return format_amount(minor, cur)

        def discount(d: Discount | None) -> DiscountOut | None:
            if d is None:
                return None
            if d.amount is not None:
                return DiscountOut(amount=money(d.amount))
            return DiscountOut(percent=str(canonical(d.percent))) if d.percent is not None else None

        stamps = invoice.model_dump(
            mode="json",
            include={
                "subscription_id",
                "period_start",
                "period_end",
                "collection_method",
                "auto_finalize_at",
                "issued_at",
                "paid_at",
                "voided_at",
                "marked_uncollectible_at",
                "handed_to_dunning_at",
                "auto_pay",
                "created_at",
                "updated_at",
            },
        )
        return cls(
            id=invoice.id,
            invoice_number=invoice.invoice_number,
            status=invoice.reported_status(today),
            account_id=invoice.account_id,
            currency=cur,
            language=invoice.language,
            payment_terms=invoice.payment_terms,
            memo=invoice.memo,
            line_items=[
                LineItemOut(
                    id=li.id,
                    description=li.description,
                    quantity=str(canonical(li.quantity)),
                    unit_amount=money(li.unit_amount),
                    tax_rate=None if li.tax_rate is None else str(canonical(li.tax_rate)),
                    discount=discount(li.discount),
                    discount_amount=money(li.discount_amount),
                    amount=money(li.amount),
                    product_id=li.product_id,
                    price_id=li.price_id,
                )
                for li in invoice.line_items
            ],
            discount=discount(invoice.discount),
            subtotal=money(invoice.subtotal),
            discount_total=money(invoice.discount_total),
            tax_breakdown=[
                TaxLineOut(
                    rate=str(canonical(t.rate)),
                    taxable_amount=money(t.taxable_amount),
                    tax_amount=money(t.tax_amount),
                )
                for t in invoice.tax_breakdown
            ],
            tax_total=money(invoice.tax_total),
            total=money(invoice.total),
            amount_paid=money(invoice.amount_paid),
            amount_due=money(invoice.amount_due),
            amount_credited=money(invoice.amount_credited),
            credit_note_ids=invoice.credit_note_ids,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            payments=None if payments is None else [PaymentOut.of(p) for p in payments],
            payment_attempts=None if attempts is None else [AttemptOut.of(a) for a in attempts],
            next_payment_attempt=stamps_next(invoice),
            attempt_count=invoice.attempts,
            **stamps,
        )


def stamps_next(invoice: Invoice) -> str | None:
    if invoice.next_charge_at is None or invoice.status != "issued":
        return None
    return invoice.next_charge_at.isoformat().replace("+00:00", "Z")


class PayIn(RequestModel):
    payment_method_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None, description="Defaults to the account's defaultPaymentMethodId"
    )


class InvoicePage(Page[InvoiceOut]):
    pass
