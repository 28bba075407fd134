"""The issued-invoice email of an AutoPay invoice (issue 16.2): says when and with what it
is charged, with no pay button; a pay-by-link invoice keeps its button."""

from __future__ import annotations

from typing import Any

import pytest

from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.services.context import Context
from remit.services.delivery import DeliveryService
from remit.services.documents import DocumentService
from remit_local.emails import sent_emails
from tests.api.conftest import SENDER
from tests.api.test_emails import events_of, issue, links
from tests.support.api_client import ApiClient
from tests.support.documents import InProcessPdfFunction


@pytest.fixture
def delivery(ctx: Context, bucket: DocumentBucket, pdf_function: InProcessPdfFunction) -> DeliveryService:
    return DeliveryService(ctx, SesMailer(), DocumentService(ctx, bucket, pdf_function), SENDER, links(ctx))


def autopay(api: ApiClient, account_id: str, **settings: Any) -> None:
    card = api.post(
        f"/accounts/{account_id}/payment-methods", {"type": "card", "gatewayToken": "pm_card_visa"}
    )
    assert card.status == 201, card
    reply = api.patch(f"/accounts/{account_id}", {"autoPayEnabled": True, **settings})
    assert reply.status == 200, reply


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "charged automatically on {date} to your Visa •••• 4242"),
        ("de", "am {date} automatisch von Ihrer Visa •••• 4242"),
        ("fr", "prélevée automatiquement le {date} sur votre Visa •••• 4242"),
    ],
)
def test_an_autopay_invoice_email_says_when_and_how_it_is_charged_with_no_pay_link(
    api: ApiClient,
    ctx: Context,
    account: dict[str, Any],
    delivery: DeliveryService,
    org: str,
    language: str,
    says: str,
) -> None:
    from remit.documents import localize

    api.patch(f"/accounts/{account['id']}", {"invoiceSettings": {"language": language}})
    autopay(api, account["id"], autoPayTiming="days_before_due", autoPayDaysBefore=5)
    invoice = issue(api, account["id"])
    stored = ctx.store.invoices.get(org, invoice["id"])
    assert stored is not None
    assert stored.next_charge_at is not None
    date = localize.day(stored.next_charge_at.date(), language)
    [issued] = events_of(ctx, org, "invoice.issued")
    delivery.on_event(issued)
    [email] = sent_emails()
    assert says.format(date=date) in email["text"]
    assert "#pay" not in email["text"]
    assert "#pay" not in email["html"]
    assert not any(word in email["text"] for word in ("Pay now", "Jetzt bezahlen", "Payer"))


def test_a_pay_by_link_invoice_email_keeps_its_pay_button(
    api: ApiClient, ctx: Context, account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    issue(api, account["id"])
    [issued] = events_of(ctx, org, "invoice.issued")
    delivery.on_event(issued)
    [email] = sent_emails()
    assert "Pay now (https://pay.acme.example/i/" in email["text"]
    assert "AutoPay" not in email["text"]


def test_the_autopay_variables_are_listed_with_the_others(api: ApiClient) -> None:
    listed = api.get("/email-templates/invoice_issued").body["variables"]
    assert {"autopay", "autopay_date", "payment_method"} <= set(listed)
