"""The pages' flows on moto: actions behind a confirmation, billing settings, search."""

from __future__ import annotations

from remit.schemas.account import AccountCreate
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from tests.dashboard.conftest import Browser, Keys, issued_invoice


def test_void_asks_first_then_voids_and_the_page_shows_the_event(
    browser: Browser, keys: Keys, ctx: Context, org: str
) -> None:
    invoice_id = issued_invoice(ctx, org, "75.00")
    browser.session = keys.token(org, "finance")
    asked = browser.post(f"/dashboard/invoices/{invoice_id}/void")
    assert asked.status == 303
    assert asked.location == f"/dashboard/invoices/{invoice_id}?confirm=void"
    assert InvoiceService(ctx).get(org, invoice_id).status == "issued"
    confirm_page = browser.get(asked.location)
    assert 'id="confirm"' in confirm_page.body
    assert "Yes, void" in confirm_page.body

    done = browser.post(f"/dashboard/invoices/{invoice_id}/void", {"confirmed": "yes"})
    assert done.status == 303
    assert "notice=Void" in done.location
    assert InvoiceService(ctx).get(org, invoice_id).status == "void"
    page = browser.get(f"/dashboard/invoices/{invoice_id}")
    assert 'data-event="invoice.voided"' in page.body
    assert 'data-event="invoice.issued"' in page.body

    # Voiding twice is the service's refusal, in words, not a crash.
    again = browser.post(f"/dashboard/invoices/{invoice_id}/void", {"confirmed": "yes"})
    assert again.status == 303
    assert "error=" in again.location


def test_record_a_partial_payment_behind_the_confirmation(
    browser: Browser, keys: Keys, ctx: Context, org: str
) -> None:
    invoice_id = issued_invoice(ctx, org, "200.00")
    browser.session = keys.token(org, "finance")
    form = {"amount": "50.00", "method": "check", "reference": "CHK-1"}
    asked = browser.post(f"/dashboard/invoices/{invoice_id}/record-payment", form)
    assert "confirm=record-payment" in asked.location
    assert "amount=50.00" in asked.location
    assert InvoiceService(ctx).get(org, invoice_id).amount_due == "200.00"
    browser.post(f"/dashboard/invoices/{invoice_id}/record-payment", form | {"confirmed": "yes"})
    invoice = InvoiceService(ctx).get(org, invoice_id)
    assert (invoice.amount_paid, invoice.amount_due, invoice.status) == ("50.00", "150.00", "issued")
    too_much = browser.post(
        f"/dashboard/invoices/{invoice_id}/record-payment", form | {"amount": "500.00", "confirmed": "yes"}
    )
    assert "error=" in too_much.location
    assert InvoiceService(ctx).get(org, invoice_id).amount_due == "150.00"


def test_billing_settings_toggle_autopay_and_override_defaults(
    browser: Browser, keys: Keys, ctx: Context, org: str
) -> None:
    account = AccountService(ctx).create(org, AccountCreate(name="Globex", email="ap@globex.example"))
    browser.session = keys.token(org, "finance")
    reply = browser.post(
        f"/dashboard/customers/{account.id}/billing",
        {
            "autoPayEnabled": "on",
            "autoPayTiming": "days_before_due",
            "autoPayDaysBefore": "3",
            "paymentTerms": "net_45",
            "recipients": "ap@globex.example\ncfo@globex.example",
            "language": "de",
            "currency": "EUR",
        },
    )
    assert reply.status == 303
    assert "error" not in reply.location
    saved = AccountService(ctx).get(org, account.id)
    assert (saved.auto_pay_enabled, saved.auto_pay_timing, saved.auto_pay_days_before) == (
        True,
        "days_before_due",
        3,
    )
    assert saved.invoice_settings.payment_terms == "net_45"
    assert saved.invoice_settings.recipients == ["ap@globex.example", "cfo@globex.example"]
    assert (saved.invoice_settings.language, saved.invoice_settings.currency) == ("de", "EUR")

    # Unchecked box: AutoPay off. A bad value: the field named, nothing saved.
    browser.post(f"/dashboard/customers/{account.id}/billing", {"paymentTerms": "net_45"})
    assert AccountService(ctx).get(org, account.id).auto_pay_enabled is False
    bad = browser.post(f"/dashboard/customers/{account.id}/billing", {"paymentTerms": "whenever"})
    assert "error=" in bad.location
    assert AccountService(ctx).get(org, account.id).invoice_settings.payment_terms == "net_45"


def test_find_an_invoice_by_number(browser: Browser, keys: Keys, ctx: Context, org: str) -> None:
    invoice_id = issued_invoice(ctx, org)
    number = InvoiceService(ctx).get(org, invoice_id).invoice_number
    assert number
    browser.session = keys.token(org, "finance")
    found = browser.get(f"/dashboard/invoices?number={number}")
    assert found.status == 303
    assert found.location == f"/dashboard/invoices/{invoice_id}"
    missing = browser.get("/dashboard/invoices?number=INV-0000-99999")
    assert missing.status == 200
    assert "No invoice numbered" in missing.body
