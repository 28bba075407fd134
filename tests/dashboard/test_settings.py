"""Settings pages: the branding preview (rendered as PdfFunction renders it) and the email
template editor with its preview."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import boto3
import pytest

from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.dashboard.app import build_app
from remit.dashboard.auth import Jwks, TokenVerifier
from remit.dashboard.web import Wiring
from remit.documents.view import DocumentKind
from remit.services.context import Context
from remit.services.documents import DocumentService
from remit.services.email_templates import EmailTemplateService
from tests.dashboard.conftest import CLIENT_ID, ISSUER, Browser, FakeSignIn, Keys, issued_invoice
from tests.support.pdf import renderer, text

BUCKET = "remit-dashboard-documents"


@dataclass
class InProcessPdfFunction:
    """What functions/pdf does on a direct invoke (render, preview), counted."""

    ctx: Context
    storage: DocumentBucket
    previews: int = 0

    def render(self, org_id: str, invoice_id: str, kind: DocumentKind) -> str:
        return DocumentService(self.ctx, self.storage).render(org_id, invoice_id, kind, renderer().render)

    def preview(self, org_id: str) -> str:
        self.previews += 1
        return DocumentService(self.ctx, self.storage).render_preview(org_id, renderer().render)


@pytest.fixture
def bucket(ctx: Context) -> DocumentBucket:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
    return DocumentBucket(BUCKET)


@pytest.fixture
def pdf(ctx: Context, bucket: DocumentBucket) -> InProcessPdfFunction:
    return InProcessPdfFunction(ctx, bucket)


SENDER = "billing@remit.example"


@pytest.fixture
def admin(ctx: Context, keys: Keys, org: str, bucket: DocumentBucket, pdf: InProcessPdfFunction) -> Browser:
    jwks = Jwks("https://cognito.test/jwks.json", fetch=lambda url: keys.jwks())
    browser = Browser(
        build_app(
            Wiring(
                context=lambda: ctx,
                verifier=TokenVerifier(ISSUER, CLIENT_ID, jwks),
                sign_in=FakeSignIn(),
                storage=lambda: bucket,
                renderer=lambda: pdf,
                mailer=SesMailer,
                sender=SENDER,
            )
        )
    )
    browser.session = keys.token(org, "admin")
    return browser


def key_of(presigned: str) -> str:
    """The object key of a presigned S3 link (virtual-hosted or path style)."""
    path = unquote(urlsplit(presigned).path).lstrip("/")
    return path.removeprefix(f"{BUCKET}/")


def settings_form(**changes: str) -> dict[str, str]:
    return {
        "invoicePrefix": "INV-",
        "invoiceNumberFormat": "YYYY-NNNNN",
        "defaultPaymentTerms": "net_30",
        "defaultDeliveryMethod": "email",
        "accentColor": "#1F6FEB",
        "lateFeePercentage": "0",
        **changes,
    }


def test_branding_preview_shows_the_saved_settings_once_per_version(
    admin: Browser, bucket: DocumentBucket, pdf: InProcessPdfFunction, org: str
) -> None:
    saved = admin.post(
        "/dashboard/settings/invoicing", settings_form(invoicePrefix="ACME-", footerText="Danke!")
    )
    assert saved.status == 303
    assert "error" not in saved.location

    preview = admin.get("/dashboard/settings/preview")
    assert preview.status == 303
    key = key_of(preview.location)
    assert key.startswith(f"{org}/previews/branding-v")
    document = text(bucket.get(key))
    assert "ACME-PREVIEW" in document
    assert "Danke!" in document

    admin.get("/dashboard/settings/preview")
    assert pdf.previews == 2
    assert len(boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{org}/previews/")["Contents"]) == 1

    admin.post("/dashboard/settings/invoicing", settings_form(footerText="Thank you"))
    again = admin.get("/dashboard/settings/preview")
    assert "Thank you" in text(bucket.get(key_of(again.location)))


def test_email_template_editor_saves_previews_and_resets(admin: Browser, ctx: Context, org: str) -> None:
    page = admin.get("/dashboard/settings/email-templates/invoice_issued")
    assert page.status == 200
    assert "The default" in page.body
    saved = admin.post(
        "/dashboard/settings/email-templates/invoice_issued",
        {
            "subject": "Rechnung {{invoice_number}}",
            "fromName": "Acme Billing",
            "body": "<p>Hallo {{customer_name}}</p>",
        },
    )
    assert saved.status == 303
    assert "error" not in saved.location
    template = EmailTemplateService(ctx).get(org, "invoice_issued", None)
    assert (template.subject, template.source) == ("Rechnung {{invoice_number}}", "custom")
    page = admin.get("/dashboard/settings/email-templates/invoice_issued")
    assert "Customized" in page.body
    assert "Rechnung INV-" in page.body  # the preview, with sample data

    admin.post("/dashboard/settings/email-templates/invoice_issued", {"reset": "yes"})
    assert EmailTemplateService(ctx).get(org, "invoice_issued", None).source == "default"


def test_payment_settings_form(admin: Browser, ctx: Context, org: str) -> None:
    from remit.services.organizations import OrganizationService

    reply = admin.post(
        "/dashboard/settings/payments",
        {
            "acceptedMethods": "card",
            "displayWireInstructions": "on",
            "bankName": "First Bank",
            "accountNumber": "123456789",
            "wireReference": "{{invoice_number}}",
            "retries_card": "2",
            "hours_card": "24",
        },
    )
    assert reply.status == 303
    assert "error" not in reply.location, reply.location
    settings = OrganizationService(ctx).get(org).payment_settings
    assert settings.display_wire_instructions is True
    assert settings.wire_instructions is not None
    assert settings.wire_instructions.bank_name == "First Bank"
    assert (settings.retry_policies["card"].retries, settings.retry_policies["card"].hours_between) == (2, 24)


def test_send_from_the_invoice_page_emails_it_and_the_delivery_log_shows_it(
    admin: Browser, ctx: Context, org: str
) -> None:
    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=SENDER)
    invoice_id = issued_invoice(ctx, org, "64.00")
    assert "No emails yet" in admin.get(f"/dashboard/invoices/{invoice_id}").body
    admin.post(f"/dashboard/invoices/{invoice_id}/send", {"confirmed": "yes"})
    [delivery] = ctx.store.deliveries.list(org, invoice_id)
    assert (delivery.status, delivery.to, delivery.trigger) == ("sent", ["ap@example.com"], "manual")
    page = admin.get(f"/dashboard/invoices/{invoice_id}").body
    assert 'data-delivery="sent"' in page
    assert "ap@example.com" in page


def finance_of(admin: Browser, keys: Keys, org: str) -> Browser:
    """The same dashboard as ``admin``'s, signed in as a finance operator."""
    browser = Browser(admin.app)
    browser.session = keys.token(org, "finance")
    return browser


def test_send_reminder_behind_a_confirmation_emails_the_customer_and_records_the_event(
    admin: Browser, keys: Keys, ctx: Context, org: str
) -> None:
    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=SENDER)
    invoice_id = issued_invoice(ctx, org, "64.00")
    finance = finance_of(admin, keys, org)  # finance may remind, as it may send
    page = finance.get(f"/dashboard/invoices/{invoice_id}").body
    assert 'id="reminder"' in page

    form = {
        "template": "past_due_firm",
        "message": "Please prioritize this payment.",
        "cc": "cfo@example.com",
    }
    asked = finance.post(f"/dashboard/invoices/{invoice_id}/send-reminder", form)
    assert asked.status == 303
    assert "confirm=send-reminder" in asked.location
    assert ctx.store.deliveries.list(org, invoice_id) == []  # only asked
    confirm = finance.get(asked.location).body
    assert "Template past_due_firm" in confirm
    assert "Please prioritize this payment." in confirm

    done = finance.post(f"/dashboard/invoices/{invoice_id}/send-reminder", form | {"confirmed": "yes"})
    assert done.status == 303
    assert "Reminder+sent+to+ap%40example.com" in done.location
    [delivery] = ctx.store.deliveries.list(org, invoice_id)
    assert (delivery.status, delivery.template, delivery.trigger) == ("sent", "past_due_firm", "manual")
    assert (delivery.to, delivery.cc) == (["ap@example.com"], ["cfo@example.com"])
    head = ctx.store.invoices.get(org, invoice_id)
    assert head is not None
    events = ctx.store.reports.subject_events(org, invoice_id, head.created_at)
    assert [e.type for e in events].count("invoice.reminder_sent") == 1
    assert 'data-delivery="sent"' in finance.get(f"/dashboard/invoices/{invoice_id}").body


def test_a_paid_or_void_invoice_gets_no_reminder(admin: Browser, ctx: Context, org: str) -> None:
    from remit.services.invoices import InvoiceService

    invoice_id = issued_invoice(ctx, org, "10.00")
    InvoiceService(ctx).void(org, invoice_id)
    assert 'id="reminder"' not in admin.get(f"/dashboard/invoices/{invoice_id}").body
    reply = admin.post(f"/dashboard/invoices/{invoice_id}/send-reminder", {"confirmed": "yes"})
    assert reply.status == 303
    assert "only+unpaid+invoices+get+reminders" in reply.location
    assert ctx.store.deliveries.list(org, invoice_id) == []


def test_a_reminder_without_the_csrf_token_sends_nothing(admin: Browser, ctx: Context, org: str) -> None:
    invoice_id = issued_invoice(ctx, org, "10.00")
    reply = admin.post(f"/dashboard/invoices/{invoice_id}/send-reminder", {"confirmed": "yes"}, csrf=False)
    assert reply.status == 403
    assert ctx.store.deliveries.list(org, invoice_id) == []
