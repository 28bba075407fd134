from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from remit.domain.account import Account
from remit.domain.organization import DeliveryMethod
from remit.domain.terms import PaymentTerms
from remit.schemas.common import Currency, Email, Language, Page, RequestModel, ResponseModel, ShortText


class AccountInvoiceSettingsIn(RequestModel):
    """Overrides of the organization's defaults for one customer (seed: invoiceSettings)."""

    payment_terms: PaymentTerms | None = None
    delivery_method: DeliveryMethod | None = None
    recipients: Annotated[list[Email], Field(max_length=20)] | None = None
    language: Language | None = None
    currency: Currency | None = None


class AccountCreate(RequestModel):
    name: ShortText
    email: Email | None = None
    invoice_settings: AccountInvoiceSettingsIn | None = None


class AccountPatch(RequestModel):
    """Fields present replace; ``invoiceSettings`` merges field by field (null clears one)."""

    name: ShortText | None = None
    email: Email | None = None
    invoice_settings: AccountInvoiceSettingsIn | None = None


class AccountInvoiceSettingsOut(ResponseModel):
    payment_terms: str | None
    delivery_method: DeliveryMethod | None
    recipients: list[str]
    language: str | None
    currency: str | None


class DeliveryIssueOut(ResponseModel):
    kind: Literal["bounced", "complained"]
    addresses: list[str]
    at: str
    email_id: str
    invoice_id: str | None
    detail: str | None


class AccountOut(ResponseModel):
    id: str
    name: str
    email: str | None
    invoice_settings: AccountInvoiceSettingsOut
    delivery_issue: DeliveryIssueOut | None = Field(
        None, description="The last email SES reported bounced or marked as spam, if any"
    )
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls.model_validate(account.model_dump(mode="json"))


class AccountPage(Page[AccountOut]):
    pass
