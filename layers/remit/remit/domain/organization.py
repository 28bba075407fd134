"""The organization (a tenant) and its settings, with the seed's defaults."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from remit.domain.base import DomainModel
from remit.domain.collections import DunningSettings, ReminderSettings
from remit.domain.localtime import DEFAULT_RUN_TIME, DEFAULT_ZONE
from remit.domain.payment_settings import PaymentSettings

DeliveryMethod = Literal["email", "none"]
AutoPayTiming = Literal["on_issue", "on_due_date", "days_before_due"]


class InvoiceSettings(DomainModel):
    # Numbering
    invoice_prefix: str = "INV-"
    invoice_number_format: str = "YYYY-NNNNN"
    # Credit notes number on their own sequence (docs/credit-notes.md).
    credit_note_prefix: str = "CN-"
    credit_note_number_format: str = "YYYY-NNNNN"
    # Delivery
    default_delivery_method: DeliveryMethod = "email"
    attach_pdf: bool = True
    cc_finance_team: bool = False
    cc_emails: list[str] = []
    # Payment terms
    default_payment_terms: str = "net_30"
    late_fee_percentage: Decimal = Decimal(0)
    # Branding
    logo_url: str | None = None
    accent_color: str = "#00BA61"
    footer_text: str | None = None


class OrganizationSettings(DomainModel):
    default_currency: str = "USD"
    default_language: str = "en"
    default_auto_pay_timing: AutoPayTiming = "on_due_date"
    # How long a subscription's invoice stays an editable draft before it finalizes.
    draft_window_minutes: int = 60
    # How long the hosted-page links that emails carry stay valid (invoice page and the
    # payment-methods page).
    invoice_link_days: int = 90
    # The portal lists the account's drafts too ("View all invoices (paid, unpaid,
    # draft)" in the seed), labelled as not yet issued and never payable.
    portal_show_drafts: bool = True
    # The IANA zone whose calendar days the organization's invoices count in (an account may
    # override it), and the local time of day an account's scheduled work for a day runs.
    time_zone: str = DEFAULT_ZONE
    daily_run_time: str = DEFAULT_RUN_TIME


class Organization(DomainModel):
    id: str
    name: str
    email: str | None = None
    invoice_settings: InvoiceSettings = InvoiceSettings()
    settings: OrganizationSettings = OrganizationSettings()
    payment_settings: PaymentSettings = PaymentSettings()
    reminder_settings: ReminderSettings = ReminderSettings()
    dunning_settings: DunningSettings = DunningSettings()
    # Last invoice sequence handed out per numbering scope ("INV-2026-*": 17). Kept on the
    # organization item so finalizing reads it in the same round trip as the invoice.
    sequences: dict[str, int] = {}
    created_at: datetime
    updated_at: datetime
    version: int = 1
