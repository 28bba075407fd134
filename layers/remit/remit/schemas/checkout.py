from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from remit.domain.checkout import CheckoutMode
from remit.schemas.common import Currency, RequestModel, ResponseModel
from remit.schemas.invoice import LineItemIn
from remit.schemas.organization import HttpsUrl

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _invoice_by_mode(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # CheckoutSessionIn's rule, stated for clients.
    schema["oneOf"] = [
        {
            "properties": {
                "mode": {"const": "payment"},
                "accountId": {"type": "string"},
                "invoiceId": {"type": "string"},
                "lineItems": False,
                "currency": False,
            },
            "required": ["accountId", "invoiceId"],
        },
        {
            # The lines themselves (not null): the checkout without an account.
            "properties": {
                "mode": {"const": "payment"},
                "accountId": False,
                "invoiceId": False,
                "lineItems": {"type": "array"},
            },
            "required": ["lineItems"],
        },
        {
            "properties": {
                "mode": {"const": "setup"},
                "accountId": {"type": "string"},
                "invoiceId": False,
                "lineItems": False,
                "currency": False,
            },
            "required": ["accountId"],
        },
    ]


class CheckoutSessionIn(RequestModel):
    """The seed's ``checkoutSessions.create``: ``setup`` saves a payment method of
    ``accountId``; ``payment`` pays ``invoiceId`` of ``accountId``, or, given ``lineItems``
    and no account, is a checkout without an account: the page asks the customer's name and
    email, then creates the account, issues the invoice and takes the payment."""

    model_config = ConfigDict(json_schema_extra=_invoice_by_mode)

    mode: CheckoutMode
    line_items: Annotated[list[LineItemIn], Field(min_length=1, max_length=250)] | None = Field(
        None, description="Payment mode without an account: what the invoice will bill"
    )
    currency: Currency | None = Field(
        None, description="With lineItems: the invoice's currency (default: the organization's)"
    )
    account_id: Id | None = Field(
        None, description="Required, except with lineItems (then absent)", validate_default=True
    )
    invoice_id: Id | None = Field(
        None, description="Required in payment mode, unless lineItems", validate_default=True
    )
    success_url: HttpsUrl
    cancel_url: HttpsUrl

    @field_validator("line_items")
    @classmethod
    def _lines_for_payment(
        cls, lines: list[LineItemIn] | None, info: ValidationInfo
    ) -> list[LineItemIn] | None:
        if info.data.get("mode") == "setup" and lines is not None:
            raise ValueError("only payment mode takes lineItems")
        return lines

    @field_validator("account_id")
    @classmethod
    def _account_unless_lines(cls, account_id: str | None, info: ValidationInfo) -> str | None:
        # Runs given or not (validate_default), after ``mode`` and ``lineItems``.
        if info.data.get("line_items") is not None:
            if account_id is not None:
                raise ValueError("a checkout with lineItems creates its account: leave accountId out")
        elif account_id is None:
            raise ValueError("give an accountId (or, in payment mode, lineItems)")
        return account_id

    @field_validator("invoice_id")
    @classmethod
    def _invoice_for_payment(cls, invoice_id: str | None, info: ValidationInfo) -> str | None:
        mode = info.data.get("mode")
        lines = info.data.get("line_items") is not None
        if mode == "payment" and invoice_id is None and not lines:
            raise ValueError("payment mode needs an invoiceId (or lineItems)")
        if mode == "setup" and invoice_id is not None:
            raise ValueError("only payment mode takes an invoiceId")
        if lines and invoice_id is not None:
            raise ValueError("a checkout with lineItems creates its invoice: leave invoiceId out")
        return invoice_id

    @model_validator(mode="after")
    def _no_null_invoice_in_setup(self) -> CheckoutSessionIn:
        if self.mode == "setup" and "invoice_id" in self.model_fields_set:
            raise ValueError("only payment mode takes an invoiceId")
        if self.currency is not None and self.line_items is None:
            raise ValueError("currency goes with lineItems (an invoice has its own)")
        return self


class CheckoutSessionOut(ResponseModel):
    id: str
    url: str = Field(description="Send the customer here; it works once, until expiresAt")
    mode: CheckoutMode
    account_id: str | None = Field(
        description="Null until the customer of a checkout without an account has filled in the page"
    )
    invoice_id: str | None
    status: str
    expires_at: str
