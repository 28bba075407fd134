"""Accounts are the organization's customers; their settings override the organization's."""

from __future__ import annotations

from datetime import datetime

from remit.domain.base import DomainModel
from remit.domain.organization import AutoPayTiming, DeliveryMethod, Organization


class AccountInvoiceSettings(DomainModel):
    payment_terms: str | None = None
    delivery_method: DeliveryMethod | None = None
    recipients: list[str] = []
    language: str | None = None
    currency: str | None = None


class Account(DomainModel):
    id: str
    organization_id: str
    name: str
    email: str | None = None
    invoice_settings: AccountInvoiceSettings = AccountInvoiceSettings()
    # AutoPay (seed: autoPayEnabled, defaultPaymentMethodId, autoPayTiming); an unset
    # timing follows the organization's defaultAutoPayTiming.
    auto_pay_enabled: bool = False
    default_payment_method_id: str | None = None
    auto_pay_timing: AutoPayTiming | None = None
    auto_pay_days_before: int | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def effective_terms(self, org: Organization) -> str:
        return self.invoice_settings.payment_terms or org.invoice_settings.default_payment_terms

    def effective_currency(self, org: Organization) -> str:
        return self.invoice_settings.currency or org.settings.default_currency

    def effective_language(self, org: Organization) -> str:
        return self.invoice_settings.language or org.settings.default_language
