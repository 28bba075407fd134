"""A realistic invoice built in memory (never stored): the benchmark renders it, the
tests render it, and template previews without an invoice use its figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from remit.domain.account import Account, AccountInvoiceSettings
from remit.domain.invoice import Invoice
from remit.domain.organization import InvoiceSettings, Organization
from remit.domain.totals import Discount, LineItem

SAMPLE_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
RATES = (Decimal(19), Decimal(7), None)


def sample_organization(name: str = "Acme Analytics GmbH") -> Organization:
    return Organization(
        id="org_sample",
        name=name,
        email="billing@acme.example",
        invoice_settings=InvoiceSettings(footer_text="Thank you for your business!"),
        created_at=SAMPLE_NOW,
        updated_at=SAMPLE_NOW,
    )


def sample_account(language: str = "en", currency: str = "USD") -> Account:
    return Account(
        id="acc_sample",
        organization_id="org_sample",
        name="Globex Corporation",
        email="ap@globex.example",
        invoice_settings=AccountInvoiceSettings(language=language, currency=currency),
        created_at=SAMPLE_NOW,
        updated_at=SAMPLE_NOW,
    )


def sample_invoice(
    lines: int = 3, language: str = "en", currency: str = "USD", number: str = "INV-2026-00042"
) -> Invoice:
    """An issued invoice of ``lines`` lines at three tax rates (19 %, 7 %, none), one line
    discounted and 5 % off the whole invoice."""
    items = [
        LineItem(
            id=f"li_{i:03d}",
            description=f"Analytics seat, team {i + 1} (March 2026)"
            if i % 2
            else f"Support hours, week {i + 1}",
            quantity=Decimal(i % 4 + 1),
            unit_amount=12_345 + 1_000 * i,
            tax_rate=RATES[i % 3],
            discount=Discount(percent=Decimal(10)) if i == 1 else None,
        )
        for i in range(lines)
    ]
    blank = Invoice(
        id="inv_sample",
        organization_id="org_sample",
        account_id="acc_sample",
        currency=currency,
        language=language,
        payment_terms="net_30",
        memo="Payment within 30 days. Questions: billing@acme.example",
        created_at=SAMPLE_NOW,
        updated_at=SAMPLE_NOW,
        version=0,
    )
    draft = blank.with_lines(items, Discount(percent=Decimal(5)), SAMPLE_NOW)
    return draft.finalized(number, SAMPLE_NOW)


def sample_due_date() -> date:
    return (SAMPLE_NOW + timedelta(days=30)).date()
