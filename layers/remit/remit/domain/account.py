"""Accounts are the organization's customers; their settings override the organization's."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from remit.domain.base import DomainModel
from remit.domain.organization import AutoPayTiming, DeliveryMethod, Organization


class AccountInvoiceSettings(DomainModel):
    payment_terms: str | None = None
    delivery_method: DeliveryMethod | None = None
    recipients: list[str] = []
    language: str | None = None
    currency: str | None = None


class DeliveryIssue(DomainModel):
    """The last email to this account that bounced or was marked as spam (SES said so),
    kept on the account so "customer not receiving invoices" is answered where one looks."""

    kind: Literal["bounced", "complained"]
    addresses: list[str]
    at: datetime
    email_id: str
    invoice_id: str | None = None
    detail: str | None = None


class Account(DomainModel):
    id: str
    organization_id: str
    name: str
    email: str | None = None
    # E.164; where dunning's sms_reminder goes.
    phone: str | None = None
    invoice_settings: AccountInvoiceSettings = AccountInvoiceSettings()
    # AutoPay (seed: autoPayEnabled, defaultPaymentMethodId, autoPayTiming); an unset
    # timing follows the organization's defaultAutoPayTiming.
    auto_pay_enabled: bool = False
    default_payment_method_id: str | None = None
    auto_pay_timing: AutoPayTiming | None = None
    auto_pay_days_before: int | None = None
    delivery_issue: DeliveryIssue | None = None
    # An IANA zone overriding the organization's; None follows the organization.
    time_zone: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def effective_terms(self, org: Organization) -> str:
        return self.invoice_settings.payment_terms or org.invoice_settings.default_payment_terms

    def effective_currency(self, org: Organization) -> str:
        return self.invoice_settings.currency or org.settings.default_currency

    def effective_language(self, org: Organization) -> str:
        return self.invoice_settings.language or org.settings.default_language

    def effective_delivery(self, org: Organization) -> str:
        return self.invoice_settings.delivery_method or org.invoice_settings.default_delivery_method

    def effective_time_zone(self, org: Organization) -> str:
        return self.time_zone or org.settings.time_zone

    def recipients(self) -> list[str]:
        """To: the account's recipients when it has some (the override), else its email."""
        return list(self.invoice_settings.recipients) or ([self.email] if self.email else [])
