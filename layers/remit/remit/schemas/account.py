from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from remit.domain.account import Account
from remit.domain.autopay import MAX_DAYS_BEFORE
from remit.domain.organization import AutoPayTiming, DeliveryMethod
from remit.domain.terms import PaymentTerms
from remit.schemas.common import (
    Currency,
    Email,
    Language,
    Page,
    PatchModel,
    RequestModel,
    ResponseModel,
    ShortText,
    WholeNumber,
)
from remit.schemas.organization import TimeZoneName


class AccountInvoiceSettingsIn(PatchModel):
    """Overrides of the organization's defaults for one customer (seed: invoiceSettings);
    null returns a field to the organization's default."""

    clearable = frozenset({"payment_terms", "delivery_method", "recipients", "language", "currency"})

    payment_terms: PaymentTerms | None = None
    delivery_method: DeliveryMethod | None = None
    recipients: Annotated[list[Email], Field(max_length=20)] | None = None
    language: Language | None = None
    currency: Currency | None = None


DaysBefore = Annotated[int, Field(ge=1, le=MAX_DAYS_BEFORE), WholeNumber]
MethodId = Annotated[str, Field(min_length=1, max_length=64)]
# E.164, as SNS SMS takes it: "+" then up to 15 digits.
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$"), Field(examples=["+14155550123"])]


class AccountCreate(RequestModel):
    name: ShortText
    email: Email | None = None
    phone: Phone | None = Field(None, description="E.164; dunning's sms_reminder texts it")
    invoice_settings: AccountInvoiceSettingsIn | None = None
    auto_pay_enabled: StrictBool = False
    auto_pay_timing: AutoPayTiming | None = Field(None, description="Unset: the organization's default")
    auto_pay_days_before: DaysBefore | None = Field(None, description="For days_before_due (default 3)")
    time_zone: TimeZoneName | None = Field(None, description="IANA zone; unset: the organization's")


class AccountPatch(PatchModel):
    """Fields present replace; ``invoiceSettings`` merges field by field (null clears one).
    ``defaultPaymentMethodId`` must name one of the account's saved methods."""

    clearable = frozenset(
        {"email", "default_payment_method_id", "auto_pay_timing", "auto_pay_days_before", "time_zone"}
    )

    name: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    invoice_settings: AccountInvoiceSettingsIn | None = None
    auto_pay_enabled: StrictBool | None = None
    default_payment_method_id: MethodId | None = None
    auto_pay_timing: AutoPayTiming | None = None
    auto_pay_days_before: DaysBefore | None = None
    time_zone: TimeZoneName | None = Field(None, description="IANA zone; null: the organization's")


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
    phone: str | None = None
    invoice_settings: AccountInvoiceSettingsOut
    auto_pay_enabled: bool
    default_payment_method_id: str | None
    auto_pay_timing: AutoPayTiming | None
    auto_pay_days_before: int | None
    time_zone: str | None = Field(None, description="The account's IANA zone; null: the organization's")
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
